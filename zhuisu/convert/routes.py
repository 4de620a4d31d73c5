"""``POST /convert``: an EPCIS document in one binding, answered in the other (or the one ``Accept`` names)."""

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from zhuisu.capture import routes as capture_routes
from zhuisu.convert import service
from zhuisu.web.deps import SettingsDep

router = APIRouter(tags=["convert"])
_MEDIA = {"xml": "application/xml", "json": "application/ld+json"}


@router.post("/convert", responses={400: {}, 413: {}, 415: {}})
async def convert(request: Request, settings: SettingsDep) -> Response:
    """Convert EPCIS XML (1.2 or 2.0) to JSON-LD 2.0, or JSON-LD to EPCIS 2.0 XML. ``Accept: application/xml`` or
    ``application/ld+json`` picks the target; by default the answer is in the other binding. Nothing is stored."""
    _, raw = await capture_routes.read_raw_body(
        request, settings, (*capture_routes.JSON_MEDIA_TYPES, *capture_routes.XML_TYPES)
    )
    source = service.detect(raw)
    accept = request.headers.get("accept", "").split(",")[0].split(";")[0].strip()
    target = service.target_for(accept, source)
    return Response(service.convert(raw, target), media_type=_MEDIA[target])
