"""The JSON-LD ``@context`` of EPCIS 2.0 data: is the EPCIS context included, which prefixes are declared.

EPCIS 2.0 §10 (JSON/JSON-LD binding) and JSON-LD 1.1 §4.1.5 (compact IRIs). Extensions are properties named by
an IRI, usually compact (``example:myField``, with ``example`` declared in the ``@context``). Contexts are
never fetched: the EPCIS context is shipped here (``epcis-context.jsonld``) and recognised by its published
URLs; any other remote context makes the set of declared prefixes unknown, and prefixes are then not checked.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from zhuisu.epcis.schema import loader
from zhuisu.epcis.schema.translation import CONTEXT_EXPECTED, pointer_token

#: Where GS1 publishes the EPCIS 2.0 JSON-LD context (the ratified one, its "latest" alias, the working copy).
EPCIS_CONTEXT_URLS = frozenset({
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
    "https://gs1.github.io/EPCIS/epcis-context.jsonld",
})  # fmt: skip
EPCIS_VOCABULARY = "https://ref.gs1.org/epcis/"

#: IRI schemes whose absolute IRIs have no "//" yet are never mistaken for a compact IRI's prefix.
_ABSOLUTE_SCHEMES = frozenset({"urn", "tag", "did"})
_CONTAINERS = (dict, list)
#: Properties whose values hold no property names (lists of URIs), or a context of their own.
_NO_NAMES = frozenset({"@context", "epcList", "childEPCs", "inputEPCList", "outputEPCList", "correctiveEventIDs"})
_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")


@cache
def epcis_prefixes() -> frozenset[str]:
    """The prefixes the EPCIS context declares (``epcis``, ``cbv``, ``gs1``, ``rdfs``, …).

    A term is a prefix when its IRI ends with a URI gen-delim character (JSON-LD 1.1 §4.2.2).
    """
    terms = loader.read_json("epcis-context.jsonld")["@context"]
    return frozenset(term for term, iri in terms.items() if isinstance(iri, str) and iri.endswith(_GEN_DELIMS))


@dataclass(frozen=True)
class Context:
    """What zhuisu knows of an active ``@context``."""

    prefixes: frozenset[str]  #: terms that may serve as the prefix of a compact IRI
    complete: bool  #: every context is inline or a known EPCIS one, so ``prefixes`` is the whole truth
    epcis: bool  #: the EPCIS context is included

    EMPTY: ClassVar["Context"]
    EXPECTED: ClassVar[str] = CONTEXT_EXPECTED

    @classmethod
    def of_document(cls, raw: Any) -> "Context":
        """The context a document's ``@context`` value sets up."""
        return cls.EMPTY.extended(raw)

    def extended(self, raw: Any) -> "Context":
        """This context with the ``@context`` value of a nested object (an event) applied on top."""
        if raw is None:
            return self
        prefixes, complete, epcis = set(self.prefixes), self.complete, self.epcis
        for entry in raw if isinstance(raw, list) else [raw]:
            if isinstance(entry, str):
                if entry in EPCIS_CONTEXT_URLS:
                    prefixes |= epcis_prefixes()
                    epcis = True
                else:
                    complete = False
            elif isinstance(entry, dict):
                prefixes |= {term for term, iri in entry.items() if not term.startswith("@") and _is_iri(iri)}
                epcis = epcis or entry.get("epcis") == EPCIS_VOCABULARY
            else:
                complete = False  # malformed: the schema says so; nothing can be told of its prefixes
        return Context(frozenset(prefixes), complete, epcis)

    def lacks_epcis(self) -> bool:
        """True when the EPCIS context is known to be missing (remote contexts could include it)."""
        return self.complete and not self.epcis

    def undeclared(self, node: Any, pointer: str) -> list[tuple[str, str]]:
        """``(pointer, prefix)`` of each property under ``node`` named with a prefix this context lacks.

        Nested ``@context`` values are skipped. Nothing is reported unless the prefixes are all known.
        """
        if not (self.complete and self.epcis):
            return []
        found: list[tuple[str, str]] = []
        # Hot path (every event): pointers are only built for containers and undeclared names.
        stack = [(node, pointer)]
        while stack:
            current, at = stack.pop()
            if type(current) is dict:
                for key, value in current.items():
                    if ":" in key and not self.declares(key):
                        found.append((f"{at}/{pointer_token(key)}", key.partition(":")[0]))
                    if type(value) in _CONTAINERS and key not in _NO_NAMES:
                        stack.append((value, f"{at}/{pointer_token(key)}"))
            else:
                stack.extend(
                    (value, f"{at}/{index}") for index, value in enumerate(current) if type(value) in _CONTAINERS
                )
        return sorted(found)

    def declares(self, key: str) -> bool:
        """Whether a property name containing ``:`` is a full IRI or a compact IRI with a declared prefix."""
        prefix, _, suffix = key.partition(":")
        return suffix.startswith("//") or prefix in self.prefixes or prefix.lower() in _ABSOLUTE_SCHEMES


Context.EMPTY = Context(frozenset(), complete=True, epcis=False)


def _is_iri(definition: Any) -> bool:
    return isinstance(definition, str) or (isinstance(definition, dict) and isinstance(definition.get("@id"), str))
