"""A photo-like picture of a printed label: on a grey desk, rotated, blurred, scaled down, noisy, as JPEG."""

import io
import random

from PIL import Image, ImageDraw, ImageFilter


def photo_of(png: bytes, *, angle: float = 17.0, blur: float = 1.2, scale: float = 0.6, seed: int = 7) -> bytes:
    """``png`` (a rendered label) as a camera would see it, JPEG-compressed."""
    label = Image.open(io.BytesIO(png)).convert("L")
    desk = Image.new("L", (label.width * 2, label.height * 2), 120)
    ImageDraw.Draw(desk).rectangle((0, 0, desk.width, desk.height // 3), fill=150)  # uneven lighting
    desk.paste(label, (label.width // 2, label.height // 3))
    picture = desk.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=110)
    picture = picture.filter(ImageFilter.GaussianBlur(blur))
    picture = picture.resize((int(picture.width * scale), int(picture.height * scale)), Image.Resampling.LANCZOS)
    noise = random.Random(seed)
    pixels = picture.load()
    assert pixels is not None
    for _ in range(picture.width * picture.height // 20):
        x, y = noise.randrange(picture.width), noise.randrange(picture.height)
        pixels[x, y] = max(0, min(255, int(pixels[x, y]) + noise.randint(-40, 40)))  # type: ignore[arg-type]
    out = io.BytesIO()
    picture.convert("RGB").save(out, format="JPEG", quality=70)
    return out.getvalue()
