"""Push this node's latest checkpoint to its configured witnesses (the log side of c2sp.org/tlog-witness), and
fetch back what each holds of it, to verify the store against (``held_checkpoints``).

Each witness is handled in short transactions around the HTTP call, never holding a database transaction open while
waiting on the network. A witness that is down is recorded (``ledger_witness_states.last_error``) and tried again at the
next push (the node worker's round, ``zhuisu ledger push`` or ``zhuisu ledger checkpoint``); a 409 answer teaches the
size the witness really has, and the push is retried once from there.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.ledger import witness_service
from zhuisu.ledger.cosignature import verify_cosignatures
from zhuisu.ledger.errors import LedgerError
from zhuisu.ledger.witness_service import PushResult, Witness

#: ``(url, body) -> (HTTP status, response text)``; raises ``httpx.HTTPError`` when the witness is unreachable.
Post = Callable[[str, str], tuple[int, str]]
#: ``url -> (HTTP status, response text)``; raises ``httpx.HTTPError`` when the witness is unreachable.
Get = Callable[[str], tuple[int, str]]


@dataclass(frozen=True)
class Held:
    """What a witness answered for this log: the checkpoint note it cosigned (None if it has none, is down, or its
    answer does not carry its valid cosignature) and why."""

    witness: str
    note: str | None
    detail: str


def httpx_post(timeout: float) -> Post:
    """A ``Post`` over HTTP with ``timeout`` seconds per request."""

    def post(url: str, body: str) -> tuple[int, str]:
        response = httpx.post(
            url, content=body.encode("utf-8"), timeout=timeout, headers={"Content-Type": "text/plain; charset=utf-8"}
        )
        return response.status_code, response.text

    return post


def httpx_get(timeout: float) -> Get:
    """A ``Get`` over HTTP with ``timeout`` seconds per request."""

    def get(url: str) -> tuple[int, str]:
        response = httpx.get(url, timeout=timeout)
        return response.status_code, response.text

    return get


def held_checkpoints(witnesses: Sequence[Witness], origin: str, get: Get) -> list[Held]:
    """The latest checkpoint of log ``origin`` each witness cosigned, checked to carry the witness's cosignature
    (the log's own signature is checked by whoever uses it: ``ledger.verify``)."""
    found = []
    for witness in witnesses:
        try:
            status, text = get(witness.checkpoint_url(origin))
        except httpx.HTTPError as exc:
            found.append(Held(witness.name, None, f"unreachable: {exc}"))
            continue
        if status != 200:
            found.append(Held(witness.name, None, f"{status}: {text.strip()[:200]}"))
            continue
        try:
            cosigned = verify_cosignatures(text, [witness.vkey])
        except LedgerError as exc:
            cosigned, text = [], f"invalid cosignature: {exc}"
        if cosigned:
            found.append(Held(witness.name, text, "cosigned"))
        else:
            found.append(Held(witness.name, None, "the answer carries no valid cosignature by the witness"))
    return found


def push(maker: sessionmaker[Session], witnesses: Sequence[Witness], post: Post) -> list[PushResult]:
    """Ask every witness to cosign the latest checkpoint; one result per witness."""
    return [_push_one(maker, witness, post) for witness in witnesses]


def _push_one(maker: sessionmaker[Session], witness: Witness, post: Post) -> PushResult:
    result = PushResult(witness.name, "cosigned", "up to date")
    for _attempt in range(2):
        with unit_of_work(maker) as session:
            request = witness_service.prepare_push(session, witness)
        if request is None:
            return result
        try:
            status, text = post(witness.endpoint, request.body)
        except httpx.HTTPError as exc:
            status, text = 0, f"unreachable: {exc}"
        with unit_of_work(maker) as session:
            result = witness_service.record_push(session, witness, request, status, text)
        if result.outcome != "conflict":
            return result
    return result
