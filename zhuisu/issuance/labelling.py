"""Label sheets (PDF) for issued batches or for any list of codes."""

from collections.abc import Sequence

from zhuisu.errors import TooLarge
from zhuisu.labels.payload import human_text, symbol_payload
from zhuisu.labels.sheet import Label, Symbology, label_sheet_pdf
from zhuisu.models import CodeBatch, Party


def batch_title(batch: CodeBatch, party: Party) -> str:
    """The product line of a batch's labels: product name (else its code or GTIN), lot, and the party."""
    product = batch.product_name or batch.product_code or batch.gtin or ""
    lot = f" 批号 {batch.lot}" if batch.lot else ""
    return f"{product}{lot} {party.name}".strip()


def codes_pdf(
    codes: Sequence[str],
    *,
    title: str = "",
    symbology: Symbology = "qr",
    max_labels: int = 10_000,
    node: str | None = None,
    gs1_domain: bool = False,
) -> bytes:
    """A label sheet of ``codes``, each label carrying ``title`` under its human-readable code; a QR Code carries
    the code's page on ``node`` (``labels.payload.resolver_url``).

    Raises:
        TooLarge: more than ``max_labels`` codes.
        InvalidCode / NotEncodable: see :func:`zhuisu.labels.payload.symbol_payload`.
    """
    if len(codes) > max_labels:
        raise TooLarge(
            f"一个 PDF 最多 {max_labels} 个标签，请求了 {len(codes)} 个",
            message_en=f"a PDF holds at most {max_labels} labels; {len(codes)} were asked for",
            field="count",
        )
    labels = [
        Label(
            code=symbol_payload(code, symbology, node=node, gs1_domain=gs1_domain), text=human_text(code), title=title
        )
        for code in codes
    ]
    return label_sheet_pdf(labels, symbology=symbology)
