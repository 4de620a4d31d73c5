"""The GS1 EPCIS 2.0 REST binding's HTTP plumbing, shared by every route that speaks it: request bodies read
within the advertised capture limits, query documents rendered in the format the client negotiates (JSON-LD,
EPCIS 2.0 or 1.2 XML, ``GS1-EPC-Format`` / ``GS1-CBV-XML-Format``), and the paging headers."""

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from zhuisu.config import Settings
from zhuisu.epcis import formats, limits
from zhuisu.epcis.query.params import positive_int
from zhuisu.epcis.xml import writer, writer12
from zhuisu.errors import EmptyDocument, InvalidJson, NestedTooDeep, TooLarge, UnsupportedMediaType
from zhuisu.kit.time import format_iso
from zhuisu.web.deps import SettingsDep

JSON_TYPES = ("application/json", "application/ld+json", "")
XML_TYPES = ("application/xml", "text/xml")


def limit_headers(settings: Settings) -> dict[str, str]:
    return {
        "GS1-EPCIS-Capture-Limit": str(settings.capture_limit_events),
        "GS1-EPCIS-Capture-File-Size-Limit": str(settings.capture_limit_bytes),
    }


async def read_raw_body(request: Request, settings: Settings, allowed: tuple[str, ...]) -> tuple[str, bytes]:
    """The request's media type and body; 413 before reading when it is larger than the advertised limit."""
    limit = settings.capture_limit_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in allowed:
        shown = "application/json 或 application/ld+json" if allowed == JSON_TYPES else "JSON-LD 或 XML"
        shown_en = "application/json or application/ld+json" if allowed == JSON_TYPES else "JSON-LD or XML"
        raise UnsupportedMediaType(
            f"不支持的内容类型 {media}，请使用 {shown}",
            message_en=f"unsupported content type {media}; send {shown_en}",
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise EmptyDocument(
            "请求体为空：需要一个 EPCIS 文档", message_en="empty request body: an EPCIS document is required"
        )
    return media, raw


def _too_large(size: int, limit: int) -> TooLarge:
    return TooLarge(
        f"请求体 {size} 字节，超过上限 {limit} 字节",
        message_en=f"body of {size} bytes exceeds the limit of {limit} bytes",
    )


#: A body deeper than the parser's own limit (orjson's 1,024 levels) is read token by token for the pointer, at about
#: 2 MB/s: past this many characters it is refused without one.
_POINTER_SCAN_LIMIT = 1 << 20


def parse_json(raw: bytes) -> Any:
    """The body as JSON: well-formed (invalid Unicode such as a lone surrogate refused, never replaced) and nested
    at most ``limits.MAX_DEPTH`` deep. Raises InvalidJson or NestedTooDeep (400, naming the pointer)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if _too_deep_to_parse(exc):
            raise nested_too_deep(limits.deeper_than_text(raw) if exc.pos <= _POINTER_SCAN_LIMIT else None) from None
        raise InvalidJson(f"请求体不是有效的 JSON：{exc}", message_en=f"the body is not valid JSON: {exc}") from None
    pointer = limits.deeper_than(value)
    if pointer is not None:
        raise nested_too_deep(pointer)
    return value


def too_deep_pointer(raw: bytes) -> str | None:
    """Where JSON text nests deeper than ``limits.MAX_DEPTH`` (its pointer; ``""`` when too deep to tell), or None:
    nested within the limit, or not JSON at all (which the route refuses)."""
    if raw.count(b"[") + raw.count(b"{") <= limits.MAX_DEPTH:  # too few containers to nest that deep
        return None
    try:
        return limits.deeper_than(orjson.loads(raw))
    except orjson.JSONDecodeError as exc:
        if not _too_deep_to_parse(exc):
            return None
        return (limits.deeper_than_text(raw) if exc.pos <= _POINTER_SCAN_LIMIT else None) or ""


def nested_too_deep(pointer: str | None) -> NestedTooDeep:
    """The error for a body nested deeper than ``limits.MAX_DEPTH``, at ``pointer`` (None or empty: not known)."""
    if not pointer:
        return NestedTooDeep(
            f"请求体嵌套超过 {limits.MAX_DEPTH} 层",
            message_en=f"the body is nested more than {limits.MAX_DEPTH} levels deep",
            pointer="",
        )
    return NestedTooDeep(
        f"请求体嵌套超过 {limits.MAX_DEPTH} 层（{pointer}）",
        message_en=f"the body is nested more than {limits.MAX_DEPTH} levels deep (at {pointer})",
        pointer=pointer,
    )


def _too_deep_to_parse(exc: orjson.JSONDecodeError) -> bool:
    return "depth limit" in str(exc) or "recursion" in str(exc).lower()


async def read_json_body(request: Request, settings: SettingsDep) -> Any:
    """The request body parsed as JSON; 413 before parsing when it is larger than the advertised limit."""
    _, raw = await read_raw_body(request, settings, JSON_TYPES)
    return parse_json(raw)


def page_size(request: Request, settings: Settings) -> int:
    """The request's ``perPage`` (a positive integer, capped by the settings), or the default page size."""
    if "perPage" not in request.query_params:
        return settings.query_default_per_page
    return min(positive_int("perPage", request.query_params["perPage"]), settings.query_max_per_page)


def next_page_headers(request: Request, path: str, token: str | None, expires: datetime | None) -> dict[str, str]:
    """The binding's ``Link: <…>; rel="next"`` (the request's parameters with the new token) and
    ``GS1-Next-Page-Token-Expires`` headers; none on the last page."""
    if not token or not expires:
        return {}
    rest = [(k, v) for k, v in request.query_params.multi_items() if k != "nextPageToken"]
    url = f"{path}?{urlencode([*rest, ('nextPageToken', token)])}"
    return {"Link": f'<{url}>; rel="next"', "GS1-Next-Page-Token-Expires": format_iso(expires)}


def wants_xml(request: Request) -> bool:
    """Whether the client asked for XML (``Accept: application/xml`` or ``text/xml``) before JSON."""
    accept = request.headers.get("accept", "").lower()
    ranked = [part.split(";")[0].strip() for part in accept.split(",")]
    xml = [i for i, media in enumerate(ranked) if media in ("application/xml", "text/xml")]
    json = [i for i, media in enumerate(ranked) if media in ("application/json", "application/ld+json")]
    return bool(xml) and (not json or xml[0] < json[0])


def render(
    request: Request,
    document: dict[str, Any],
    *,
    headers: dict[str, str] | None = None,
    json_type: str | None = "application/ld+json",
) -> Response:
    """A query document as JSON-LD, or as EPCIS 2.0 XML when the client asks for XML (EPCIS 1.2 XML when it also
    sends ``GS1-EPCIS-Version: 1.2.0``), with its identifiers and CBV values in the forms ``GS1-EPC-Format`` /
    ``GS1-CBV-XML-Format`` ask for."""
    xml = wants_xml(request)
    chosen = formats.negotiate(request.headers)
    document = formats.apply(document, chosen, xml=xml)
    headers = {**(headers or {}), **formats.response_headers(chosen, xml=xml)}
    if xml and request.headers.get("gs1-epcis-version", "").strip() in ("1.2", "1.2.0"):
        headers["GS1-EPCIS-Version"] = "1.2.0"
        return Response(writer12.write_document(document).xml, headers=headers, media_type="application/xml")
    if xml:
        return Response(writer.write_document(document), headers=headers, media_type="application/xml")
    if json_type is None or "application/ld+json" not in request.headers.get("accept", "").lower():
        # The binding documents application/json; JSON-LD's own type only for a client that asks for it.
        return JSONResponse(document, headers=headers)
    return JSONResponse(document, headers=headers, media_type=json_type)
