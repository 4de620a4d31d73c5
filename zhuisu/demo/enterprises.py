"""The sector demos' enterprises: their keys (GLN, GTIN, USCC with valid check characters, from a company prefix and
a number) and their registration with one site each — idempotent, found by name on a second load."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import ean
from stdnum.cn import uscc as stdnum_uscc

from zhuisu.models import Location, Party
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service


def gln(prefix: str, n: int) -> str:
    """The GLN ``{prefix}{n:06d}`` with its check digit (``prefix``: a six-digit company prefix such as 690888)."""
    body = f"{prefix}{n:06d}"
    return body + ean.calc_check_digit(body)


def gtin(prefix: str, n: int) -> str:
    """The GTIN-14 ``0{prefix}{n:06d}`` with its check digit."""
    body = f"0{prefix}{n:06d}"
    return body + ean.calc_check_digit(body)


def uscc(region: str, n: int, kind: str = "91") -> str:
    """The 统一社会信用代码 ``{kind}{region}MA{n:07d}`` with its check character (kind 91: a company, 92: a sole
    trader)."""
    body = f"{kind}{region}MA{n:07d}"
    return body + stdnum_uscc.calc_check_digit(body)


@dataclass(frozen=True)
class DemoParty:
    key: str
    name: str
    uscc: str
    gln: str
    site: str
    site_gln: str
    role: str
    class_id: str | None = None


def register(session: Session, p: DemoParty, *, region: str, product_class: str | None, address: str) -> Party:
    """``p`` as an enterprise of ``region`` with its site (each created when missing)."""
    party = parties_service.find_party_by_name(session, p.name)
    if party is None:
        party = parties_service.create_party(
            session,
            name=p.name,
            uscc=p.uscc,
            gln=p.gln,
            region=region,
            party_type="enterprise",
            roles=[p.role],
            product_class=product_class,
            address=address,
        )
    if session.scalar(select(Location.id).where(Location.gln == p.site_gln)) is None:
        masterdata.add_location(session, party, name=p.site, gln=p.site_gln, region=region)
    return party
