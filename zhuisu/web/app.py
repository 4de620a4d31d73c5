"""The FastAPI application factory; the engine and sessionmaker are built in the lifespan, never at import."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from zhuisu import __version__
from zhuisu.capture import routes as capture_routes
from zhuisu.config import Settings
from zhuisu.db.engine import engine_from_settings, make_sessionmaker
from zhuisu.events import routes as events_routes
from zhuisu.web import errors

EPCIS_HEADERS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0", "GS1-Vendor-Version": f"zhuisu-{__version__}"}


def create_app(settings: Settings) -> FastAPI:
    """A zhuisu node serving ``settings``' database. The schema must be migrated (``zhuisu db upgrade``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = not hasattr(app.state, "sessionmaker")
        if owned:
            engine = engine_from_settings(settings)
            app.state.sessionmaker = make_sessionmaker(engine)
        yield
        if owned:
            engine.dispose()

    app = FastAPI(
        title="zhuisu 追溯", version=__version__, lifespan=lifespan,
        description="重要产品追溯节点 — GS1 EPCIS 2.0 capture and query. Authenticate with `Authorization: Bearer <token>`.",
    )
    app.state.settings = settings
    app.state.default_language = settings.default_language
    errors.install(app)
    app.include_router(capture_routes.router)
    app.include_router(events_routes.router)

    @app.middleware("http")
    async def epcis_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for name, value in EPCIS_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/capture"):
            for name, value in capture_routes.limit_headers(settings).items():
                response.headers.setdefault(name, value)
        return response

    @app.get("/", tags=["node"])
    def about() -> dict[str, Any]:
        """What this node is and where its API documentation lives."""
        return {"name": "zhuisu 追溯", "version": __version__, "epcisVersion": "2.0.0",
                "docs": "/docs", "openapi": "/openapi.json", "capture": "/capture", "events": "/events"}

    return app
