"""Portal tests: the demo chain loaded through the real capture path, a generous rate limit."""

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.demo import service as demo_service
from zhuisu.parties import service as parties_service

DEMO_TOKEN = "zs_demo_portal_tests_0123456789"
SGTIN = "https://id.gs1.org/01/06901234123456/21/1001"
SSCC = "https://id.gs1.org/00/069012340000000016"
LOT = "https://id.gs1.org/01/06901234222227/10/L20261001"


@pytest.fixture
def settings(engine: Engine, tmp_path: Path) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path,
        portal_rate_per_second=1000,
        portal_rate_burst=1000,
    )


@pytest.fixture
def demo(maker: sessionmaker[Session]) -> demo_service.DemoLoad:
    with unit_of_work(maker) as s:
        return demo_service.load_demo(s, token_secret=DEMO_TOKEN)


@pytest.fixture
def regulator_token(maker: sessionmaker[Session]) -> str:
    with unit_of_work(maker) as s:
        party = parties_service.create_party(
            s, name="示范市市场监督管理局", region="230102", party_type="government", roles=["regulator"]
        )
        parties_service.grant(s, party, actor_role="regulator", jurisdiction="230102")
        return parties_service.issue_token(s, party=party, label="desk").secret
