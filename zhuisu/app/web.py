"""The FastAPI application factory; the engine and sessionmaker are built in the lifespan, never at import."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import HTMLResponse

from zhuisu import __version__
from zhuisu.app import wiring
from zhuisu.app.audit import AuditMiddleware
from zhuisu.auth import pages as auth_pages
from zhuisu.auth import service as auth_service
from zhuisu.browse import routes as browse_routes
from zhuisu.capture import jobs as capture_jobs
from zhuisu.capture import routes as capture_routes
from zhuisu.catalog import routes as catalog_routes
from zhuisu.config import Settings
from zhuisu.console import pages as console_pages
from zhuisu.console import routes as console_routes
from zhuisu.convert import routes as convert_routes
from zhuisu.db.engine import engine_from_settings, make_engine, make_sessionmaker
from zhuisu.errors import TooManyRequests
from zhuisu.events import routes as events_routes
from zhuisu.exchange.federation import routes as federation_routes
from zhuisu.exchange.federation import sender as federation_sender
from zhuisu.exchange.notices import routes as notices_routes
from zhuisu.exchange.subscriptions import routes as subscriptions_routes
from zhuisu.exchange.subscriptions import worker as subscriptions_worker
from zhuisu.issuance import codes_routes
from zhuisu.issuance import routes as issuance_routes
from zhuisu.ledger import routes as ledger_routes
from zhuisu.ledger import upkeep as ledger_upkeep
from zhuisu.oversight import alerts as oversight_alerts
from zhuisu.oversight import alerts_routes
from zhuisu.oversight import pages as dashboard_pages
from zhuisu.oversight import routes as dashboard_routes
from zhuisu.oversight.inspections import pages as inspections_pages
from zhuisu.oversight.inspections import routes as inspections_routes
from zhuisu.parties import routes as parties_routes
from zhuisu.portal import pages as portal_pages
from zhuisu.portal import prebuild as portal_prebuild
from zhuisu.portal import routes as portal_routes
from zhuisu.recall import pages as recall_pages
from zhuisu.recall import routes as recall_routes
from zhuisu.sectors.canteen import pages as canteen_pages
from zhuisu.sectors.canteen import routes as canteen_routes
from zhuisu.sectors.coldchain import pages as coldchain_pages
from zhuisu.sectors.coldchain import routes as coldchain_routes
from zhuisu.sectors.equipment import pages as equipment_pages
from zhuisu.sectors.equipment import routes as equipment_routes
from zhuisu.sectors.farm import pages as farm_pages
from zhuisu.sectors.farm import routes as farm_routes
from zhuisu.sectors.hazardous import pages as hazardous_pages
from zhuisu.sectors.hazardous import routes as hazardous_routes
from zhuisu.sectors.imports import pages as imports_pages
from zhuisu.sectors.imports import routes as imports_routes
from zhuisu.sectors.market import pages as market_pages
from zhuisu.sectors.market import routes as market_routes
from zhuisu.sectors.rareearth import pages as rareearth_pages
from zhuisu.sectors.rareearth import routes as rareearth_routes
from zhuisu.trace import routes as trace_routes
from zhuisu.web import epcis_http, errors, options
from zhuisu.web import rendering as portal_rendering
from zhuisu.web.guards import NulGuardMiddleware
from zhuisu.web.headers import HeadersMiddleware

EPCIS_HEADERS = {
    "GS1-EPCIS-Version": "2.0.0",
    "GS1-CBV-Version": "2.0.0",
    "GS1-Vendor-Version": f"zhuisu-{__version__}",
}


#: The pages of a signed-in party (and their JSON twins, and the sign-in page), and what a complaint's reference
#: number shows: no cache keeps them.
_SIGNED_IN_PAGES = (
    "/dashboard",
    "/console",
    "/market",
    "/api/v1/market",
    "/farm/certificates",
    "/farm/receive",
    "/imports/lots",
    "/api/v1/dashboard",
    "/api/v1/console",
    "/canteen",
    "/api/v1/canteen",
    "/signin",
    "/evaluation",
    "/ledger/verifications",
    "/complaint",
    "/api/v1/portal/complaints",
)


def _story_builder(maker: sessionmaker[Session], settings: Settings) -> portal_prebuild.Prebuilder | None:
    """The portal's story builder of this process (it builds only while it holds the lease): with the background
    worker, unless turned off."""
    if not (settings.subscriptions_worker and settings.portal_prebuild):
        return None
    return portal_prebuild.Prebuilder(maker, portal_prebuild.ledger_key(settings))


def create_app(settings: Settings) -> FastAPI:
    """A zhuisu node serving ``settings``' database. The schema must be migrated (``zhuisu db upgrade``)."""
    wiring.connect()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = not hasattr(app.state, "sessionmaker")
        if owned:
            engine = engine_from_settings(settings)
            app.state.sessionmaker = make_sessionmaker(engine, settings)
        replica = make_engine(settings.database_replica_url) if settings.database_replica_url else None
        if replica is not None:
            app.state.read_sessionmaker = make_sessionmaker(replica, settings)
        # Start-up is a writer: sign what was written without a checkpoint (a bulk load, a restore), so no read has to.
        ledger_upkeep.sign_if_grown(app.state.sessionmaker, app.state.settings)
        worker = subscriptions_worker.Worker(
            app.state.sessionmaker,
            app.state.settings,
            also=[
                partial(ledger_upkeep.round_, app.state.sessionmaker, app.state.settings),
                partial(
                    capture_jobs.resume,
                    app.state.sessionmaker,
                    lease_seconds=app.state.settings.capture_job_lease_seconds,
                ),
                # The risk rules' full scan (receipt windows, recording gaps), when one is due.
                partial(oversight_alerts.scan_if_due, app.state.sessionmaker, app.state.settings),
                # Sign-in sessions long ended or expired.
                partial(auth_service.sweep_sessions, app.state.sessionmaker),
                # The events waiting for the parent node (federation).
                partial(federation_sender.round_, app.state.sessionmaker, app.state.settings),
            ],
        )
        builder = _story_builder(app.state.sessionmaker, app.state.settings)
        if app.state.settings.subscriptions_worker:
            worker.start()
        if builder is not None:
            builder.start(app.state.settings.subscriptions_poll_seconds)
        app.state.subscriptions_worker = worker
        yield
        worker.stop()
        if builder is not None:
            builder.stop()
        if replica is not None:
            replica.dispose()
        if owned:
            engine.dispose()

    app = FastAPI(
        title="zhuisu 追溯",
        version=__version__,
        lifespan=lifespan,
        description=(
            "重要产品追溯节点 — GS1 EPCIS 2.0 capture and query. Authenticate with `Authorization: Bearer <token>`."
        ),
        # Served below from the node's own files: government networks are often offline, so no CDN.
        docs_url=None,
        redoc_url=None,
    )

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="zhuisu 追溯 — API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="data:,",
        )

    app.state.settings = settings
    app.state.default_language = settings.default_language
    errors.install(app)
    options.install(app)
    # First, so the public pages (the hot path) match without walking every other route; its Digital Link paths
    # (/01/…, /00/…, /414/… — see portal.service.PRIMARY_KEYS) clash with no other router's.
    app.include_router(portal_pages.router)
    app.include_router(capture_routes.router)
    app.include_router(events_routes.router)
    app.include_router(convert_routes.router)
    app.include_router(subscriptions_routes.router)
    app.include_router(notices_routes.router)
    app.include_router(federation_routes.router)
    app.include_router(browse_routes.router)
    app.include_router(codes_routes.router)  # before issuance: its GET /codes/{code:path} takes any path
    app.include_router(issuance_routes.router)
    app.include_router(ledger_routes.router)
    app.include_router(catalog_routes.router)
    app.include_router(parties_routes.router)
    app.include_router(recall_routes.router)  # before trace's /trace/{code:path}
    app.include_router(trace_routes.router)
    app.include_router(portal_routes.router)
    app.include_router(auth_pages.router)
    app.include_router(dashboard_routes.router)
    app.include_router(dashboard_routes.audit_router)
    app.include_router(dashboard_routes.evaluation_router)
    app.include_router(dashboard_routes.credit_router)
    app.include_router(dashboard_routes.public_router)
    app.include_router(dashboard_pages.router)
    app.include_router(dashboard_pages.public_router)
    app.include_router(inspections_routes.router)
    app.include_router(inspections_pages.router)
    app.include_router(recall_pages.router)
    app.include_router(alerts_routes.router)
    app.include_router(hazardous_routes.router)
    app.include_router(hazardous_pages.router)
    app.include_router(market_routes.router)
    app.include_router(market_pages.router)
    app.include_router(coldchain_routes.router)
    app.include_router(coldchain_pages.router)
    app.include_router(console_routes.router)
    app.include_router(console_pages.router)
    app.include_router(equipment_routes.router)
    app.include_router(equipment_pages.router)
    app.include_router(canteen_routes.router)
    app.include_router(canteen_pages.router)
    app.include_router(farm_routes.router)
    app.include_router(farm_pages.router)
    app.include_router(imports_routes.router)
    app.include_router(imports_pages.router)
    app.include_router(rareearth_routes.router)
    app.include_router(rareearth_pages.router)
    app.include_router(portal_pages.compressed_router)  # last: one path segment, any other route first
    app.add_exception_handler(TooManyRequests, portal_rendering.too_many_requests)
    app.mount("/static", StaticFiles(directory=portal_rendering.STATIC_DIR), name="static")

    app.add_middleware(NulGuardMiddleware)
    app.add_middleware(AuditMiddleware, state=app.state)
    app.add_middleware(
        HeadersMiddleware,
        always=list(EPCIS_HEADERS.items()),
        by_prefix=lambda: [
            ("/capture", list(epcis_http.limit_headers(app.state.settings).items())),
            # the signed-in pages carry a party's data and its session's CSRF token: no cache keeps them
            *((prefix, [("Cache-Control", "no-store")]) for prefix in _SIGNED_IN_PAGES),
        ],
    )

    @app.get("/", tags=["node"])
    def about() -> dict[str, Any]:
        """What this node is and where its API documentation lives; ``member`` lists the EPCIS top-level resources
        (the REST binding's ``GET /``)."""
        return {
            **browse_routes.top_level(),
            "name": "zhuisu 追溯",
            "version": __version__,
            "epcisVersion": "2.0.0",
            "docs": "/docs",
            "openapi": "/openapi.json",
            "capture": "/capture",
            "events": "/events",
        }

    return app
