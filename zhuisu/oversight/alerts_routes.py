"""Risk alerts over HTTP: the list and one alert in the reader's lane, their handling by regulators, and the admin's
full scan (the desk's 风险预警 page is the HTML twin). Bearer token or sign-in cookie (with its CSRF token)."""

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query

from zhuisu.auth.permissions import AdminActor, SignedInParty
from zhuisu.models import Alert
from zhuisu.oversight import alerts
from zhuisu.oversight.alerts_schemas import AlertRead, CloseAlert, ScanRead
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.web.deps import DbSession, SettingsDep

router = APIRouter(tags=["alerts"])
_AUTH: dict[int | str, dict[str, Any]] = {401: {}, 403: {}}


def alert_read(alert: Alert) -> AlertRead:
    read = AlertRead.model_validate(alert)
    read.trace = [f"/trace/{quote(code, safe='')}" for code in alert.codes]
    return read


@router.get("/alerts", response_model=list[AlertRead], responses={**_AUTH, 400: {}})
def list_alerts(
    party: SignedInParty,
    session: DbSession,
    settings: SettingsDep,
    rule: str | None = Query(None, description="A risk rule id (``zhuisu risk rules``)."),
    status: str | None = Query(None, description="new, acknowledged or closed."),
    severity: str | None = Query(None, description="high, medium or low."),
    region: str | None = Query(None, description="A GB/T 2260 prefix."),
    party_id: str | None = Query(None, alias="party", description="The answerable party's id."),
    limit: int = Query(200, ge=1, le=1000),
) -> list[AlertRead]:
    """Risk alerts in the reader's lane, newest first: the admin all; a regulator those about the parties it
    supervises (jurisdiction ∩ mandate); any other party those about itself."""
    found = alerts.list_alerts(
        session,
        reader=party,
        settings=settings,
        rule=rule,
        status=status,
        severity=severity,
        region=region,
        party=party_id,
        limit=limit,
    )
    return [alert_read(a) for a in found]


@router.post("/alerts/scan", response_model=ScanRead, responses=_AUTH)
def scan(party: AdminActor, session: DbSession, settings: SettingsDep) -> ScanRead:
    """Run every risk rule over the whole store now (the admin; the worker does it on its schedule)."""
    report = alerts.scan(session, config=RiskConfig.of(settings), trigger="api")
    return ScanRead.model_validate(report.to_json())


@router.get("/alerts/{alert_id}", response_model=AlertRead, responses={**_AUTH, 404: {}})
def get_alert(alert_id: int, party: SignedInParty, session: DbSession, settings: SettingsDep) -> AlertRead:
    """One risk alert in the reader's lane (404 outside it)."""
    return alert_read(alerts.get_alert(session, alert_id, reader=party, settings=settings))


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertRead, responses={**_AUTH, 404: {}, 409: {}})
def acknowledge(alert_id: int, party: SignedInParty, session: DbSession, settings: SettingsDep) -> AlertRead:
    """new → acknowledged, by a regulator in whose lane the alert is, or the admin (audited)."""
    return alert_read(alerts.acknowledge(session, alert_id, actor=party, settings=settings))


@router.post("/alerts/{alert_id}/close", response_model=AlertRead, responses={**_AUTH, 400: {}, 404: {}, 409: {}})
def close(
    alert_id: int, body: CloseAlert, party: SignedInParty, session: DbSession, settings: SettingsDep
) -> AlertRead:
    """→ closed with a handling note (400 without one; 409 when closed already), by a regulator in whose lane the
    alert is, or the admin (audited)."""
    return alert_read(alerts.close(session, alert_id, actor=party, settings=settings, note=body.note))
