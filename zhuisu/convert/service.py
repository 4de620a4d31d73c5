"""Conversion between the EPCIS bindings: XML (1.2 or 2.0) ↔ JSON-LD (2.0), documents and query documents.

XML is read by ``zhuisu.capture.xml.reader`` and written as EPCIS 2.0 by ``writer``; the same events give the same
CBV 2.0 event hashes in either binding. Pure: no database.
"""

from typing import Any, Literal

import orjson

from zhuisu.capture.xml import reader, writer
from zhuisu.errors import InvalidInput

Format = Literal["xml", "json"]


def detect(raw: bytes) -> Format:
    """The binding of ``raw``: ``xml`` when it starts with ``<``, ``json`` when it starts with ``{``."""
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return "xml"
    if head == b"{":
        return "json"
    raise InvalidInput(
        "无法识别的文档格式：应为 EPCIS XML 或 JSON-LD",
        message_en="unrecognised document: expected EPCIS XML or JSON-LD",
    )


def to_json_ld(raw: bytes) -> dict[str, Any]:
    """An EPCIS document in either binding as a JSON-LD document dict."""
    if detect(raw) == "xml":
        return reader.read_document(raw)
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"不是有效的 JSON：{exc}", message_en=f"not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidInput("JSON-LD 文档应为对象", message_en="a JSON-LD document must be an object")
    return document


def convert(raw: bytes, target: Format) -> bytes:
    """``raw`` (XML or JSON-LD) in the ``target`` binding."""
    document = to_json_ld(raw)
    if target == "xml":
        return writer.write_document(document)
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def target_for(path_or_media: str, source: Format) -> Format:
    """The target binding named by a file name or media type; the other binding when neither says."""
    lowered = path_or_media.lower()
    if lowered.endswith((".xml", "/xml")):
        return "xml"
    if lowered.endswith((".json", ".jsonld", "/json", "/ld+json")):
        return "json"
    return "json" if source == "xml" else "xml"
