"""``POST /convert``: an EPCIS document in one binding, answered in the other (or the one ``Accept`` names)."""

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from zhuisu.convert import service
from zhuisu.web import epcis_http
from zhuisu.web.deps import SettingsDep

router = APIRouter(tags=["convert"])
_MEDIA = {"xml": "application/xml", "json": "application/ld+json"}
_VERSION_HEADER = "GS1-EPCIS-Version"


@router.post("/convert", responses={400: {}, 413: {}, 415: {}})
async def convert(request: Request, settings: SettingsDep, epcis_version: str | None = None) -> Response:
    """Convert EPCIS XML (1.2 or 2.0) to JSON-LD 2.0, or JSON-LD to EPCIS XML. ``Accept: application/xml`` or
    ``application/ld+json`` picks the target; by default the answer is in the other binding. XML is EPCIS 2.0, or
    1.2 with ``?epcis_version=1.2`` or the request header ``GS1-EPCIS-Version: 1.2.0`` (echoed in the response).
    Nothing is stored."""
    version = service.epcis_version(epcis_version or request.headers.get(_VERSION_HEADER))
    _, raw = await epcis_http.read_raw_body(request, settings, (*epcis_http.JSON_TYPES, *epcis_http.XML_TYPES))
    source = service.detect(raw)
    accept = request.headers.get("accept", "").split(",")[0].split(";")[0].strip()
    target = service.target_for(accept, source)
    headers = {_VERSION_HEADER: service.VERSION_HEADER[version]} if target == "xml" else {}
    return Response(service.convert(raw, target, version), media_type=_MEDIA[target], headers=headers)
