"""Conversion between the EPCIS bindings: XML (1.2 or 2.0) ↔ JSON-LD (2.0), documents and query documents.

XML is read by ``zhuisu.epcis.xml.reader`` and written as EPCIS 2.0 by ``writer`` (or as EPCIS 1.2 by
``writer12`` when version 1.2 is asked for); the same events give the same CBV 2.0 event hashes in either binding.
Pure: no database.
"""

from typing import Any, Literal

import orjson

from zhuisu.epcis.xml import reader, writer, writer12
from zhuisu.errors import InvalidInput

Format = Literal["xml", "json"]
Version = Literal["2.0", "1.2"]
#: ``GS1-EPCIS-Version`` values (and ``--epcis-version`` spellings) → the XML version written.
_VERSIONS: dict[str, Version] = {"": "2.0", "2": "2.0", "2.0": "2.0", "2.0.0": "2.0", "1.2": "1.2", "1.2.0": "1.2"}
#: The ``GS1-EPCIS-Version`` response header of each version.
VERSION_HEADER: dict[Version, str] = {"2.0": "2.0.0", "1.2": "1.2.0"}


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


def epcis_version(value: str | None) -> Version:
    """The EPCIS version named by ``value`` (``1.2``, ``1.2.0``, ``2.0``, ``2.0.0``; absent: 2.0); 400 otherwise."""
    chosen = _VERSIONS.get((value or "").strip())
    if chosen is None:
        raise InvalidInput(
            f"不支持的 EPCIS 版本：{value}（应为 1.2 或 2.0）",
            message_en=f"unsupported EPCIS version: {value} (expected 1.2 or 2.0)",
        )
    return chosen


def convert(raw: bytes, target: Format, version: Version = "2.0") -> bytes:
    """``raw`` (XML or JSON-LD) in the ``target`` binding (XML in EPCIS ``version``)."""
    return convert_with_warnings(raw, target, version)[0]


def convert_with_warnings(raw: bytes, target: Format, version: Version = "2.0") -> tuple[bytes, list[str]]:
    """``raw`` in the ``target`` binding, and what EPCIS 1.2 XML holds only in extensions (``writer12``)."""
    document = to_json_ld(raw)
    if target == "xml" and version == "1.2":
        written = writer12.write_document(document)
        return written.xml, written.warnings
    if target == "xml":
        return writer.write_document(document), []
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n", []


def target_for(path_or_media: str, source: Format) -> Format:
    """The target binding named by a file name or media type; the other binding when neither says."""
    lowered = path_or_media.lower()
    if lowered.endswith((".xml", "/xml")):
        return "xml"
    if lowered.endswith((".json", ".jsonld", "/json", "/ld+json")):
        return "json"
    return "json" if source == "xml" else "xml"
