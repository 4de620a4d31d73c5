"""JSON endpoints of the farm commitment certificates (``/api/v1/farm``): issue, receive, read (the caller's lane),
and the public consumer view. Who sees what: ``permissions``."""

from typing import Any

from fastapi import APIRouter

from zhuisu.auth.permissions import CurrentActor, SignedInParty
from zhuisu.errors import NotFound
from zhuisu.sectors.farm import service
from zhuisu.sectors.farm.schemas import (
    CertificateCreate,
    CertificateRead,
    PublicCertificate,
    ReceiptCreate,
    ShipmentCreate,
)
from zhuisu.web.deps import DbSession, SettingsDep

router = APIRouter(prefix="/api/v1/farm", tags=["farm"])
_WRITE: dict[int | str, dict[str, Any]] = {400: {}, 401: {}, 403: {}, 422: {}}


@router.post("/certificates", response_model=CertificateRead, status_code=201, responses=_WRITE)
def issue_certificate(
    body: CertificateCreate, actor: CurrentActor, session: DbSession, settings: SettingsDep
) -> CertificateRead:
    """Issue a 承诺达标合格证 for a lot (a farmer or a producer, for itself): its number, QR target and event."""
    return service.issue_certificate(session, settings, body, actor=actor)


@router.get("/certificates", response_model=list[CertificateRead], responses={401: {}})
def list_certificates(party: SignedInParty, session: DbSession, settings: SettingsDep) -> list[CertificateRead]:
    """The certificates in the caller's lane with their receipts, newest first."""
    return service.list_certificates(session, settings, reader=party)


@router.get("/certificates/{number}", response_model=CertificateRead, responses={401: {}, 404: {}})
def get_certificate(number: str, party: SignedInParty, session: DbSession, settings: SettingsDep) -> CertificateRead:
    return service.get_certificate(session, settings, number, reader=party)


@router.post("/certificates/{number}/shipments", response_model=CertificateRead, status_code=201, responses=_WRITE)
def ship(
    number: str, body: ShipmentCreate, actor: CurrentActor, session: DbSession, settings: SettingsDep
) -> CertificateRead:
    """The issuer sells the certified lot to a buyer (a ``shipping`` event naming the certificate)."""
    return service.ship(session, settings, number, body, actor=actor)


@router.post("/receipts", response_model=CertificateRead, status_code=201, responses=_WRITE)
def receive(body: ReceiptCreate, actor: CurrentActor, session: DbSession, settings: SettingsDep) -> CertificateRead:
    """Record the caller's receipt under a certificate (a ``receiving`` event naming it); answers the certificate
    with its receipts (``overused`` when they exceed its quantity)."""
    return service.receive(session, settings, body, actor=actor)


@router.get("/c/{number}", response_model=PublicCertificate, responses={404: {}})
def public_certificate(number: str, session: DbSession) -> PublicCertificate:
    """The consumer view of a certificate (what its QR Code opens, as JSON)."""
    found = service.public_certificate(session, number)
    if found is None:
        raise NotFound(f"没有合格证 {number}", message_en=f"no certificate {number}")
    return found
