"""The leaf bytes of zhuisu's log: a commitment to one stored event that carries no business data.

A leaf is UTF-8 text of five lines, each ending in ``\\n``; version 2 (written since migration 0021)::

    zhuisu-leaf/v2
    event-hash ni:///sha-256;<hex>?ver=CBV2.0      the GS1 CBV 2.0 Event Hash ID (what the event means)
    body sha-256:<hex>                             SHA-256 of the event's canonical JSON (every byte it carries)
    record-time 2026-03-01T00:00:00.000Z           when this node stored it (RFC 3339 UTC, milliseconds)
    recorder-commitment sha-256:<hex>              who captured it, hidden: SHA-256 of the recorder and a salt

The tiles are public, so a leaf must not tell who recorded an event, nor — by counting — how many events each party
records (商业秘密). The recorder commitment is ``SHA-256("zhuisu-recorder/v2\\n" + party id + "\\n" + salt hex)``
with 16 random bytes of salt per leaf, kept by the node (``ledger_leaves.salt``): ``zhuisu ledger verify`` opens it
and checks the recorder; without the salt the commitment tells nothing. Version 1 leaves (logged before) carry
``recorder <party id>`` in the clear and stay as they are: a log is append-only.

The body digest covers what the CBV hash leaves out on purpose (eventID, comments, error declarations, the exact
values), so changing any value of the event, as returned by ``GET /events/{eventID}``, changes the leaf. The
canonical JSON drops ``recordTime`` and ``@context`` (the node adds or merges them when it serves the event),
sorts keys, has no whitespace, and writes numbers as their nearest double does (``1.50`` → ``1.5``, ``2.0`` →
``2``), so it survives a JSON or JSONB round trip through either database. The record time has the
milliseconds the query interface shows, so anyone holding the served event can rebuild the leaf.

>>> leaf = Leaf("ni:///sha-256;00?ver=CBV2.0", "0" * 64, "2026-03-01T00:00:00.000Z", "p1", version=1)
>>> parse_leaf(leaf.data()) == leaf
True
>>> hidden = Leaf(leaf.event_hash, leaf.body, leaf.record_time, commit_recorder("p1", bytes(16)))
>>> hidden.recorder
'sha-256:73e0d33002fbd2a71f300bcab5f2ea59f608cb4c9f64565c039fd752fc63035c'
>>> parse_leaf(hidden.data()) == hidden
True
>>> canonical_json({"b": [1.50, 2.0, True, None], "a": "追溯", "recordTime": "x"})
'{"a":"追溯","b":[1.5,2,true,null]}'
"""

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from zhuisu.epcis import hashing
from zhuisu.kit.time import format_iso, parse_iso
from zhuisu.ledger.errors import LedgerError
from zhuisu.ledger.merkle import leaf_hash

VERSIONS = {1: "zhuisu-leaf/v1", 2: "zhuisu-leaf/v2"}
_RECORDER_LABEL = {1: "recorder", 2: "recorder-commitment"}
SALT_BYTES = 16
_OMITTED = frozenset({"recordTime", "@context"})
_EXACT_INT = 1 << 53
_DIGEST_RE = re.compile(r"sha-256:[0-9a-f]{64}")


class MalformedLeaf(LedgerError):
    """Bytes that are not a zhuisu leaf."""

    code = "malformed_leaf"
    status_code = 422
    default_zh = "账本叶子格式错误"


@dataclass(frozen=True)
class Leaf:
    """The fields of a leaf; ``body`` is the hex SHA-256 of the event's canonical JSON; ``recorder`` the recorder's
    party id (version 1) or its commitment ``sha-256:<hex>`` (version 2, ``commit_recorder``)."""

    event_hash: str
    body: str
    record_time: str
    recorder: str
    version: int = 2

    def data(self) -> bytes:
        """The leaf bytes (what RFC 9162 hashes with the 0x00 prefix)."""
        for value in (self.event_hash, self.body, self.record_time, self.recorder):
            if not value or any(c in value for c in "\n\r "):
                raise MalformedLeaf(f"leaf field {value!r} is empty or contains a space or newline")
        if self.version not in VERSIONS:
            raise MalformedLeaf(f"no leaf version {self.version}")
        if self.version == 2 and not _DIGEST_RE.fullmatch(self.recorder):
            raise MalformedLeaf("a v2 leaf's recorder is a commitment, sha-256:<64 hex digits>")
        lines = [
            VERSIONS[self.version],
            f"event-hash {self.event_hash}",
            f"body sha-256:{self.body}",
            f"record-time {self.record_time}",
            f"{_RECORDER_LABEL[self.version]} {self.recorder}",
        ]
        return "".join(line + "\n" for line in lines).encode("utf-8")

    def hash(self) -> bytes:
        return leaf_hash(self.data())


def parse_leaf(data: bytes) -> Leaf:
    """The fields of leaf bytes (either version); raises ``MalformedLeaf``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedLeaf("a leaf is UTF-8 text") from exc
    lines = text.split("\n")
    version = next((v for v, name in VERSIONS.items() if lines[0] == name), None)
    if len(lines) != 6 or version is None or lines[-1] != "":
        raise MalformedLeaf(f"not a zhuisu leaf ({', '.join(VERSIONS.values())})")
    labels = ("event-hash", "body", "record-time", _RECORDER_LABEL[version])
    values = []
    for label, line in zip(labels, lines[1:5], strict=True):
        name, _, value = line.partition(" ")
        if name != label:
            raise MalformedLeaf(f"expected the {label} line, got {line[:40]!r}")
        values.append(value)
    if not _DIGEST_RE.fullmatch(values[1]):
        raise MalformedLeaf("the body line must be sha-256:<64 hex digits>")
    leaf = Leaf(values[0], values[1].removeprefix("sha-256:"), values[2], values[3], version=version)
    if leaf.data() != data:
        raise MalformedLeaf("leaf bytes are not canonical")
    return leaf


def record_time_text(value: datetime | str) -> str:
    """A record time as the leaf writes it (also accepts the ``recordTime`` string of a served event)."""
    return format_iso(parse_iso(value) if isinstance(value, str) else value)


def body_digest(event: Mapping[str, Any]) -> str:
    """The hex SHA-256 of the event's canonical JSON (see the module docstring)."""
    return hashlib.sha256(canonical_json(event).encode("utf-8")).hexdigest()


def canonical_json(event: Mapping[str, Any]) -> str:
    """The event's canonical JSON, without ``recordTime`` and ``@context``."""
    body = {k: _normalise(v) for k, v in event.items() if k not in _OMITTED}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _normalise(value: Any) -> Any:
    # One pass in Python that only rewrites numbers; json.dumps (in C) does the rest.
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    if isinstance(value, int | float):
        return _number(value)
    raise MalformedLeaf(f"a {type(value).__name__} is not a JSON value")


def _number(value: int | float) -> int | float:
    # JSONB stores numbers as decimals, so 1e20 may come back as the integer 100000000000000000000: both
    # become their nearest double, and integral doubles below 2**53 are written without a fraction.
    if isinstance(value, int) and abs(value) < _EXACT_INT:
        return value
    number = float(value)
    if number.is_integer() and abs(number) < _EXACT_INT:
        return int(number)
    return number


def commit_recorder(recorder: str, salt: bytes) -> str:
    """The v2 commitment to ``recorder`` with ``salt``: ``sha-256:<hex>`` (see the module docstring)."""
    opened = f"zhuisu-recorder/v2\n{recorder}\n{salt.hex()}".encode()
    return "sha-256:" + hashlib.sha256(opened).hexdigest()


def leaf_for_event(
    event: Mapping[str, Any],
    context: hashing.Context,
    *,
    record_time: datetime | str,
    recorder: str,
    salt: bytes | None = None,
) -> Leaf:
    """The leaf of an event as captured (or as served, which only adds ``recordTime`` and ``@context``): version 2
    with the recorder committed to under ``salt``; version 1 (the recorder in the clear) without a salt."""
    digest, when = body_digest(event), record_time_text(record_time)
    if salt is None:
        return Leaf(hashing.event_hash(event, context), digest, when, recorder, version=1)
    return Leaf(hashing.event_hash(event, context), digest, when, commit_recorder(recorder, salt))
