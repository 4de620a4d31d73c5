"""JSON endpoints of the catalog: classes, data elements and rules in effect, releases, coverage, flags."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from zhuisu.auth import roles
from zhuisu.auth.permissions import AdminActor, CurrentActor, OversightParty
from zhuisu.catalog import coverage as coverage_service
from zhuisu.catalog import permissions, service
from zhuisu.catalog.schemas import FlagRead, ReleaseRead
from zhuisu.web.deps import MAX_INT64, DbSession, SettingsDep

router = APIRouter(prefix="/api/v1", tags=["catalog"])
OnDate = Annotated[date | None, Query(description="Catalog in effect on this date (default today).")]


@router.get("/catalog/classes")
def list_classes(
    session: DbSession,
    on: OnDate = None,
    region: Annotated[str | None, Query(description="Only local catalogs covering it.")] = None,
) -> list[dict[str, Any]]:
    """The catalog's classes in effect: national, then local ones."""
    return [c.to_json() for c in service.list_classes(session, on=on, region=region)]


@router.get("/catalog/classes/{class_id}", responses={400: {}})
def get_class(class_id: str, session: DbSession, on: OnDate = None) -> dict[str, Any]:
    """One class with the rules that apply to it (its own and its ancestors')."""
    return {
        **service.get_class(session, class_id, on=on).to_json(),
        "rules": [r.to_json() for r in service.list_rules(session, on=on, class_id=class_id)],
    }


@router.get("/catalog/elements")
def list_elements(session: DbSession, on: OnDate = None) -> dict[str, Any]:
    """The data elements rules can require, with their names and where in an event they are read."""
    return service.element_names(session, on=on)


@router.get("/catalog/rules")
def list_rules(
    session: DbSession, on: OnDate = None, class_id: Annotated[str | None, Query(alias="class")] = None
) -> list[dict[str, Any]]:
    return [r.to_json() for r in service.list_rules(session, on=on, class_id=class_id)]


@router.get("/catalog/releases", response_model=list[ReleaseRead])
def list_releases(session: DbSession) -> list[ReleaseRead]:
    builtin = {r.digest for r in service.builtin_releases()}
    return [
        ReleaseRead(
            scope=r.scope,
            region=r.region or None,
            version=r.version,
            effective_from=r.effective_from,
            digest=r.digest,
            builtin=r.digest in builtin,
        )
        for r in service.list_releases(session)
    ]


@router.post("/catalog/releases", status_code=201, responses={400: {}, 401: {}, 403: {}, 409: {}})
def load_release(document: dict[str, Any], actor: AdminActor, session: DbSession) -> dict[str, Any]:
    """Load a catalog release (a local catalog, or a newer national version); loading it twice is harmless. The
    node's admin only."""
    row, created = service.load_release(session, document, actor=actor)
    return {"id": row.id if row else None, "created": created}


@router.get("/coverage", responses={401: {}, 403: {}})
def get_coverage(
    party: OversightParty,
    session: DbSession,
    settings: SettingsDep,
    window_days: Annotated[int | None, Query(ge=1, le=3650)] = None,
    region: Annotated[str, Query(description="GB/T 2260 prefix, e.g. 3706.")] = "",
) -> list[dict[str, Any]]:
    """Coverage per top-level class and region against the class's target, for a regulator (within its jurisdiction:
    a ``region`` outside it is narrowed back to it) or the admin."""
    region = roles.within(roles.region_scope(party), region)
    rows = coverage_service.coverage(
        session, window_days=window_days or settings.coverage_window_days, region_prefix=region
    )
    return [row.to_json() for row in rows]


@router.get("/catalog/flags", response_model=list[FlagRead], responses={401: {}})
def list_flags(
    actor: CurrentActor,
    session: DbSession,
    class_id: Annotated[str | None, Query(alias="class")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_INT64)] = 0,
) -> list[FlagRead]:
    """Events accepted with missing data elements (classes configured to flag): the caller's own; a regulator's,
    those recorded by parties of its jurisdiction; the admin's, all."""
    return [
        FlagRead(
            id=f.id,
            event_id=event_id,
            recorder_id=f.recorder_id,
            class_id=f.class_id,
            rule_id=f.rule_id,
            release=f.release,
            elements=f.elements,
            created_at=f.created_at,
        )
        for f, event_id in service.list_flags(
            session, scope=permissions.flag_scope(actor), class_prefix=class_id, limit=limit, offset=offset
        )
    ]
