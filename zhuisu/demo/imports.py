"""The demo's import lots (进口食品, ``zhuisu.sectors.imports``), recorded through the services the pages and the API
use, with the ``import_uncertified_sale`` alert planted once.

示范市环球进口食品有限公司 (importer, 示范市历下区 370102, its bonded warehouse at the port) registers, three days ago:

- a lot of Italian red wine (意大利红葡萄酒, 600 bottles) entered with its entry inspection certificate (received at
  the port), ships 60 bottles to 示范市泉城酒业商行 (which records its receipt) and sells 2 bottles to a consumer
  through a cross-border e-commerce order (``CBEC-DEMO-0001``);
- a lot of Spanish olive oil (西班牙特级初榨橄榄油, 200 bottles) that only arrived (no certificate yet) and sells 5
  bottles of it at its shop the next day: **sold without a certificate** (the alert).

Idempotent: parties found by name, products by GTIN, lots by declaration number, sales and orders recorded once.
"""

from datetime import timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.demo import enterprises
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Event, ImportLot, Location, Party, Product
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.sectors.imports import service as imports_service
from zhuisu.sectors.imports.schemas import LotCreate, OrderCreate, ReceiptCreate, SaleCreate

REGION = "370102"
IMPORTER = "示范市环球进口食品有限公司"
BUYER = "示范市泉城酒业商行"


_gln = partial(enterprises.gln, "690887")
_gtin = partial(enterprises.gtin, "690887")
_uscc = partial(enterprises.uscc, REGION)


PORT = _gln(11)
WINE, OLIVE_OIL = _gtin(1), _gtin(2)
#: (GTIN, product, class, lot, country, declaration, certificate, bottles).
LOTS = (
    (
        WINE,
        "意大利红葡萄酒（750 mL）",
        "imported.wine",
        "IT2026A",
        "IT",
        "422020261000012345",
        "370100226000123",
        600.0,
    ),
    (
        OLIVE_OIL,
        "西班牙特级初榨橄榄油（500 mL）",
        "imported.olive_oil",
        "ES2026B",
        "ES",
        "422020261000012346",
        "",
        200.0,
    ),
)
ORDER = "CBEC-DEMO-0001"


def plant(session: Session) -> tuple[int, int]:
    """Record the demo's import lots, sales, receipt and order; idempotent. (captured, duplicates)."""
    importer = _party(session, IMPORTER, 1, "importer", "进口食品保税仓库", PORT)
    buyer = _party(session, BUYER, 2, "wholesaler", "酒业商行仓库", _gln(12))
    for gtin, name, class_id, *_rest in LOTS:
        if session.scalar(select(Product.id).where(Product.gtin == gtin)) is None:
            masterdata.register_product(session, name=name, class_id=class_id, producer=importer, gtin=gtin)
    tally = [0, 0]

    def step(done: bool, action: object) -> None:
        if done:
            tally[1] += 1
            return
        action()  # type: ignore[operator]
        tally[0] += 1

    entry_day = (utc_now() - timedelta(days=3)).astimezone(BEIJING).date()
    for _gtin_, _name, _class, lot, country, declaration, certificate, bottles in LOTS:
        known = session.scalar(select(ImportLot).where(ImportLot.declaration == declaration))
        body = LotCreate(
            gtin=_gtin_, lot=lot, country=country, declaration=declaration, certificate=certificate, port=PORT,
            entry_date=entry_day, quantity=bottles, uom="H87",
        )  # fmt: skip
        step(known is not None, lambda body=body: imports_service.register_lot(session, body, actor=importer))
    wine, oil = (session.scalars(select(ImportLot).where(ImportLot.declaration == d[5])).one() for d in LOTS)
    start = session.scalar(select(Event.event_time).where(Event.event_id == wine.entry_event_id))
    assert start is not None
    steps = {e.biz_step for e in imports_service.lot_events(session, wine)}
    sale = SaleCreate(kind="shipping", buyer=buyer.id, quantity=60, time=start + timedelta(hours=20))
    step("shipping" in steps, lambda: imports_service.record_sale(session, wine.declaration, sale, actor=importer))
    received = any(e.recorder_id == buyer.id for e in imports_service.lot_events(session, wine))
    receipt = ReceiptCreate(quantity=60, site=_gln(12), time=start + timedelta(hours=26))
    step(received, lambda: imports_service.record_receipt(session, wine.declaration, receipt, actor=buyer))
    order = OrderCreate(order_number=ORDER, quantity=2, platform="示范跨境购", time=start + timedelta(days=1, hours=4))
    ordered = ORDER in imports_service.orders_of(session, wine)
    step(ordered, lambda: imports_service.record_order(session, wine.declaration, order, actor=importer))
    sold = any(e.biz_step == "retail_selling" for e in imports_service.lot_events(session, oil))
    retail = SaleCreate(kind="retail_selling", quantity=5, time=start + timedelta(days=1, hours=2))
    step(sold, lambda: imports_service.record_sale(session, oil.declaration, retail, actor=importer))
    return tally[0], tally[1]


def _party(session: Session, name: str, n: int, role: str, site: str, site_gln: str) -> Party:
    party = parties_service.find_party_by_name(session, name)
    if party is None:
        party = parties_service.create_party(
            session,
            name=name,
            uscc=_uscc(8700 + n),
            gln=_gln(n),
            region=REGION,
            party_type="enterprise",
            roles=[role],
            product_class="imported",
            address=f"示范市历下区{site}",
        )
    if session.scalar(select(Location.id).where(Location.gln == site_gln)) is None:
        masterdata.add_location(session, party, name=site, gln=site_gln, region=REGION)
    return party
