"""Deterministic output pictures that visibly reflect the request, captioned with its prompt."""

from __future__ import annotations

import hashlib
import io
import random
import textwrap

from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from simulator.validation import GenerationRequest

ACCEPTED_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
Color = tuple[int, int, int]
_PALETTE: tuple[tuple[tuple[str, ...], Color], ...] = (
    (("golden", "warm", "sunset", "sun", "amber", "orange"), (255, 166, 60)),
    (("night", "moon", "cold", "blue", "cool", "winter"), (70, 110, 255)),
    (("noir", "shadow", "dark"), (40, 40, 60)),
    (("red",), (220, 40, 40)),
    (("green", "forest", "jungle"), (60, 170, 80)),
    (("pink", "neon"), (255, 80, 200)),
)


def inspect(data: bytes, media_type: str) -> str | None:
    """The failure code an uploaded image earns during processing, or None if it is usable."""
    if media_type not in ACCEPTED_TYPES:
        return "unsupported_format"
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return "corrupt_input"
    return None


def render(request: GenerationRequest, source: bytes | None, long_side: int,
           references: tuple[bytes, ...] = ()) -> tuple[bytes, str]:
    """The output bytes and their media type; same request and inputs ⇒ same bytes."""
    if request.type == "image_edit":
        picture = _edit(request, _source_image(request, source, long_side))
    else:
        ratio = request.aspect_ratio or _default_ratio(request)
        picture = _compose(request.prompt, _size(ratio, long_side))
    _thumbnails(picture, references)
    _caption(picture, request.prompt)
    return _encode(picture, request.output_format or "png")


def _default_ratio(request: GenerationRequest) -> str:
    return "2:3" if request.style == "manga" else "1:1"


def _size(ratio: str, long_side: int) -> tuple[int, int]:
    w, h = (int(x) for x in ratio.split(":"))
    scale = long_side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _source_image(request: GenerationRequest, source: bytes | None, long_side: int) -> Image.Image:
    if source is not None:
        try:
            with Image.open(io.BytesIO(source)) as opened:
                image = opened.convert("RGB")
            image.thumbnail((long_side, long_side))
            return image
        except (UnidentifiedImageError, OSError, ValueError):
            pass
    # A URL source is never fetched: stand in a placeholder named after it.
    label = request.source.value if request.source is not None else "source"
    placeholder = _compose(label, _size("1:1", long_side))
    _caption(placeholder, f"[placeholder for {label}]", top=True)
    return placeholder


def _edit(request: GenerationRequest, image: Image.Image) -> Image.Image:
    text = request.prompt.lower()
    if request.style == "manga" or "manga" in text:
        return _manga(image)
    if "background" in text or "backdrop" in text:
        return _backdrop(image, request.prompt)
    if "light" in text:
        return Image.blend(image, Image.new("RGB", image.size, _color(request.prompt)), 0.35)
    return Image.blend(image, Image.new("RGB", image.size, _color(request.prompt)), 0.15)


def _manga(image: Image.Image) -> Image.Image:
    gray = ImageOps.autocontrast(ImageOps.grayscale(image), cutoff=2)
    inked = gray.point(lambda v: 0 if v < 80 else (255 if v > 150 else 128))
    return inked.convert("RGB")


def _backdrop(image: Image.Image, prompt: str) -> Image.Image:
    """A new backdrop from the prompt, with the subject (the source's centre) in front of it."""
    canvas = _compose(prompt, image.size)
    w, h = image.size
    subject = image.resize((max(1, w * 7 // 10), max(1, h * 7 // 10)))
    mask = Image.new("L", subject.size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, subject.width - 1, subject.height - 1), fill=255)
    canvas.paste(subject, ((w - subject.width) // 2, h - subject.height), mask)
    return canvas


def _compose(prompt: str, size: tuple[int, int]) -> Image.Image:
    """A simple landscape whose colours and shapes come from the prompt."""
    rng = random.Random(hashlib.sha256(prompt.encode()).digest())
    top, bottom = _color(prompt), tuple(rng.randrange(40, 220) for _ in range(3))
    gradient = Image.linear_gradient("L").resize(size)
    image = ImageOps.colorize(gradient, top, bottom).convert("RGB")
    draw = ImageDraw.Draw(image)
    w, h = size
    r = max(4, min(w, h) // rng.randint(6, 10))
    cx, cy = rng.randrange(r, max(r + 1, w - r)), rng.randrange(r, max(r + 1, h // 2))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 236, 180))
    for _ in range(rng.randint(2, 4)):
        peak = (rng.randrange(0, w), rng.randrange(h // 3, h * 3 // 4))
        shade = tuple(rng.randrange(20, 160) for _ in range(3))
        draw.polygon([(peak[0] - w // 2, h), peak, (peak[0] + w // 2, h)], fill=shade)
    return image


def _thumbnails(picture: Image.Image, references: tuple[bytes, ...]) -> None:
    """The reference images, small, along the top edge: what guided this picture."""
    side = max(8, picture.width // 8)
    for i, data in enumerate(references):
        try:
            with Image.open(io.BytesIO(data)) as opened:
                thumb = opened.convert("RGB")
        except (UnidentifiedImageError, OSError, ValueError):
            continue
        thumb.thumbnail((side, side))
        picture.paste(thumb, (picture.width - (i + 1) * (side + 4), 4))


def _color(prompt: str) -> Color:
    text = prompt.lower()
    for words, color in _PALETTE:
        if any(word in text for word in words):
            return color
    digest = hashlib.sha256(prompt.encode()).digest()
    return digest[0], digest[1], digest[2]


def _caption(image: Image.Image, prompt: str, *, top: bool = False) -> None:
    size = max(10, image.width // 36)
    font = ImageFont.load_default(size=size)
    lines = textwrap.wrap(prompt, width=max(10, image.width * 16 // (size * 9)))[:2] or [""]
    band = (size + 4) * len(lines) + 8
    y0 = 0 if top else image.height - band
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, y0, image.width, y0 + band), fill=(0, 0, 0))
    for i, line in enumerate(lines):
        draw.text((6, y0 + 4 + i * (size + 4)), line, fill=(255, 255, 255), font=font)


def _encode(image: Image.Image, output_format: str) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    if output_format == "jpeg":
        image.save(buffer, "JPEG", quality=90)
        return buffer.getvalue(), "image/jpeg"
    image.save(buffer, "PNG")
    return buffer.getvalue(), "image/png"
