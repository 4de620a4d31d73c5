"""Namespaces of the EPCIS XML bindings (1.2 and 2.0) and the prefixes extensions get in JSON-LD.

An XML extension element ``{https://ns.example.com/epcis/}myField`` becomes the JSON-LD key ``example:myField``
with ``{"example": "https://ns.example.com/epcis/"}`` in the document's ``@context`` (EPCIS 2.0 §9.3 / §9.4
mapping). Its XML attributes become keys of its JSON object the same way, and ``ATTRIBUTES`` / ``TEXT`` keep what
JSON cannot say by itself (see ``zhuisu.epcis.xml.reader``). The prefix of the XML document is kept when it is
usable, so round trips keep the names people chose; prefixes that would read as IRI schemes (``https:``) or that
the standard context gives another meaning are replaced by ``ns1``, ``ns2`` …
"""

from dataclasses import dataclass, field

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
EPCIS_1 = "urn:epcglobal:epcis:xsd:1"
EPCIS_2 = "urn:epcglobal:epcis:xsd:2"
QUERY_1 = "urn:epcglobal:epcis-query:xsd:1"
QUERY_2 = "urn:epcglobal:epcis-query:xsd:2"
MASTERDATA_1 = "urn:epcglobal:epcis-masterdata:xsd:1"
MASTERDATA_2 = "urn:epcglobal:epcis-masterdata:xsd:2"
SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: Key of a user extension element's JSON object listing which of its keys were XML attributes, in document order.
ATTRIBUTES = "#attributes"
#: Key of a user extension element's JSON object holding its text when it also has attributes or child elements.
TEXT = "#text"
#: Namespaces whose elements are EPCIS's own (unqualified elements are EPCIS's own too).
EPCIS_NAMESPACES = frozenset({EPCIS_1, EPCIS_2, QUERY_1, QUERY_2, MASTERDATA_1, MASTERDATA_2})

#: Prefixes the EPCIS 2.0 JSON-LD context defines.
STANDARD_PREFIXES = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": "https://ref.gs1.org/cbv/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}
_RESERVED = frozenset({"http", "https", "urn", "id", "type", "ni", "mailto", "tag", "xml", "xmlns", "xsi"})


def is_epcis(namespace: str | None) -> bool:
    return namespace is None or namespace in EPCIS_NAMESPACES


@dataclass
class Prefixes:
    """The namespace ↔ prefix table of one document being converted."""

    by_namespace: dict[str, str] = field(default_factory=dict)
    by_prefix: dict[str, str] = field(default_factory=dict)

    def prefix(self, namespace: str, preferred: str | None) -> str:
        """The JSON-LD prefix for ``namespace``, registering it on first use."""
        known = self.by_namespace.get(namespace)
        if known is not None:
            return known
        chosen = next(
            (p for p, ns in STANDARD_PREFIXES.items() if ns == namespace),
            preferred if self._usable(preferred, namespace) else None,
        )
        if chosen is None:
            n = 1
            while f"ns{n}" in self.by_prefix or f"ns{n}" in STANDARD_PREFIXES:
                n += 1
            chosen = f"ns{n}"
        self.by_namespace[namespace] = chosen
        self.by_prefix[chosen] = namespace
        return chosen

    def _usable(self, prefix: str | None, namespace: str) -> bool:
        if not prefix or prefix.lower() in _RESERVED or prefix in self.by_prefix:
            return False
        return STANDARD_PREFIXES.get(prefix, namespace) == namespace

    def context(self) -> list[str | dict[str, str]]:
        """The ``@context`` of the converted document: the EPCIS context and the extension prefixes."""
        extra = {p: ns for p, ns in self.by_prefix.items() if STANDARD_PREFIXES.get(p) != ns}
        return [EPCIS_CONTEXT, extra] if extra else [EPCIS_CONTEXT]
