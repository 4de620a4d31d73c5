"""The demo's rare earth group (稀土, ``zhuisu.sectors.rareearth``), recorded through the services the pages and the
API use, with each quota alert planted once.

示范稀土集团, all in 示范市历城区 (370112), under the quotas 示范市工业和信息化局 (a regulator of 示范市 whose mandate
is rare earth) registers for this year, times relative to now (all within this year, Beijing):

- 示范稀土集团矿业有限公司 (the mine, 一号采场): mining quota 2,000 t REO (a revision: first 1,800 t, then raised);
  mines 2,400 t of concentrate at 60 % REO (1,440 t REO) and 500 t more (300 t REO): 87 % of its quota; sells the
  2,400 t to the separation plant, which receives them;
- 示范稀土集团冶炼分离有限公司 (the separation plant, 分离车间): separation quota 1,200 t REO; separates the 2,400 t
  (1,440 t REO in) into 400 t of praseodymium-neodymium oxide and 900 t of lanthanum oxide at 99 % (1,287 t REO out):
  **87 t above its quota** (``rare_earth_quota_production``); sells the oxide and 850 t of the lanthanum oxide to
  示范市永磁材料有限公司 (1,237.5 t REO): **37.5 t above its quota** (``rare_earth_quota_sales``); the buyer
  receives them;
- 示范稀土集团二号矿山有限公司 (the second mine): its quota was last year's only; it mines 80 t at 55 % REO this year
  (44 t REO) **without a quota** (``rare_earth_quota_missing``).

Idempotent: fixed eventIDs (what is stored already is counted as duplicates), parties found by name, quotas by
producer, year, kind and document number.
"""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.demo import enterprises, generator
from zhuisu.demo.enterprises import DemoParty
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Event, Party, Product, RareEarthQuota
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.sectors.rareearth import recording
from zhuisu.sectors.rareearth import service as rareearth_service
from zhuisu.sectors.rareearth.schemas import (
    GoodsLine,
    InputLot,
    MiningCreate,
    OutputLot,
    QuotaCreate,
    ReceiptCreate,
    RecordedRead,
    SaleCreate,
    SeparationCreate,
)

REGION = "370112"
#: The company prefix of the demo\'s GLNs and GTINs.
PREFIX = "690866"
_gln = partial(enterprises.gln, PREFIX)
_gtin = partial(enterprises.gtin, PREFIX)
_uscc = partial(enterprises.uscc, REGION)
AUTHORITY = ("示范市工业和信息化局", "3701", "370100")
ISSUER = "工业和信息化部"


PARTIES = (
    DemoParty("mine", "示范稀土集团矿业有限公司", _uscc(8661), _gln(1), "一号采场", _gln(11), "producer",
              "rare_earth.ore"),
    DemoParty("plant", "示范稀土集团冶炼分离有限公司", _uscc(8662), _gln(2), "分离车间", _gln(12), "processor",
              "rare_earth.smelted"),
    DemoParty("mine2", "示范稀土集团二号矿山有限公司", _uscc(8663), _gln(3), "二号采场", _gln(13), "producer",
              "rare_earth.ore"),
    DemoParty("buyer", "示范市永磁材料有限公司", _uscc(8664), _gln(4), "原料库", _gln(14), "processor",
              "rare_earth.smelted"),
)  # fmt: skip
CONCENTRATE, PRND, LANTHANUM = _gtin(1), _gtin(2), _gtin(3)
PRODUCTS = (
    (CONCENTRATE, "稀土精矿（REO ≥ 50%）", "rare_earth.ore", "mine"),
    (PRND, "氧化镨钕（Pr₆O₁₁+Nd₂O₃ ≥ 99%）", "rare_earth.smelted", "plant"),
    (LANTHANUM, "氧化镧（La₂O₃ ≥ 99%）", "rare_earth.smelted", "plant"),
)


def plant(session: Session) -> tuple[int, int]:
    """Record the demo's rare earth group with its planted quota alerts; idempotent. (captured, duplicates)."""
    found = {p.key: _party(session, p) for p in PARTIES}
    _products(session, found)
    year = utc_now().astimezone(BEIJING).year
    _quotas(session, found, year)
    when = _clock(session)
    tally = [0, 0]

    def record(do: Callable[..., RecordedRead], body: Any, who: str) -> None:
        done = do(session, body, actor=found[who])
        tally[0 if done.status == "captured" else 1] += 1

    mine, plant_, mine2, buyer = (_by_key(k) for k in ("mine", "plant", "mine2", "buyer"))
    ore_a, ore_b = f"KS{year % 100:02d}01", f"KS{year % 100:02d}02"
    record(recording.record_mining, MiningCreate(
        site=mine.site_gln, time=when(0), event_id=_event_id("mined-1"), product=CONCENTRATE, lot=ore_a,
        quantity=2400, uom="TNE", reo_content=60), "mine")  # fmt: skip
    record(recording.record_mining, MiningCreate(
        site=mine.site_gln, time=when(1), event_id=_event_id("mined-2"), product=CONCENTRATE, lot=ore_b,
        quantity=500, uom="TNE", reo_content=60), "mine")  # fmt: skip
    to_plant = [GoodsLine(product=CONCENTRATE, lot=ore_a, quantity=2400, uom="TNE")]
    record(recording.record_sale, SaleCreate(
        site=mine.site_gln, time=when(2), event_id=_event_id("ore-sold"), buyer=plant_.uscc, goods=to_plant,
        document=f"INV-KY-{year}-001"), "mine")  # fmt: skip
    record(recording.record_receipt, ReceiptCreate(
        site=plant_.site_gln, time=when(3), event_id=_event_id("ore-received"), seller=mine.uscc, goods=to_plant,
        document=f"INV-KY-{year}-001"), "plant")  # fmt: skip
    oxides = f"YH{year % 100:02d}01"
    record(recording.record_separation, SeparationCreate(
        site=plant_.site_gln, time=when(4), event_id=_event_id("separated"),
        inputs=[InputLot(product=CONCENTRATE, lot=ore_a, quantity=2400, uom="TNE")],
        outputs=[OutputLot(product=PRND, lot=oxides, quantity=400, uom="TNE", reo_content=99),
                 OutputLot(product=LANTHANUM, lot=oxides, quantity=900, uom="TNE", reo_content=99)]),
           "plant")  # fmt: skip
    sold = [
        GoodsLine(product=PRND, lot=oxides, quantity=400, uom="TNE"),
        GoodsLine(product=LANTHANUM, lot=oxides, quantity=850, uom="TNE"),
    ]
    record(recording.record_sale, SaleCreate(
        site=plant_.site_gln, time=when(5), event_id=_event_id("oxides-sold"), buyer=buyer.uscc, goods=sold,
        document=f"INV-YL-{year}-001"), "plant")  # fmt: skip
    record(recording.record_receipt, ReceiptCreate(
        site=buyer.site_gln, time=when(6), event_id=_event_id("oxides-received"), seller=plant_.uscc, goods=sold,
        document=f"INV-YL-{year}-001"), "buyer")  # fmt: skip
    record(recording.record_mining, MiningCreate(
        site=mine2.site_gln, time=when(7), event_id=_event_id("mined-unquoted"), product=CONCENTRATE,
        lot=f"EK{year % 100:02d}01", quantity=80, uom="TNE", reo_content=55), "mine2")  # fmt: skip
    return tally[0], tally[1]


def _by_key(key: str) -> DemoParty:
    return next(p for p in PARTIES if p.key == key)


def _event_id(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{generator.ZS_NS}demo/rareearth/{name}')}"


def _clock(session: Session) -> Callable[[int], datetime]:
    """The time of the flow's step ``n`` (of eight): spread over the four days before now, never before this year
    began (Beijing) — or, once the flow is stored, as its first two events were given, so a second run builds the
    same events."""
    times = dict(
        session.execute(
            select(Event.event_id, Event.event_time).where(
                Event.event_id.in_([_event_id("mined-1"), _event_id("mined-2")])
            )
        ).all()
    )
    first, second = times.get(_event_id("mined-1")), times.get(_event_id("mined-2"))
    if first is not None and second is not None:
        start, step = first.astimezone(BEIJING), second - first
    else:
        now = utc_now().astimezone(BEIJING)
        new_year = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        start = max(now - timedelta(days=4), new_year + timedelta(minutes=1)).replace(second=0, microsecond=0)
        step = min(timedelta(hours=6), (now - start) / 9)
    return lambda n: start + step * n


def authority(session: Session) -> Party:
    """The regulator that registers the group's quotas: 示范市工业和信息化局, mandate rare earth."""
    name, jurisdiction, region = AUTHORITY
    found = parties_service.find_party_by_name(session, name)
    if found is None:
        found = parties_service.create_party(session, name=name, region=region, party_type="government")
        parties_service.grant(session, found, actor_role="regulator", jurisdiction=jurisdiction, mandate=["rare_earth"])
    return found


def _party(session: Session, p: DemoParty) -> Party:
    return enterprises.register(
        session, p, region=REGION, product_class=p.class_id, address=f"示范市历城区稀土大道 {PARTIES.index(p) + 1} 号"
    )


def _products(session: Session, found: dict[str, Party]) -> None:
    known = set(session.scalars(select(Product.gtin).where(Product.gtin.in_([g for g, *_ in PRODUCTS]))))
    for gtin, name, class_id, maker in PRODUCTS:
        if gtin not in known:
            masterdata.register_product(session, name=name, class_id=class_id, producer=found[maker], gtin=gtin)


#: (producer, year offset, kind, quantity in t REO, document number): the mine's quota revised (1,800 → 2,000 t);
#: the second mine's last year's only.
QUOTAS = (
    ("mine", 0, "mining", 1800.0, "工信部联原〔{year}〕1号"),
    ("mine", 0, "mining", 2000.0, "工信部联原〔{year}〕27号"),
    ("plant", 0, "separation", 1200.0, "工信部联原〔{year}〕1号"),
    ("mine2", -1, "mining", 100.0, "工信部联原〔{year}〕1号"),
)


def _quotas(session: Session, found: dict[str, Party], year: int) -> None:
    regulator = authority(session)
    for key, offset, kind, quantity, number in QUOTAS:
        document = number.format(year=year + offset)
        party = found[key]
        stored = session.scalar(
            select(RareEarthQuota.id).where(
                RareEarthQuota.party_id == party.id,
                RareEarthQuota.year == year + offset,
                RareEarthQuota.kind == kind,
                RareEarthQuota.document_number == document,
            )
        )
        if stored is not None:
            continue
        body = QuotaCreate(
            party=party.id,
            year=year + offset,
            kind=kind,
            quantity=quantity,
            uom="TNE",
            basis="reo",
            document_number=document,
            issuer=ISSUER,
            note="年中调增" if quantity == 2000.0 else "",
        )
        rareearth_service.register_quota(session, body, actor=regulator)
