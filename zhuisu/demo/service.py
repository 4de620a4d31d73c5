"""Load the demo content into the configured database (idempotent)."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from zhuisu.capture import service as capture_service
from zhuisu.demo.content import demo_document
from zhuisu.models import Party
from zhuisu.parties import service as parties_service
from zhuisu.parties.errors import InvalidToken

DEMO_PARTY = "示范市肉类联合加工厂"
DEMO_USCC = "91230100MA1B2C3D49"


@dataclass(frozen=True)
class DemoLoad:
    party: Party
    captured: int
    duplicates: int


def demo_party(session: Session, *, token_secret: str) -> Party:
    """The demo enterprise, with ``token_secret`` as a valid bearer token (created on first use)."""
    party = parties_service.find_party_by_name(session, DEMO_PARTY) or parties_service.create_party(
        session, name=DEMO_PARTY, uscc=DEMO_USCC)
    try:
        parties_service.authenticate(session, token_secret)
    except InvalidToken:
        parties_service.issue_token(session, party=party, label="demo", secret=token_secret)
    return party


def load_demo(session: Session, *, token_secret: str) -> DemoLoad:
    party = demo_party(session, token_secret=token_secret)
    result = capture_service.capture_document(session, demo_document(), actor=party, source="zhuisu demo load")
    return DemoLoad(party, result.count("captured"), result.count("duplicate"))
