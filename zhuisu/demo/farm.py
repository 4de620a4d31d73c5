"""The demo's farm commitment certificates (承诺达标合格证, ``zhuisu.sectors.farm``), recorded through the services
the pages and the API use, with the ``farm_certificate_overused`` alert planted once.

示范市绿源蔬菜专业合作社 (a cooperative, 示范市历城区 370112) issues two certificates two days ago: 西红柿 100 公斤
and 黄瓜 200 斤 (100 kg). It sells both lots to 示范市泉城农产品批发市场 (market, 370102), which records its receipts
naming the certificates (100 kg; 60 kg). 示范市惠民生鲜超市 (retailer, 370103) records a receipt of 50 kg of cucumbers
under the cucumber certificate too: 110 kg received under a certificate of 100 kg (**reused**: the alert).

Idempotent: parties found by name, certificates by issuer and product, receipts and shipments by their fixed times
(relative to the certificate's issue date) and recorded once.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.config import get_settings
from zhuisu.db.engine import node_settings
from zhuisu.demo import enterprises
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import FarmCertificate, Location, Party
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.sectors.farm import service as farm_service
from zhuisu.sectors.farm.schemas import CertificateCreate, ReceiptCreate, ShipmentCreate

_gln = partial(enterprises.gln, "690889")


def _uscc(region: str, n: int) -> str:
    return enterprises.uscc(region, n, kind="93")  # 93: a farmers' cooperative


@dataclass(frozen=True)
class DemoParty:
    key: str
    name: str
    region: str
    role: str
    site: str


PARTIES = (
    DemoParty("coop", "示范市绿源蔬菜专业合作社", "370112", "producer", "合作社蔬菜基地"),
    DemoParty("market", "示范市泉城农产品批发市场", "370102", "market", "批发市场蔬菜区"),
    DemoParty("shop", "示范市惠民生鲜超市", "370103", "retailer", "生鲜超市门店"),
)
#: (product, quantity, unit, place, basis).
CERTIFICATES = (
    ("西红柿", 100.0, "kg", "唐王街道绿源蔬菜基地", ["internal_control", "self_commitment"]),
    ("黄瓜", 200.0, "jin", "唐王街道绿源蔬菜基地", ["entrusted_testing"]),
)
#: (certificate index, buyer key, kg, hours after the issue) — the shop's cucumbers are the reused certificate.
RECEIPTS = ((0, "market", 100.0, 3), (1, "market", 60.0, 3), (1, "shop", 50.0, 5))
SHIPMENTS = ((0, "market", 100.0, 2), (1, "market", 100.0, 2))


def plant(session: Session) -> tuple[int, int]:
    """Record the demo's farm certificates, shipments and receipts; idempotent. (captured, duplicates)."""
    settings = node_settings(session) or get_settings()
    found = {p.key: _party(session, n, p) for n, p in enumerate(PARTIES, 1)}
    coop = found["coop"]
    day = (utc_now() - timedelta(days=2)).astimezone(BEIJING).date()
    captured = duplicates = 0
    numbers = []
    for product, quantity, unit, place, basis in CERTIFICATES:
        existing = session.scalar(
            select(FarmCertificate).where(FarmCertificate.issuer_id == coop.id, FarmCertificate.product == product)
        )
        if existing is None:
            body = CertificateCreate(
                product=product, quantity=quantity, unit=unit, region="370112", place=place, basis=basis,
                phone="0531-88880001", show_phone=True, issued_on=day,
            )  # fmt: skip
            existing_number = farm_service.issue_certificate(session, settings, body, actor=coop).number
            captured += 1
        else:
            existing_number, day = existing.number, existing.issued_on
            duplicates += 1
        numbers.append(existing_number)
    start = datetime.combine(day, time(12), BEIJING)
    rows = farm_service.find_certificates(session, numbers)
    for index, buyer, kg, hours in SHIPMENTS:
        row = rows[numbers[index]]
        if farm_service.shipments_of(session, row):
            duplicates += 1
            continue
        body_s = ShipmentCreate(
            buyer=found[buyer].id, quantity=kg, unit="kg", shipped_at=start + timedelta(hours=hours)
        )
        farm_service.ship(session, settings, row.number, body_s, actor=coop)
        captured += 1
    for index, buyer, kg, hours in RECEIPTS:
        row = rows[numbers[index]]
        if any(e.recorder_id == found[buyer].id for e in farm_service.receipts_of(session, row)):
            duplicates += 1
            continue
        site = session.scalar(select(Location.gln).where(Location.party_id == found[buyer].id))
        body_r = ReceiptCreate(
            certificate_number=row.number, quantity=kg, unit="kg", site=site or "",
            received_at=start + timedelta(hours=hours),
        )  # fmt: skip
        farm_service.receive(session, settings, body_r, actor=found[buyer])
        captured += 1
    return captured, duplicates


def _party(session: Session, n: int, p: DemoParty) -> Party:
    party = parties_service.find_party_by_name(session, p.name)
    if party is None:
        party = parties_service.create_party(
            session,
            name=p.name,
            uscc=_uscc(p.region, 8900 + n),
            gln=_gln(n),
            region=p.region,
            party_type="enterprise",
            roles=[p.role],
            product_class="edible_agri.vegetable",
            address=f"示范市{p.site}",
        )
    if session.scalar(select(Location.id).where(Location.gln == _gln(10 + n))) is None:
        masterdata.add_location(session, party, name=p.site, gln=_gln(10 + n), region=p.region)
    return party
