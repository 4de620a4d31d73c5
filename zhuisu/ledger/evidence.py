"""Offline checking of an event's proof file: no server, no database, only the event, the proof and a vkey.

The event is read as ``GET /events/{eventID}`` serves it (an EPCISQueryDocument holding one event; an
EPCISDocument with one event, or a bare event, work too). Its CBV 2.0 event hash and body digest are recomputed
here and its ``recordTime`` taken from it; only the recorder line comes from the proof file's ``extra`` line (the
leaf bytes) — a v2 leaf's recorder commitment as it is, opened only by the node — which is safe because the rebuilt
leaf must then be in the log-signed tree. So one changed byte of the event's data fails the check.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from zhuisu.ledger.errors import InvalidProof, LedgerError
from zhuisu.ledger.keys import Verifier
from zhuisu.ledger.leaf import Leaf, leaf_for_event, parse_leaf
from zhuisu.ledger.proof_file import VerifiedProof, parse_proof, verify_proof


class UnusableEvent(LedgerError):
    """The event file does not hold exactly one event that can be hashed."""

    code = "unusable_event"
    status_code = 422
    default_zh = "事件文件无法使用"


@dataclass(frozen=True)
class CheckedProof:
    """A proof that checked out: the rebuilt leaf and what the verified proof file establishes."""

    leaf: Leaf
    proof: VerifiedProof


def single_event(document: Any) -> tuple[Mapping[str, Any], Any]:
    """The one event of a query document, a capture document or a bare event, with the document's context."""
    if not isinstance(document, Mapping):
        raise UnusableEvent("the event file is not a JSON object")
    body = document.get("epcisBody")
    if not isinstance(body, Mapping):
        return document, None
    results = body.get("queryResults")
    holder = results.get("resultsBody") if isinstance(results, Mapping) else body
    events = holder.get("eventList") if isinstance(holder, Mapping) else None
    if not isinstance(events, list) or len(events) != 1 or not isinstance(events[0], Mapping):
        count = len(events) if isinstance(events, list) else 0
        raise UnusableEvent(f"the document holds {count} events; give a file with exactly one")
    return events[0], document.get("@context")


def check_event_proof(
    proof_text: str,
    document: Any,
    log_keys: Sequence[str | Verifier],
    *,
    cosigners: Sequence[str | Verifier] = (),
    quorum: int = 0,
) -> CheckedProof:
    """Rebuild the event's leaf and verify the proof file against the log's key(s) and witness policy.

    Raises a ``LedgerError``: ``UnusableEvent``, ``MalformedProofFile``, ``InvalidSignature``,
    ``InsufficientCosignatures`` or ``InvalidProof`` (the event is not the one the log holds).
    """
    parsed = parse_proof(proof_text)
    if parsed.extra is None:
        raise InvalidProof("the proof file has no extra line with the leaf bytes")
    logged = parse_leaf(parsed.extra)
    event, context = single_event(document)
    record_time = event.get("recordTime", logged.record_time)
    try:
        rebuilt = leaf_for_event(event, context, record_time=str(record_time), recorder=logged.recorder)
        leaf = replace(rebuilt, version=logged.version)  # the logged recorder line, in clear (v1) or committed (v2)
    except (ValueError, TypeError, KeyError) as exc:
        raise UnusableEvent(f"the event cannot be hashed: {exc}") from exc
    verified = verify_proof(proof_text, leaf.hash(), log_keys, cosigners=cosigners, quorum=quorum)
    return CheckedProof(leaf, verified)
