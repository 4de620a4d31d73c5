"""JSON endpoints of master data: parties with their profile, licences and locations; products; spreadsheets;
delegations."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from sqlalchemy.orm import Session
from starlette.responses import Response

from zhuisu.auth.permissions import AdminActor, CurrentActor
from zhuisu.errors import NotFound
from zhuisu.models import Delegation, Licence, Location, Party, Product
from zhuisu.parties import delegations, masterdata, permissions, spreadsheets, vocabulary
from zhuisu.parties import service as parties_service
from zhuisu.parties.schemas import (
    DelegationCreate,
    DelegationRead,
    ImportReport,
    LicenceCreate,
    LicenceRead,
    LocationCreate,
    LocationRead,
    PartyCreate,
    PartyProfileUpdate,
    PartyRead,
    ProductCreate,
    ProductRead,
)
from zhuisu.web.deps import DbSession, Language

router = APIRouter(prefix="/api/v1", tags=["master data"])
_MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}


@router.get("/parties", response_model=list[PartyRead], responses={401: {}})
def list_parties(actor: CurrentActor, session: DbSession) -> list[Party]:
    """The parties the caller may read: itself; a regulator's jurisdiction; every party for the admin."""
    return parties_service.list_parties(session, reader=actor)


@router.post("/parties", response_model=PartyRead, status_code=201, responses={400: {}, 401: {}, 403: {}, 409: {}})
def create_party(body: PartyCreate, actor: AdminActor, session: DbSession) -> Party:
    """Register a party with its profile (type, roles, catalog class, region). The node's admin only."""
    return parties_service.create_party(
        session,
        actor=actor,
        name=body.name,
        uscc=body.uscc,
        gln=body.gln,
        region=body.region,
        party_type=body.party_type,
        roles=body.roles or (),
        product_class=body.product_class,
        address=body.address,
    )


@router.get("/parties/{party_id}", response_model=PartyRead, responses={401: {}, 404: {}})
def get_party(party_id: str, actor: CurrentActor, session: DbSession) -> Party:
    return _readable_party(session, actor, party_id)


@router.patch("/parties/{party_id}", response_model=PartyRead, responses={400: {}, 401: {}, 404: {}})
def update_party(party_id: str, body: PartyProfileUpdate, actor: CurrentActor, session: DbSession) -> Party:
    party = parties_service.get_party(session, party_id)
    return masterdata.update_profile(session, party, actor=actor, **body.model_dump())


@router.get("/parties/{party_id}/licences", response_model=list[LicenceRead], responses={401: {}, 404: {}})
def list_licences(party_id: str, actor: CurrentActor, session: DbSession) -> list[Licence]:
    return masterdata.list_licences(session, party=_readable_party(session, actor, party_id))


@router.post(
    "/parties/{party_id}/licences",
    response_model=LicenceRead,
    status_code=201,
    responses={400: {}, 401: {}, 404: {}, 409: {}},
)
def add_licence(party_id: str, body: LicenceCreate, actor: CurrentActor, session: DbSession) -> Licence:
    party = parties_service.get_party(session, party_id)
    return masterdata.add_licence(session, party, actor=actor, **body.model_dump())


@router.get("/parties/{party_id}/locations", response_model=list[LocationRead], responses={401: {}, 404: {}})
def list_locations(party_id: str, actor: CurrentActor, session: DbSession) -> list[Location]:
    return masterdata.list_locations(session, party=_readable_party(session, actor, party_id))


@router.post(
    "/parties/{party_id}/locations",
    response_model=LocationRead,
    status_code=201,
    responses={400: {}, 401: {}, 404: {}, 409: {}},
)
def add_location(party_id: str, body: LocationCreate, actor: CurrentActor, session: DbSession) -> Location:
    party = parties_service.get_party(session, party_id)
    return masterdata.add_location(session, party, actor=actor, **body.model_dump())


@router.get("/products", response_model=list[ProductRead], responses={401: {}})
def list_products(
    actor: CurrentActor, session: DbSession, class_id: Annotated[str | None, Query(alias="class")] = None
) -> list[Product]:
    """The caller's products (a regulator: those of producers in its jurisdiction; the admin: all)."""
    return masterdata.list_products(session, class_prefix=class_id, actor=actor)


@router.post("/products", response_model=ProductRead, status_code=201, responses={400: {}, 401: {}, 404: {}, 409: {}})
def register_product(body: ProductCreate, actor: CurrentActor, session: DbSession) -> Product:
    """Register a product with its catalog class (GTIN and/or a product code in a scheme)."""
    producer = parties_service.get_party(session, body.producer) if body.producer else None
    return masterdata.register_product(session, actor=actor, producer=producer, **body.model_dump(exclude={"producer"}))


@router.get("/masterdata/vocabulary")
def get_vocabulary() -> dict[str, Any]:
    """Party types, roles and licence types, with their zh-CN and English names."""
    return {
        "party_types": {k: {"name": zh, "name_en": en} for k, (zh, en) in vocabulary.PARTY_TYPES.items()},
        "roles": {k: {"name": zh, "name_en": en} for k, (zh, en) in vocabulary.ROLES.items()},
        "licence_types": {
            k: {"name": zh, "name_en": en, "scheme": scheme} for k, (zh, en, scheme) in vocabulary.LICENCE_TYPES.items()
        },
    }


@router.get("/masterdata/templates/{kind}.{fmt}", responses={400: {}})
def download_template(kind: str, fmt: Literal["xlsx", "csv"]) -> Response:
    """An empty spreadsheet template with zh-CN headers (``*`` marks required columns)."""
    return Response(
        spreadsheets.template(kind, fmt),
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="zhuisu-{kind}.{fmt}"'},
    )


@router.post("/masterdata/import/{kind}", response_model=ImportReport, status_code=201, responses={400: {}, 401: {}})
def import_spreadsheet(
    kind: str,
    actor: CurrentActor,
    session: DbSession,
    lang: Language,
    file: Annotated[UploadFile, File(description="An XLSX or CSV file made from the template.")],
) -> ImportReport:
    """Import master data rows: all of them, or none with each bad row's number and reason."""
    rows = spreadsheets.read_rows(file.file.read(), file.filename or "upload.xlsx")
    return ImportReport(kind=kind, created=spreadsheets.import_rows(session, kind, rows, actor=actor, lang=lang))


def _readable_party(session: Session, actor: Party, party_id: str) -> Party:
    """The party, if the caller may read it; otherwise 404, as for a party that does not exist."""
    party = parties_service.get_party(session, party_id)
    if not permissions.may_read(actor, party):
        raise NotFound(f"没有编号为 {party_id} 的主体", message_en=f"no party {party_id}")
    return party


@router.get("/delegations", response_model=list[DelegationRead], responses={401: {}})
def list_delegations(actor: CurrentActor, session: DbSession) -> list[Delegation]:
    """The delegations the caller is party to (the admin: all), newest first."""
    return delegations.list_delegations(session, viewer=actor)


@router.post(
    "/delegations", response_model=DelegationRead, status_code=201, responses={400: {}, 401: {}, 403: {}, 404: {}}
)
def create_delegation(body: DelegationCreate, actor: AdminActor, session: DbSession) -> Delegation:
    """Let a platform record on an enterprise's behalf (the node's admin only)."""
    enterprise = _named_party(session, body.enterprise, "enterprise")
    platform = _named_party(session, body.platform, "platform")
    return delegations.delegate(
        session,
        enterprise,
        platform,
        classes=body.classes,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        actor=actor,
    )


@router.delete("/delegations/{delegation_id}", response_model=DelegationRead, responses={401: {}, 403: {}, 404: {}})
def revoke_delegation(delegation_id: str, actor: CurrentActor, session: DbSession) -> Delegation:
    """End a delegation now: the admin or the delegating enterprise."""
    return delegations.revoke(session, delegation_id, actor=actor)


def _named_party(session: Session, reference: str, field: str) -> Party:
    party = parties_service.find_party_by_identifier(session, reference)
    if party is None:
        raise NotFound(f"没有主体 {reference}", message_en=f"no party {reference}", parameter=field)
    return party
