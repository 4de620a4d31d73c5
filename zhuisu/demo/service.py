"""Load the demo content into the configured database (idempotent).

Two parts: the pork chain of ``content.py`` recorded by the demo enterprise (whose bearer token the CLI keeps in
DATA_DIR/demo-token), and the demo city 示范市 (``city.py``): its local catalog, about fifty enterprises with
licences, sites and products, and the generator's events captured round by round, each by its own recorder.
Services never commit: the CLI commits each round in its own unit of work.
"""

from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhuisu.auth import service as auth_service
from zhuisu.auth.errors import InvalidToken
from zhuisu.capture import service as capture_service
from zhuisu.catalog import service as catalog_service
from zhuisu.catalog.rules import Catalog
from zhuisu.demo import (
    canteen,
    city,
    coldchain,
    equipment,
    farm,
    findings,
    generator,
    hazardous,
    imports,
    market,
    rareearth,
)
from zhuisu.demo.content import demo_document
from zhuisu.models import Event, Party
from zhuisu.parties import delegations
from zhuisu.parties import service as parties_service

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
        session, name=DEMO_PARTY, uscc=DEMO_USCC
    )
    try:
        auth_service.authenticate(session, token_secret)
    except InvalidToken:
        parties_service.issue_token(session, party=party, label="demo", secret=token_secret)
    return party


#: The demo's other actors, one of each role a visitor would try: key → (name, role, jurisdiction, region).
DEMO_ACTORS: dict[str, tuple[str, str, str | None, str | None]] = {
    "admin": ("示范市追溯节点管理员", "admin", None, None),
    "regulator": ("示范市市场监督管理局", "regulator", "3701", "370100"),
    "district-regulator": ("示范市历下区市场监督管理局", "regulator", "370102", "370102"),
    "platform": ("示范市农产品追溯服务平台", "platform", None, "370102"),
    "inspector": ("示范市食品检验检测中心", "inspector", None, "370102"),
}
_GOVERNMENT = {"regulator"}
#: The people of the food, farm and import chains (the parties ``plant_risks``' sector demos create), each with a
#: token kept in DATA_DIR/demo-<key>-token so that a visitor can sign in as them (``/signin``).
SECTOR_PERSONAS: dict[str, str] = {
    "stall": "示范市历下区王记蔬菜经营部",
    "canteen": "示范市第一中学食堂",
    "cooperative": "示范市绿源蔬菜专业合作社",
    "importer": "示范市环球进口食品有限公司",
    "coldchain": "示范市鲜达冷链物流有限公司",
    "rareearth": "示范稀土集团冶炼分离有限公司",
}


def demo_actor(session: Session, key: str) -> Party:
    """The demo actor ``key`` of ``DEMO_ACTORS`` (created on first use, granted its role by the local operator)."""
    name, role, jurisdiction, region = DEMO_ACTORS[key]
    party = parties_service.find_party_by_name(session, name)
    if party is None:
        kind = "government" if role in _GOVERNMENT else "platform" if role == "platform" else None
        party = parties_service.create_party(session, name=name, region=region, party_type=kind)
        parties_service.grant(session, party, actor_role=role, jurisdiction=jurisdiction)
    return party


def demo_actors(session: Session, *, token_secrets: dict[str, str], enterprise: Party) -> dict[str, Party]:
    """The demo's admin, regulators, platform and inspector (``DEMO_ACTORS``), each with its secret as a valid bearer
    token (created on first use, granted its role by the local operator); the platform records for ``enterprise``
    (the demo enterprise) under a delegation."""
    found: dict[str, Party] = {}
    for key in DEMO_ACTORS:
        party = demo_actor(session, key)
        try:
            auth_service.authenticate(session, token_secrets[key])
        except InvalidToken:
            parties_service.issue_token(session, party=party, label=f"demo {key}", secret=token_secrets[key])
        found[key] = party
    if delegations.in_force(session, platform=found["platform"], enterprise=enterprise) is None:
        delegations.delegate(session, enterprise, found["platform"])
    return found


def sector_personas(session: Session, *, token_secrets: dict[str, str]) -> dict[str, Party]:
    """The sector demos' people (``SECTOR_PERSONAS``), each with its secret as a valid bearer token (issued on first
    use); a persona whose party the city load has not created yet is left out."""
    found: dict[str, Party] = {}
    for key, name in SECTOR_PERSONAS.items():
        party = parties_service.find_party_by_name(session, name)
        if party is None:
            continue
        try:
            auth_service.authenticate(session, token_secrets[key])
        except InvalidToken:
            parties_service.issue_token(session, party=party, label=f"demo {key}", secret=token_secrets[key])
        found[key] = party
    return found


def load_demo(session: Session, *, token_secret: str) -> DemoLoad:
    party = demo_party(session, token_secret=token_secret)
    result = capture_service.capture_document(session, demo_document(), actor=party, source="zhuisu demo load")
    return DemoLoad(party, result.count("captured"), result.count("duplicate"))


@dataclass(frozen=True)
class CityOutcome:
    captured: int
    duplicates: int
    rejected: int


def prepare_city(session: Session, *, seed: int) -> tuple[dict[str, Party], int, bool]:
    """The demo city's local catalog and master data: (parties by generator key, products added, catalog loaded)."""
    loaded = city.load_local_catalog(session)
    parties = city.register_parties(session, seed=seed)
    # Licences count at capture once the issuing authority confirmed them: the city's regulator did.
    findings.confirm_licences(session, parties.values(), demo_actor(session, "regulator"))
    return parties, city.register_products(session, parties), loaded


def city_findings(session: Session, parties: dict[str, Party], *, seed: int, total: int) -> tuple[str, int]:
    """The planted unlicensed commissioning (its outcome) and the inspection reports and certificate recorded now
    (``findings``); the reports need the inspector of ``demo_actors``."""
    gtin = city.product_gtin("food", tier=2, slot=0)
    outcome = findings.capture_unlicensed(session, parties["food-wholesaler"], gtin)
    inspector = parties_service.find_party_by_name(session, DEMO_ACTORS["inspector"][0])
    if inspector is None:
        return outcome, 0
    head = list(islice(generator.generate(total, seed), 400))
    failed_after = city.planted(head).failed_inspection_after
    meat = parties["edible_agri-processor"]
    return outcome, findings.record_findings(session, inspector, meat_processor=meat, failed_after=failed_after)


def city_catalog(session: Session) -> Catalog:
    """The catalog the demo city's events are completed against (in effect on the generator's start date)."""
    return catalog_service.catalog_on(session, generator.START.date())


def city_already_loaded(session: Session, parties: dict[str, Party], total: int) -> bool:
    """Whether the city's events are all stored already (the last round commits last, so a count suffices)."""
    ids = [p.id for p in parties.values()]
    return int(session.scalar(select(func.count(Event.id)).where(Event.recorder_id.in_(ids))) or 0) >= total


def plant_risks(session: Session, parties: dict[str, Party], *, seed: int, catalog: Catalog) -> CityOutcome:
    """Capture the planted risk anomalies (``city.risk_events``), each by its recorder, and the safety sectors' demo
    (the elevator fleet and cylinders of ``demo.equipment``, the hazardous chemical chain of ``demo.hazardous``) and
    the food, farm and import chains (a market, a canteen, a cooperative's 合格证, an importer, a cold chain and a
    rare-earth group: ``demo.market`` … ``demo.rareearth``), each with its planted anomalies; idempotent."""
    idle = parties_service.find_party_by_identifier(session, city.GAP_PARTY.uscc)
    if idle is not None:
        parties = parties | {city.GAP_PARTY.key: idle}
    round_: dict[str, list[dict[str, Any]]] = {}
    for key, event in city.risk_events(seed=seed, catalog=catalog):
        round_.setdefault(key, []).append(event)
    outcome = capture_round(session, parties, list(round_.items()))
    sectors = [
        equipment.plant(session, regulator=demo_actor(session, "regulator")),
        hazardous.plant(session),
        # The food, farm and import chains (#21), each recorded through its room's pages' services.
        market.plant(session),
        canteen.plant(session),
        farm.plant(session),
        imports.plant(session),
        coldchain.plant(session),
        rareearth.plant(session),
    ]
    return CityOutcome(
        outcome.captured + sum(c for c, _ in sectors),
        outcome.duplicates + sum(d for _, d in sectors),
        outcome.rejected,
    )


def capture_round(
    session: Session, parties: dict[str, Party], round_: list[tuple[str, list[dict[str, Any]]]]
) -> CityOutcome:
    """Capture one round of the city's events, each recorder's through the real capture path (``proceed``), after
    the electronic waybills its hazardous shipments name were created (``hazardous.city_waybills``)."""
    hazardous.city_waybills(session, parties, round_)
    captured = duplicates = rejected = 0
    for key, events in round_:
        doc = {
            "@context": generator.CONTEXT,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-01-01T06:00:00.000+08:00",
            "epcisBody": {"eventList": events},
        }
        result = capture_service.capture_document(
            session, doc, actor=parties[key], behaviour="proceed", source="zhuisu demo load (示范市)"
        )
        captured += result.count("captured")
        duplicates += result.count("duplicate")
        rejected += result.count("rejected")
    return CityOutcome(captured, duplicates, rejected)
