"""The ledger's share of the node's background rounds: sign the log where a writer did not, ask the configured
witnesses to cosign the latest checkpoint (c2sp.org/tlog-witness), and verify a sample of the store against the log
on a schedule (``ledger_verify_interval_seconds``; the findings go to the desk).

Every capture through the app or the command line signs its own checkpoint (``service.append_events``); this
round covers entries written by paths that do not sign (bulk loads, restores, sessions without the node's
settings), and the witnesses, which need the network and so never run inside a request or a capture.
"""

from sqlalchemy.orm import Session, sessionmaker

from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.ledger import keystore, service, verifications, witness_client, witness_service


def sign_if_grown(maker: sessionmaker[Session], settings: Settings) -> bool:
    """Sign a checkpoint when the log has entries no signed checkpoint covers (or was never signed). Returns
    whether one was signed."""
    with unit_of_work(maker, write=False) as session:
        if not service.needs_signing(session):
            return False
    with unit_of_work(maker) as session:
        _, new = service.current_checkpoint(
            session, origin=keystore.log_origin(settings), skey=keystore.log_key(settings).skey
        )
    return new


def round_(maker: sessionmaker[Session], settings: Settings) -> None:
    """One round: sign if the log grew unsigned, push to the witnesses (each is told only what it lacks), then
    verify a sample if one is due."""
    sign_if_grown(maker, settings)
    witnesses = known_witnesses(maker, settings)
    if witnesses:
        witness_client.push(maker, witnesses, witness_client.httpx_post(settings.ledger_witness_timeout_seconds))
    verify_if_due(maker, settings)


def known_witnesses(maker: sessionmaker[Session], settings: Settings) -> list[witness_service.Witness]:
    """The configured witnesses and those registered since (a parent node this one linked to)."""
    with unit_of_work(maker, write=False) as session:
        return witness_service.all_witnesses(session, settings.ledger_witnesses)


def verify_if_due(maker: sessionmaker[Session], settings: Settings) -> verifications.Run | None:
    """Verify a ``ledger_verify_sample_rate`` share of the store, against the witnesses' checkpoints too, when no
    background verification ran within ``ledger_verify_interval_seconds``."""
    with unit_of_work(maker, write=False) as session:
        if not verifications.due(session, interval_seconds=settings.ledger_verify_interval_seconds):
            return None
    held = witness_client.held_checkpoints(
        known_witnesses(maker, settings),
        keystore.log_origin(settings),
        witness_client.httpx_get(settings.ledger_witness_timeout_seconds),
    )
    return verifications.run(
        maker,
        settings,
        trigger="background",
        sample_rate=settings.ledger_verify_sample_rate,
        external=[h.note for h in held if h.note is not None],
    )
