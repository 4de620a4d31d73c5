"""Reading codes over HTTP, no database involved: ``POST /codes/scan`` (text or a photo), single-code labels.

``POST /codes/scan`` takes JSON ``{"text": "…"}`` or a ``multipart/form-data`` upload with the picture in the
field ``image``; every symbol found in the picture is decoded (zxing-cpp) and recognised. Each result is
``recognize(...).to_json()`` plus the ``symbology`` it was read from (``null`` for text) and the ``text`` read.
"""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from zhuisu.auth.permissions import CurrentActor
from zhuisu.codes.recognize import recognize
from zhuisu.config import Settings
from zhuisu.errors import InvalidInput, TooLarge
from zhuisu.labels.payload import ImageFormat, code_image
from zhuisu.labels.scan import read_image
from zhuisu.labels.sheet import Symbology
from zhuisu.web.deps import SettingsDep

router = APIRouter(tags=["codes"])
_MEDIA = {"png": "image/png", "svg": "image/svg+xml"}


@router.post("/codes/scan", responses={400: {}, 401: {}, 413: {}})
async def scan(request: Request, actor: CurrentActor, settings: SettingsDep) -> dict[str, Any]:
    """Recognise a scanned string, or every code in a photo of a label."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        image = await _uploaded_image(request, settings.scan_max_image_bytes)
        symbols = await run_in_threadpool(read_image, image)
        results = [{**s.recognition.to_json(), "symbology": s.symbology, "text": s.text} for s in symbols]
        return {"source": "image", "results": results}
    text = _text_field(await request.body())
    return {"source": "text", "results": [{**recognize(text).to_json(), "symbology": None, "text": text}]}


def _text_field(raw: bytes) -> str:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        body = None
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise InvalidInput(
            '请发送 JSON {"text": "…"}，或以 multipart/form-data 上传图片（字段 image）',
            message_en='send JSON {"text": "…"} or a multipart/form-data upload with the picture in field "image"',
            field="text",
        )
    return text


async def _uploaded_image(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise _too_large(int(declared), limit)
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("image")
        if not isinstance(upload, UploadFile):
            raise InvalidInput(
                "请以 multipart/form-data 上传图片，字段名为 image",
                message_en='upload the picture as multipart/form-data field "image"',
                field="image",
            )
        data = await upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    return data


def _too_large(size: int, limit: int) -> TooLarge:
    return TooLarge(
        f"图片 {size} 字节，超过上限 {limit} 字节",
        message_en=f"image of {size} bytes exceeds {limit} bytes",
        field="image",
    )


def _label(
    code: str, image_format: ImageFormat, symbology: Symbology, scale: int, settings: Settings, node: bool
) -> Response:
    image = code_image(
        code,
        image_format=image_format,
        symbology=symbology,
        scale=scale,
        node=settings.base_url if node else None,
        gs1_domain=settings.labels_gs1_resolver,
    )
    return Response(image, media_type=_MEDIA[image_format])


SymbologyQuery = Annotated[Symbology, Query(description="qr (default), or datamatrix / gs1_qr for GS1 codes")]
ScaleQuery = Annotated[int, Query(ge=1, le=40, description="Pixels per module")]
LinkQuery = Annotated[
    bool,
    Query(description="QR Code only: carry the code's page on this node (as labels do; default), or the bare code"),
]


@router.get("/codes/{code:path}/label.png", response_class=Response, responses={400: {}, 401: {}})
def label_png(
    code: str,
    actor: CurrentActor,
    settings: SettingsDep,
    symbology: SymbologyQuery = "qr",
    scale: ScaleQuery = 10,
    link: LinkQuery = True,
) -> Response:
    """One code's symbol as a PNG (1-bit, quiet zone included)."""
    return _label(code, "png", symbology, scale, settings, link)


@router.get("/codes/{code:path}/label.svg", response_class=Response, responses={400: {}, 401: {}})
def label_svg(
    code: str,
    actor: CurrentActor,
    settings: SettingsDep,
    symbology: SymbologyQuery = "qr",
    scale: ScaleQuery = 10,
    link: LinkQuery = True,
) -> Response:
    """One code's symbol as an SVG (vector, one path)."""
    return _label(code, "svg", symbology, scale, settings, link)
