"""Read the symbols in a picture (a photo or scan of a label) with zxing-cpp, and recognise what each carries.

zxing-cpp finds and decodes every QR Code, DataMatrix and linear barcode it can in the image, rotated, skewed
or blurred within reason (``try_rotate``, ``try_downscale``, ``try_invert``). GS1 symbols are returned with
their ISO/IEC 15424 symbology identifier (``]d2``, ``]Q3``, ``]C1``, ``]e0``), so the recogniser reads them
as GS1 element strings and not as plain text.
"""

import io
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from zhuisu.codes.recognize import Recognition, recognize
from zhuisu.labels.errors import UnreadableImage

_MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class ScannedSymbol:
    """One symbol found in an image."""

    symbology: str
    """The zxing-cpp format name, e.g. ``QRCode``, ``DataMatrix``, ``EAN13``."""
    text: str
    """What the symbol carries, as the recogniser was given it (GS1 symbols with their identifier)."""
    recognition: Recognition


def read_image(data: bytes) -> list[ScannedSymbol]:
    """Every symbol zxing-cpp decodes in the image ``data`` (PNG, JPEG, …), top-left first.

    Raises:
        UnreadableImage: ``data`` is not an image Pillow can open.
    """
    image = _open(data)
    barcodes = zxingcpp.read_barcodes(image, try_rotate=True, try_downscale=True, try_invert=True)
    barcodes = sorted(barcodes, key=lambda b: (b.position.top_left.y, b.position.top_left.x))
    symbols = []
    for barcode in barcodes:
        text = barcode.text
        if barcode.content_type == zxingcpp.ContentType.GS1:
            text = barcode.symbology_identifier + text
        symbols.append(ScannedSymbol(symbology=barcode.format.name, text=text, recognition=recognize(text)))
    return symbols


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > _MAX_PIXELS:
            raise UnreadableImage(
                f"图片过大（{image.width}x{image.height}）",
                message_en=f"image too large ({image.width}x{image.height})",
                field="image",
            )
        return ImageOps.exif_transpose(image).convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UnreadableImage(
            "无法读取图片：请上传 PNG 或 JPEG 照片", message_en=f"cannot read the image: {exc}", field="image"
        ) from exc
