"""Witnessing, both ways (c2sp.org/tlog-witness): cosigning child logs, and asking witnesses to cosign ours.

As a witness, ``add_checkpoint`` checks a child log's checkpoint against the latest one this node cosigned for
that origin (row locked, so two requests for one log are serialised) and stores the new one in the same
transaction it answers from. As a log, ``prepare_push`` builds the add-checkpoint request for a witness from
the size it last cosigned, and ``record_push`` stores what it answered: cosignature lines are verified, added to
the checkpoint's note (so later proofs carry them) and recorded; a 409 teaches the witness's real size.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.errors import NotFound
from zhuisu.kit.time import utc_now
from zhuisu.ledger import repository, signals
from zhuisu.ledger.checkpoint import Checkpoint, parse_checkpoint
from zhuisu.ledger.cosignature import cosigner_verifier, verify_cosignatures
from zhuisu.ledger.errors import InvalidKey, LedgerError
from zhuisu.ledger.keys import parse_vkey
from zhuisu.ledger.note import append_signatures, parse
from zhuisu.ledger.repository import NodeReader
from zhuisu.ledger.subtrees import consistency_proof_at
from zhuisu.ledger.witness import (
    check_add_checkpoint,
    cosignature_response,
    format_add_checkpoint,
    parse_add_checkpoint,
)
from zhuisu.models import LedgerFollowedLog, LedgerWitnessState, WitnessedLog

Outcome = Literal["cosigned", "conflict", "failed"]


@dataclass(frozen=True)
class Witness:
    """A witness this node pushes to: its cosigner vkey (name = the vkey's) and its add-checkpoint prefix."""

    vkey: str
    url: str

    @property
    def name(self) -> str:
        return parse_vkey(self.vkey).name

    @property
    def endpoint(self) -> str:
        return self.url.rstrip("/") + "/add-checkpoint"

    def checkpoint_url(self, origin: str) -> str:
        """Where the witness serves the latest checkpoint it cosigned of log ``origin`` (a zhuisu witness does)."""
        return self.url.rstrip("/") + "/checkpoint?" + urlencode({"origin": origin})


@dataclass(frozen=True)
class PushRequest:
    checkpoint_id: int
    size: int
    body: str


@dataclass(frozen=True)
class PushResult:
    witness: str
    outcome: Outcome
    detail: str


def parse_witnesses(entries: Sequence[str]) -> list[Witness]:
    """``<vkey> <url>`` entries of ``ledger_witnesses``; raises ``InvalidKey`` on a malformed one."""
    witnesses = []
    for entry in entries:
        vkey, _, url = entry.strip().partition(" ")
        if not url.strip().startswith(("http://", "https://")):
            raise InvalidKey(f"a witness is '<vkey> <http(s) URL>', got {entry[:80]!r}")
        cosigner_verifier(vkey)
        witnesses.append(Witness(vkey, url.strip()))
    return witnesses


def followed_logs(vkeys: Sequence[str]) -> dict[str, list[str]]:
    """The child logs this node witnesses: origin (the vkey's name) → its vkeys."""
    logs: dict[str, list[str]] = {}
    for vkey in vkeys:
        logs.setdefault(parse_vkey(vkey).name, []).append(vkey)
    return logs


def all_followed_logs(session: Session, configured: Sequence[str]) -> dict[str, list[str]]:
    """The configured child logs (``ledger_witnessed_logs``) and those registered at run time (``follow_log``)."""
    stored = session.scalars(select(LedgerFollowedLog.vkey).order_by(LedgerFollowedLog.origin))
    return followed_logs([*configured, *stored])


def follow_log(session: Session, vkey: str) -> str:
    """Witness the child log of ``vkey`` from now on (a key given again for its origin replaces the old one; what
    was cosigned for the origin stays, so the child must extend it). Returns the origin. Raises ``InvalidKey``."""
    origin = parse_vkey(vkey).name
    row = session.get(LedgerFollowedLog, origin)
    if row is None:
        session.add(LedgerFollowedLog(origin=origin, vkey=vkey))
    else:
        row.vkey = vkey
    session.flush()
    return origin


def add_witness(session: Session, vkey: str, url: str) -> Witness:
    """Ask the witness of cosigner ``vkey`` at ``url`` (its add-checkpoint prefix) to cosign this log's
    checkpoints from now on, beside the configured ``ledger_witnesses``. Raises ``InvalidKey``."""
    witness = parse_witnesses([f"{vkey} {url}"])[0]
    state = repository.witness_state(session, witness.name)
    state.vkey, state.url = witness.vkey, witness.url
    return witness


def all_witnesses(session: Session, configured: Sequence[str]) -> list[Witness]:
    """The configured witnesses and those registered at run time (``add_witness``), one per name."""
    witnesses = {w.name: w for w in parse_witnesses(configured)}
    rows = session.execute(
        select(LedgerWitnessState.vkey, LedgerWitnessState.url).where(LedgerWitnessState.vkey.is_not(None))
    )
    for vkey, url in rows:
        if vkey and url:
            witness = Witness(vkey, url)
            witnesses.setdefault(witness.name, witness)
    return list(witnesses.values())


def add_checkpoint(
    session: Session, body: str, *, logs: Mapping[str, Sequence[str]], witness_skey: str, timestamp: int
) -> str:
    """Cosign a child log's checkpoint if it extends the last one cosigned; the response's cosignature lines.

    Raises the ``LedgerError`` whose ``status_code`` is the answer (404 unknown log, 403 bad signature, 400
    malformed, 409 ``WitnessConflict`` with ``known_size``, 422 bad proof); nothing is stored then.
    """
    request = parse_add_checkpoint(body)
    row = repository.lock_witnessed(session, _origin_of(request.checkpoint))
    latest = Checkpoint(row.origin, row.size, bytes(row.root_hash)) if row is not None else None
    checkpoint = check_add_checkpoint(request, logs, latest)
    if row is None:
        session.add(
            WitnessedLog(
                origin=checkpoint.origin, size=checkpoint.size, root_hash=checkpoint.root_hash, note=request.checkpoint
            )
        )
    else:
        row.size, row.root_hash, row.note, row.updated_at = (
            checkpoint.size,
            checkpoint.root_hash,
            request.checkpoint,
            utc_now(),
        )
    session.flush()
    return cosignature_response(checkpoint, [witness_skey], timestamp)


def report_split_view(maker: sessionmaker[Session], body: str, detail: str) -> None:
    """Announce (``signals.split_view``, in a transaction of its own) the add-checkpoint request ``body`` a witness
    refused as a split view, with the checkpoint cosigned before for its log."""
    request = parse_add_checkpoint(body)
    origin = _origin_of(request.checkpoint)
    with unit_of_work(maker) as session:
        row = repository.witnessed(session, origin)
        signals.split_view.send(session, origin, row.note if row is not None else "", request.checkpoint, detail)


def held_checkpoint(session: Session, origin: str, *, witness_skey: str, timestamp: int) -> str:
    """The latest checkpoint this witness cosigned for the child log ``origin``, with its cosignature as of
    ``timestamp`` (it still vouches for it: every later one it was shown extended it). Anyone holding it can check
    that the log still extends it (``zhuisu ledger verify`` against a configured witness). ``NotFound`` if none."""
    row = repository.witnessed(session, origin)
    if row is None:
        raise NotFound(
            f"本见证方没有日志 {origin} 的检查点", message_en=f"this witness holds no checkpoint of log {origin}"
        )
    checkpoint = Checkpoint(row.origin, row.size, bytes(row.root_hash))
    line = cosignature_response(checkpoint, [witness_skey], timestamp)
    mine = parse(row.note + line).signatures[-1:]
    return append_signatures(row.note, mine)


def _origin_of(note: str) -> str:
    try:
        return parse_checkpoint(parse(note).text).origin
    except LedgerError:
        return ""  # check_add_checkpoint reports the malformed checkpoint


@dataclass(frozen=True)
class Cosigned:
    """A witness that cosigned this log: its name (the cosigner key's), the size it last cosigned, and when."""

    witness: str
    size: int
    at: datetime


def cosigned(session: Session) -> list[Cosigned]:
    """The witnesses that have cosigned this log's checkpoints, by name."""
    rows = session.scalars(
        select(LedgerWitnessState)
        .where(LedgerWitnessState.cosigned_at.is_not(None))
        .order_by(LedgerWitnessState.witness)
    )
    return [Cosigned(r.witness, r.known_size, r.cosigned_at) for r in rows if r.cosigned_at is not None]


def prepare_push(session: Session, witness: Witness) -> PushRequest | None:
    """The add-checkpoint request for the latest checkpoint, or None if there is none or it is cosigned."""
    checkpoint = repository.latest_checkpoint(session)
    if checkpoint is None:
        return None
    state = repository.witness_state(session, witness.name)
    if state.known_size == checkpoint.size and verify_cosignatures(checkpoint.note, [witness.vkey]):
        return None
    old = state.known_size if state.known_size <= checkpoint.size else 0
    proof = consistency_proof_at(old, checkpoint.size, NodeReader(session)) if 0 < old < checkpoint.size else []
    return PushRequest(checkpoint.id, checkpoint.size, format_add_checkpoint(old, proof, checkpoint.note))


def record_push(session: Session, witness: Witness, request: PushRequest, status: int, text: str) -> PushResult:
    """Store a witness's answer (HTTP ``status`` and body) to ``request``."""
    state = repository.witness_state(session, witness.name)
    state.attempted_at = utc_now()
    if status == 409 and text.strip().isdigit():
        state.known_size = int(text.strip())
        state.last_error = f"409: the witness has size {state.known_size}"
        return PushResult(witness.name, "conflict", state.last_error)
    if status != 200:
        state.last_error = f"{status}: {text.strip()[:300]}"
        return PushResult(witness.name, "failed", state.last_error)
    checkpoint = repository.checkpoint_by_size(session, request.size)
    if checkpoint is None:
        raise NotFound(f"没有大小为 {request.size} 的检查点", message_en=f"no checkpoint of size {request.size}")
    cosigned = checkpoint.note + text
    try:
        valid = verify_cosignatures(cosigned, [witness.vkey])
        error = "" if valid else "the answer holds no cosignature by the witness's key"
    except LedgerError as exc:
        valid, error = [], f"invalid cosignature: {exc}"
    if error:
        state.last_error = error
        return PushResult(witness.name, "failed", error)
    mine = [s for s in parse(cosigned).signatures if (s.name, s.key_id) == (valid[0].name, valid[0].key_id)]
    checkpoint.note = append_signatures(checkpoint.note, mine[-1:])
    repository.add_cosignature(
        session, checkpoint, witness=witness.name, timestamp=valid[0].timestamp, line=mine[-1].line
    )
    before = state.known_size if state.cosigned_at is not None and state.known_size <= request.size else 0
    state.known_size, state.last_error, state.cosigned_at = request.size, None, utc_now()
    signals.log_cosigned.send(session, witness.name, before, request.size)
    return PushResult(witness.name, "cosigned", f"cosigned size {request.size}")
