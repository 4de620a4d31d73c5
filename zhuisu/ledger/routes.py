"""The ledger over HTTP: checkpoint, tlog-tiles, proof files, consistency proofs, keys, and the witness endpoint.

The read endpoints need no token: leaves commit to events without carrying their data (``zhuisu.ledger.leaf``),
so anyone may audit the log. ``POST /ledger/witness/add-checkpoint`` follows c2sp.org/tlog-witness and only
cosigns logs configured in ``ledger_witnessed_logs`` or registered since (a child node that linked here); a
checkpoint that proves the log showed two histories is reported (``signals.split_view``) before it is refused.
"""

import base64
from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from zhuisu.auth.permissions import OversightParty
from zhuisu.config import Settings
from zhuisu.errors import NotFound
from zhuisu.kit.time import utc_now
from zhuisu.ledger import keystore, service, verifications, witness_service
from zhuisu.ledger.errors import SplitView, WitnessConflict
from zhuisu.ledger.schemas import FindingRead, VerificationRead, VerificationsRead
from zhuisu.ledger.tiles import TILE_WIDTH, parse_tile_path
from zhuisu.ledger.witness import SIZE_CONTENT_TYPE, size_conflict_body
from zhuisu.web.deps import DbSession, SettingsDep

router = APIRouter(prefix="/ledger", tags=["ledger"])
_TEXT = "text/plain; charset=utf-8"
_IMMUTABLE = "public, max-age=31536000, immutable"


@router.get("/checkpoint", response_class=PlainTextResponse, responses={404: {}})
def get_checkpoint(session: DbSession) -> Response:
    """The latest signed checkpoint (C2SP signed note). Reads only: every capture signs the tree it grew, and the
    node's worker signs what other paths wrote and pushes new checkpoints to the configured witnesses."""
    checkpoint = service.latest_checkpoint(session)
    if checkpoint is None:
        raise NotFound("账本尚无已签名的检查点", message_en="the log has no signed checkpoint yet")
    return PlainTextResponse(checkpoint.note, media_type=_TEXT, headers={"Cache-Control": "no-cache"})


@router.get("/key", response_class=PlainTextResponse)
def get_key(settings: SettingsDep) -> Response:
    """The log's verifier key (vkey): what check-proof and witnesses need to verify its checkpoints."""
    return PlainTextResponse(keystore.log_key(settings).vkey + "\n", media_type=_TEXT)


@router.get("/witness/key", response_class=PlainTextResponse)
def get_witness_key(settings: SettingsDep) -> Response:
    """This node's cosigner vkey (Ed25519 cosignature/v1), for the logs it witnesses."""
    return PlainTextResponse(keystore.witness_key(settings).vkey + "\n", media_type=_TEXT)


@router.get("/tile/{path:path}", responses={404: {}})
def get_tile(path: str, session: DbSession) -> Response:
    """A tlog-tiles tile (``tile/<L>/<N>[.p/<W>]``) or entry bundle (``tile/entries/<N>[.p/<W>]``)."""
    data = service.read_tile(session, f"tile/{path}")
    full = parse_tile_path(f"tile/{path}").width == TILE_WIDTH
    return Response(
        data, media_type="application/octet-stream", headers={"Cache-Control": _IMMUTABLE if full else "no-cache"}
    )


@router.get("/proof/{event_id:path}", response_class=PlainTextResponse, responses={404: {}, 409: {}})
def get_proof(event_id: str, session: DbSession) -> Response:
    """The ``c2sp.org/tlog-proof@v1`` file of an event (by eventID or CBV event hash), checkable offline with
    ``zhuisu ledger check-proof``."""
    return PlainTextResponse(service.prove(session, event_id), media_type=_TEXT)


@router.get("/consistency", responses={422: {}})
def get_consistency(
    session: DbSession,
    old: int = Query(..., ge=0, description="The older tree size."),
    new: int = Query(..., ge=0, description="The newer tree size."),
) -> dict[str, Any]:
    """An RFC 9162 consistency proof between two sizes of the log, with both roots (base64)."""
    proof = service.consistency(session, old, new)
    return {
        "oldSize": proof.old_size,
        "newSize": proof.new_size,
        "oldRoot": _b64(proof.old_root),
        "newRoot": _b64(proof.new_root),
        "proof": [_b64(h) for h in proof.proof],
    }


@router.post(
    "/witness/add-checkpoint", response_class=PlainTextResponse, responses={400: {}, 403: {}, 404: {}, 409: {}, 422: {}}
)
async def add_checkpoint(request: Request, session: DbSession, settings: SettingsDep) -> Response:
    """C2SP tlog-witness: cosign a configured child log's checkpoint if it extends the last one cosigned.

    409 answers with the size this witness knows (``text/x.tlog.size``)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        lines = await run_in_threadpool(_cosign, session, settings, body)
    except SplitView as exc:
        # The refusal rolls this request back; the evidence is kept in a transaction of its own.
        await run_in_threadpool(witness_service.report_split_view, request.app.state.sessionmaker, body, str(exc))
        if isinstance(exc, WitnessConflict):
            return PlainTextResponse(size_conflict_body(exc.known_size), status_code=409, media_type=SIZE_CONTENT_TYPE)
        raise
    except WitnessConflict as exc:
        return PlainTextResponse(size_conflict_body(exc.known_size), status_code=409, media_type=SIZE_CONTENT_TYPE)
    return PlainTextResponse(lines, media_type=_TEXT)


@router.get("/witness/checkpoint", response_class=PlainTextResponse, responses={404: {}})
def get_witnessed_checkpoint(
    session: DbSession, settings: SettingsDep, origin: str = Query(..., description="The child log's origin.")
) -> Response:
    """This node as a witness: the latest checkpoint of a child log it cosigned, with its cosignature now (a
    signed note). The log's readers verify the log still extends it (``zhuisu ledger verify --witness``)."""
    note = witness_service.held_checkpoint(
        session, origin, witness_skey=keystore.witness_key(settings).skey, timestamp=int(utc_now().timestamp())
    )
    return PlainTextResponse(note, media_type=_TEXT)


@router.get("/verifications", response_model=VerificationsRead, responses={401: {}, 403: {}, 404: {}})
def get_verifications(
    party: OversightParty,
    session: DbSession,
    run: int | None = Query(None, description="Whose findings to list (default: the latest run)."),
    limit: int = Query(20, ge=1, le=200, description="How many runs to list, newest first."),
) -> VerificationsRead:
    """The latest verifications of the store against the log (``zhuisu ledger verify`` and the background
    verifier), and what one of them found, in the reader's lane: the admin all, a regulator the findings about
    parties it supervises and those of no party. The desk's 记录校验 page shows the same."""
    runs = verifications.list_runs(session, limit=limit)
    chosen = run if run is not None else (runs[0].id if runs else None)
    if run is not None and verifications.get_run(session, run) is None:
        raise NotFound(f"没有编号为 {run} 的校验", message_en=f"no verification {run}")
    found = verifications.list_findings(session, reader=party, verification_id=chosen) if chosen else []
    return VerificationsRead(
        runs=[VerificationRead.model_validate(r) for r in runs],
        run=chosen,
        findings=[FindingRead.model_validate(f) for f in found],
    )


def _cosign(session: Session, settings: Settings, body: str) -> str:
    return witness_service.add_checkpoint(
        session,
        body,
        logs=witness_service.all_followed_logs(session, settings.ledger_witnessed_logs),
        witness_skey=keystore.witness_key(settings).skey,
        timestamp=int(utc_now().timestamp()),
    )


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode("ascii")
