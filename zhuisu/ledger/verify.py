"""Replay the stored events against the log (``zhuisu ledger verify``): what changed behind the service's back.

Every leaf is rebuilt from its event row (CBV hash and body digest recomputed from the stored JSON, record time,
recorder) and compared with the logged leaf; what queries, trace and the product page read beside the body — the
row's indexed columns (type, eventTime, bizStep, disposition, readPoint, bizLocation …) and its ``event_epcs``
index rows — is derived again from the body (``epcis.indexed``) and compared too. Every leaf hash is refolded into
the tree, and each stored subtree hash, the head and every signed checkpoint (signature included) are checked
against the refolded tree. Events are reported by eventID: ``changed`` (the row or its index no longer matches its
leaf), ``deleted`` (a leaf whose row is gone) and ``inserted`` (a row with no leaf). Problems of the log itself are
reported as ``tree``.
"""

import hmac
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Row
from sqlalchemy.orm import Session

from zhuisu.epcis.indexed import FIELDS, Indexed, indexed_codes, indexed_fields
from zhuisu.ledger import repository, signals
from zhuisu.ledger.checkpoint import Checkpoint, open_checkpoint
from zhuisu.ledger.errors import LedgerError
from zhuisu.ledger.keys import Verifier
from zhuisu.ledger.leaf import Leaf, leaf_for_event, parse_leaf
from zhuisu.ledger.merkle import EMPTY_ROOT, leaf_hash, verify_consistency, verify_inclusion
from zhuisu.ledger.repository import NodeReader, code_key
from zhuisu.ledger.subtrees import CompactRange, NodeKey, consistency_proof_at, inclusion_proof_at, root_at
from zhuisu.models import LedgerCheckpoint

Kind = Literal["changed", "deleted", "inserted", "derived", "tree"]
_MAX_TREE_FINDINGS = 20


@dataclass(frozen=True)
class Finding:
    kind: Kind
    event_id: str | None
    detail: str


@dataclass
class VerifyReport:
    """The outcome of a replay; ``ok`` when nothing was found."""

    leaves: int = 0
    checkpoints: int = 0
    latest_checkpoint: int | None = None
    #: Events whose rows (and derived rows) were checked: every leaf's in a full replay, the sample's else.
    checked: int = 0
    #: Checkpoints held elsewhere that the log was shown to extend (or not: then a ``tree`` finding).
    external: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def event_ids(self, kind: Kind) -> list[str]:
        return [f.event_id for f in self.findings if f.kind == kind and f.event_id is not None]


def verify_store(
    session: Session,
    *,
    log_keys: Sequence[str | Verifier],
    origin: str,
    chunk: int = 2000,
    external: Sequence[str] = (),
) -> VerifyReport:
    """Replay the whole store (reads only). See the module docstring. ``external``: checkpoint notes held outside
    the store (by a witness, a regulator, a consumer); the store must extend each, so a log rewritten whole — its
    stored checkpoints replaced by new ones — is found by anyone holding an older checkpoint."""
    report = VerifyReport()
    derived = signals.DerivedCheck(origin=origin, vkey=next((k for k in log_keys if isinstance(k, str)), ""))
    signed = {cp.size: cp for cp in repository.checkpoints(session)}
    held = [_external(note, log_keys, origin, report) for note in external]
    wanted = set(signed) | {cp.size for cp in held if cp is not None}
    roots: dict[int, bytes] = {0: EMPTY_ROOT}
    tree = CompactRange()
    for leaves in repository.iter_leaves(session, chunk):
        pks = [leaf.event_pk for leaf in leaves]
        events = repository.event_rows_by_pk(session, pks)
        codes = repository.event_codes_by_pk(session, pks)
        contexts = repository.contexts(session, {e.context_id for e in events.values() if e.context_id})
        completed: list[tuple[NodeKey, bytes]] = []
        passed: dict[str, tuple[int, signals.VerifiedEvent]] = {}
        for leaf in leaves:
            if leaf.idx != tree.size:
                _tree(report, f"leaf index {tree.size} is missing (next stored leaf is {leaf.idx})")
                return report
            completed.extend(tree.append(leaf_hash(bytes(leaf.leaf))))
            if tree.size in wanted:
                roots[tree.size] = tree.root()
            _check_row(leaf, events.get(leaf.event_pk), contexts, codes, derived, passed, report)
        _check_nodes(session, completed, report)
        _check_derived(session, derived, passed, report)
    report.leaves = report.checked = tree.size
    report.external = len(external)
    _check_unlogged(session, derived, report)
    _check_head(session, tree, report)
    signals.replay_finished.send(session, derived)
    _collect(derived, {}, report)
    for checkpoint in signed.values():
        _check_checkpoint(checkpoint, roots, log_keys, origin, report)
    for body in held:
        if body is None:
            continue
        root = roots.get(body.size)
        if root is None:
            _tree(report, f"external checkpoint {body.size}: the log holds only {report.leaves} leaves (truncated)")
        elif not hmac.compare_digest(root, body.root_hash):
            _tree(report, f"external checkpoint {body.size}: the stored leaves give another root (history rewritten)")
    report.checkpoints = len(signed)
    report.latest_checkpoint = max(signed) if signed else None
    return report


def verify_sample(
    session: Session,
    *,
    log_keys: Sequence[str | Verifier],
    origin: str,
    rate: float,
    external: Sequence[str] = (),
    rng: random.Random | None = None,
) -> VerifyReport:
    """A sampled replay, cheap enough to run on a schedule (reads only): the latest signed checkpoint's signature;
    a random ``rate`` of its leaves (at least one), each proved into it from the stored subtree hashes and its event
    row, index rows and derived rows checked as in ``verify_store``; the log head proved to extend the checkpoint,
    and each ``external`` checkpoint proved to be extended by it (consistency proofs from the stored hashes); rows
    inserted without a leaf. A change the sample misses is found by a later round or a full ``verify_store``."""
    report = VerifyReport()
    derived = signals.DerivedCheck(
        origin=origin, vkey=next((k for k in log_keys if isinstance(k, str)), ""), sample_rate=rate
    )
    latest = repository.latest_checkpoint(session)
    if latest is None:
        return report
    report.checkpoints = 1
    report.latest_checkpoint = report.leaves = latest.size
    try:
        signed, _ = open_checkpoint(latest.note, log_keys, origin=origin)
    except LedgerError as exc:
        _tree(report, f"checkpoint {latest.size}: signature does not verify: {exc}")
        return report
    if signed.size != latest.size or signed.root_hash != bytes(latest.root_hash):
        _tree(report, f"checkpoint {latest.size}: its row does not match its signed note")
        return report
    reader = NodeReader(session)
    wanted = max(1, min(signed.size, round(signed.size * rate)))
    picked = sorted((rng or random.SystemRandom()).sample(range(signed.size), wanted)) if signed.size else []
    for start in range(0, len(picked), 500):
        _check_sampled(session, picked[start : start + 500], signed, reader, derived, report)
    report.checked = len(picked)
    _check_extends_head(session, signed, reader, report)
    for note in external:
        body = _external(note, log_keys, origin, report)
        if body is not None:
            _check_extends(body, signed, reader, report)
    report.external = len(external)
    _check_unlogged(session, derived, report)
    signals.replay_finished.send(session, derived)
    _collect(derived, {}, report)
    return report


def _check_sampled(
    session: Session,
    indexes: Sequence[int],
    signed: Checkpoint,
    reader: NodeReader,
    derived: signals.DerivedCheck,
    report: VerifyReport,
) -> None:
    leaves = {row.idx: row for row in repository.leaves_at(session, indexes)}
    pks = [row.event_pk for row in leaves.values()]
    events = repository.event_rows_by_pk(session, pks)
    codes = repository.event_codes_by_pk(session, pks)
    contexts = repository.contexts(session, {e.context_id for e in events.values() if e.context_id})
    passed: dict[str, tuple[int, signals.VerifiedEvent]] = {}
    for idx in indexes:
        leaf = leaves.get(idx)
        if leaf is None:
            _tree(report, f"leaf index {idx} is missing")
            continue
        try:
            proof = inclusion_proof_at(idx, signed.size, reader)
            verify_inclusion(idx, signed.size, leaf_hash(bytes(leaf.leaf)), proof, signed.root_hash)
        except LedgerError as exc:
            _tree(report, f"leaf {idx} is not in signed checkpoint {signed.size}: {exc}")
        _check_row(leaf, events.get(leaf.event_pk), contexts, codes, derived, passed, report)
    _check_derived(session, derived, passed, report)


def _check_extends_head(session: Session, signed: Checkpoint, reader: NodeReader, report: VerifyReport) -> None:
    """The log head (the tree new captures append to) extends the signed checkpoint."""
    head = repository.read_head(session)
    if head.size < signed.size:
        _tree(report, f"the log head (size {head.size}) is smaller than signed checkpoint {signed.size}")
        return
    try:
        root = root_at(head.size, reader)
        verify_consistency(
            signed.size, head.size, signed.root_hash, root, consistency_proof_at(signed.size, head.size, reader)
        )
    except LedgerError as exc:
        _tree(report, f"the log head (size {head.size}) does not extend signed checkpoint {signed.size}: {exc}")


def _check_extends(held: Checkpoint, signed: Checkpoint, reader: NodeReader, report: VerifyReport) -> None:
    """The signed checkpoint extends a checkpoint held elsewhere (from the stored hashes)."""
    if held.size > signed.size:
        _tree(report, f"external checkpoint {held.size}: the log's latest checkpoint is {signed.size} (truncated)")
        return
    try:
        proof = consistency_proof_at(held.size, signed.size, reader) if held.size else []
        if held.size:
            verify_consistency(held.size, signed.size, held.root_hash, signed.root_hash, proof)
    except LedgerError as exc:
        _tree(report, f"external checkpoint {held.size}: the log does not extend it (history rewritten): {exc}")


def check_event(
    leaf: Row[Any], event: Row[Any] | None, contexts: dict[int, Any], codes: list[Indexed] | None = None
) -> Finding | None:
    """Whether the event row (and, when given, its index rows ``codes``) still matches its leaf (None if it does)."""
    if event is None:
        return Finding("deleted", leaf.event_id, f"leaf {leaf.idx}: event row {leaf.event_pk} is gone")
    try:
        logged = parse_leaf(bytes(leaf.leaf))
    except LedgerError as exc:
        return Finding("tree", leaf.event_id, f"leaf {leaf.idx} is malformed: {exc}")
    context = contexts.get(event.context_id) if event.context_id else None
    try:
        salt = bytes(leaf.salt) if leaf.salt is not None else None
        rebuilt = leaf_for_event(
            event.body, context, record_time=event.record_time, recorder=event.recorder_id, salt=salt
        )
    except (ValueError, TypeError, KeyError, LedgerError) as exc:
        return Finding("changed", leaf.event_id, f"leaf {leaf.idx}: the stored event cannot be hashed: {exc}")
    differences = _differences(leaf, event, logged, rebuilt)
    if not differences:
        differences = _derived_differences(event, codes)
    if differences:
        return Finding("changed", leaf.event_id, f"leaf {leaf.idx}: {', '.join(differences)} changed")
    return None


def _differences(leaf: Row[Any], event: Row[Any], logged: Leaf, rebuilt: Leaf) -> list[str]:
    checks = (
        ("eventID", event.event_id == leaf.event_id),
        ("event hash column", event.event_hash == logged.event_hash),
        ("content (CBV event hash)", rebuilt.event_hash == logged.event_hash),
        ("body", rebuilt.body == logged.body),
        ("recordTime", rebuilt.record_time == logged.record_time),
        ("recorder", rebuilt.recorder == logged.recorder and rebuilt.version == logged.version),
    )
    return [name for name, same in checks if not same]


def _derived_differences(event: Row[Any], codes: list[Indexed] | None) -> list[str]:
    """The indexed columns and index rows that no longer say what the (verified) body says."""
    try:
        derived = indexed_fields(event.body)
    except (ValueError, TypeError, KeyError) as exc:
        return [f"indexed columns (the body cannot be read: {exc})"]
    changed = [name for name in FIELDS if hasattr(event, name) and getattr(event, name) != derived[name]]
    if codes is not None:
        expected = sorted(indexed_codes(event.body), key=code_key)
        stored = [(role, value, None if q is None else float(q), uom) for role, value, q, uom in codes]
        if stored != [(role, value, None if q is None else float(q), uom) for role, value, q, uom in expected]:
            changed.append("event_epcs")
    return changed


def _check_unlogged(session: Session, derived: signals.DerivedCheck, report: VerifyReport) -> None:
    for pk, event_id in repository.unlogged_events(session):
        report.findings.append(Finding("inserted", event_id, "stored event has no leaf in the ledger"))
        derived.failed.append(pk)


def _check_row(
    leaf: Row[Any],
    event: Row[Any] | None,
    contexts: dict[int, Any],
    codes: dict[int, list[Indexed]],
    derived: signals.DerivedCheck,
    passed: dict[str, tuple[int, signals.VerifiedEvent]],
    report: VerifyReport,
) -> None:
    """One leaf's event row against it: a finding, or the event handed on for its derived rows."""
    finding = check_event(leaf, event, contexts, codes.get(leaf.event_pk, []))
    if finding is not None:
        report.findings.append(finding)
        derived.failed.append(leaf.event_pk)
    elif event is not None:
        passed[event.event_id] = (leaf.idx, signals.VerifiedEvent(event.id, event.event_id, event.body))


def _check_derived(
    session: Session,
    derived: signals.DerivedCheck,
    passed: dict[str, tuple[int, signals.VerifiedEvent]],
    report: VerifyReport,
) -> None:
    """The rows other domains derive from a batch of events whose rows match their leaves."""
    if passed:
        derived.events = [event for _, event in passed.values()]
        signals.events_verified.send(session, derived)
        derived.events = ()
    _collect(derived, {event_id: idx for event_id, (idx, _) in passed.items()}, report)


def _collect(derived: signals.DerivedCheck, leaves: dict[str, int], report: VerifyReport) -> None:
    """The readers' findings as the report's: per event (merged, with the event's leaf), else ``derived``."""
    details: dict[str, list[str]] = {}
    for event_id, detail in derived.found:
        if event_id is None:
            report.findings.append(Finding("derived", None, detail))
        else:
            details.setdefault(event_id, []).append(detail)
    derived.found.clear()
    for event_id, found in details.items():
        where = f"leaf {leaves[event_id]}" if event_id in leaves else "event"
        report.findings.append(Finding("changed", event_id, f"{where}: {', '.join(found)} changed"))


def _tree(report: VerifyReport, detail: str) -> None:
    if sum(1 for f in report.findings if f.kind == "tree") < _MAX_TREE_FINDINGS:
        report.findings.append(Finding("tree", None, detail))


def _check_nodes(session: Session, completed: list[tuple[NodeKey, bytes]], report: VerifyReport) -> None:
    stored = NodeReader(session).read_many([key for key, _ in completed])
    for key, h in completed:
        if not hmac.compare_digest(stored.get(key, b""), h):
            _tree(report, f"stored hash of node (level {key[0]}, index {key[1]}) is wrong or missing")


def _check_head(session: Session, tree: CompactRange, report: VerifyReport) -> None:
    head = repository.read_head(session)
    if head.size != tree.size or head.compact != tree.hashes:
        _tree(report, f"the log head (size {head.size}) does not match the {tree.size} stored leaves")


def _external(note: str, log_keys: Sequence[str | Verifier], origin: str, report: VerifyReport) -> Checkpoint | None:
    try:
        body, _ = open_checkpoint(note, log_keys, origin=origin)
    except LedgerError as exc:
        _tree(report, f"an external checkpoint does not verify with the log's key: {exc}")
        return None
    return body


def _check_checkpoint(
    checkpoint: LedgerCheckpoint,
    roots: dict[int, bytes],
    log_keys: Sequence[str | Verifier],
    origin: str,
    report: VerifyReport,
) -> None:
    try:
        body, _ = open_checkpoint(checkpoint.note, log_keys, origin=origin)
    except LedgerError as exc:
        _tree(report, f"checkpoint {checkpoint.size}: signature does not verify: {exc}")
        return
    if body.size != checkpoint.size or body.root_hash != bytes(checkpoint.root_hash):
        _tree(report, f"checkpoint {checkpoint.size}: its row does not match its signed note")
    root = roots.get(body.size)
    if root is None:
        _tree(report, f"checkpoint {body.size} is beyond the {report.leaves} stored leaves")
    elif not hmac.compare_digest(root, body.root_hash):
        _tree(report, f"checkpoint {body.size}: the stored leaves give another root (history rewritten)")
