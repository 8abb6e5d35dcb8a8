"""Generated posters and backdrops for the demo catalog: genre-coloured art (and on posters
the title's typography), drawn with Pillow and derived from the title alone, so every title
looks distinct and the same title always looks the same. No system font is required: DejaVu
Sans is used when the system has it, else the font Pillow bundles."""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import random
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from PIL import Image, ImageDraw, ImageFilter, ImageFont

#: Pixel sizes of the generated sources: as wide as the largest variant of each
#: (``POSTER_WIDTHS`` / ``BACKDROP_WIDTHS``), so the API serves every size it lists.
POSTER_SIZE = (780, 1170)
BACKDROP_SIZE = (1280, 720)

#: Base hue (0-360) and saturation of each sample genre (slugs of ``sample_catalog.GENRES``).
GENRE_HUES: dict[str, tuple[int, float]] = {
    "action": (8, 0.85),
    "adventure": (32, 0.8),
    "animation": (290, 0.7),
    "comedy": (48, 0.9),
    "crime": (220, 0.45),
    "documentary": (150, 0.35),
    "drama": (350, 0.55),
    "family": (190, 0.7),
    "fantasy": (265, 0.75),
    "history": (35, 0.4),
    "horror": (0, 0.95),
    "music": (315, 0.8),
    "mystery": (240, 0.55),
    "romance": (335, 0.7),
    "science-fiction": (185, 0.9),
    "thriller": (205, 0.6),
    "war": (80, 0.35),
    "western": (25, 0.65),
    "kids": (110, 0.8),
    "reality": (170, 0.6),
}

_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/Library/Fonts/DejaVuSans-Bold.ttf",
)


@functools.cache
def font_file() -> str | None:
    """A bold DejaVu Sans on this system, or ``None`` (then Pillow's bundled font is used)."""
    return next((path for path in _FONT_FILES if Path(path).is_file()), None)


@functools.cache
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_file()
    if path is not None:
        return ImageFont.truetype(path, size)
    # Pillow >= 10.1 bundles a scalable font (with FreeType); older ones a small bitmap.
    return ImageFont.load_default(size=size)


def _rgb(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb((hue % 360) / 360, max(0.0, min(1.0, saturation)), value)
    return round(r * 255), round(g * 255), round(b * 255)


def _rng(slug: str, kind: str) -> random.Random:
    digest = hashlib.sha256(f"{kind}:{slug}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 - art, not secrets


def _palette(slug: str, genres: Sequence[str]) -> tuple[tuple[int, int, int], ...]:
    rng = _rng(slug, "palette")
    base_hue, saturation = GENRE_HUES.get(genres[0] if genres else "", (rng.randrange(360), 0.6))
    hue = base_hue + rng.uniform(-18, 18)
    second = GENRE_HUES.get(genres[1]) if len(genres) > 1 else None
    accent_hue = second[0] if second else hue + rng.choice((-150, 150, 180, 40))
    return (
        _rgb(hue, saturation, rng.uniform(0.55, 0.8)),
        _rgb(hue + rng.uniform(20, 50), saturation * 0.9, rng.uniform(0.12, 0.25)),
        _rgb(accent_hue, min(1.0, saturation + 0.1), 0.95),
    )


def _background(full: tuple[int, int], slug: str, genres: Sequence[str]) -> Image.Image:
    # Drawn at a quarter of the size and scaled up: the art is soft anyway, and this keeps
    # a few hundred titles to seconds.
    light, dark, accent = _palette(slug, genres)
    rng = _rng(slug, "shapes")
    size = width, height = full[0] // 4, full[1] // 4
    ramp = Image.linear_gradient("L").rotate(
        rng.uniform(0, 360), resample=Image.Resampling.BILINEAR
    )
    ramp = ramp.crop((48, 48, 208, 208)).resize(size, Image.Resampling.BILINEAR)
    image = Image.composite(Image.new("RGB", size, dark), Image.new("RGB", size, light), ramp)
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    style = rng.randrange(4)
    for _ in range(rng.randrange(4, 9)):
        alpha = rng.randrange(60, 150)
        colour = (*(accent if rng.random() < 0.6 else light), alpha)
        x, y = rng.uniform(-0.2, 1.0) * width, rng.uniform(-0.2, 0.9) * height
        extent = rng.uniform(0.15, 0.6) * width
        if style == 0:
            draw.ellipse((x, y, x + extent, y + extent), fill=colour)
        elif style == 1:
            draw.rectangle((x, y, x + extent, y + extent * rng.uniform(0.2, 1.5)), fill=colour)
        elif style == 2:
            points = [(x + rng.uniform(0, extent), y + rng.uniform(0, extent)) for _ in range(3)]
            draw.polygon(points, fill=colour)
        else:
            step = rng.uniform(0.02, 0.05) * width
            for ring in range(1, 6):
                draw.ellipse(
                    (x - ring * step, y - ring * step, x + ring * step, y + ring * step),
                    outline=colour,
                    width=max(1, width // 120),
                )
    layer = layer.filter(ImageFilter.GaussianBlur(radius=width / 300))
    image.paste(layer, (0, 0), layer)
    return image.resize(full, Image.Resampling.BILINEAR)


def _shade_bottom(image: Image.Image, start: float) -> None:
    """Darken the lower part of ``image`` so the white title stays readable on any art."""
    width, height = image.size
    top = int(height * start)
    mask = Image.linear_gradient("L").resize((width, height - top))
    shade = Image.new("RGB", (width, height - top), (0, 0, 0))
    region = image.crop((0, top, width, height))
    image.paste(Image.composite(shade, region, mask.point(lambda v: v * 0.85)), (0, top))


def _wrap(text: str, face: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and face.getlength(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _fit(
    text: str, width: int, sizes: Iterable[int], max_lines: int
) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, list[str]]:
    """The largest font size at which ``text`` wraps into ``max_lines`` lines of ``width``."""
    chosen = None
    for size in sizes:
        face = font(size)
        lines = _wrap(text, face, width)
        chosen = face, lines
        if len(lines) <= max_lines and all(face.getlength(line) <= width for line in lines):
            break
    assert chosen is not None
    return chosen


def _draw_lines(
    draw: ImageDraw.ImageDraw,
    lines: Sequence[str],
    face: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    *,
    x: float,
    bottom: float,
    centred_in: float | None = None,
) -> float:
    """Draw ``lines`` upwards from ``bottom``; returns the top of the block."""
    ascent, descent = face.getmetrics() if hasattr(face, "getmetrics") else (12, 4)
    line_height = (ascent + descent) * 1.08
    top = bottom - line_height * len(lines)
    shadow = max(2, round(line_height / 22))
    for index, line in enumerate(lines):
        left = x if centred_in is None else x + (centred_in - face.getlength(line)) / 2
        y = top + index * line_height
        draw.text((left + shadow, y + shadow), line, font=face, fill=(0, 0, 0))
        draw.text((left, y), line, font=face, fill=(255, 255, 255))
    return top


def render_poster(name: str, slug: str, genres: Sequence[str], year: int | None = None) -> bytes:
    """A JPEG poster (``POSTER_SIZE``): the title, wrapped and centred, on art of its genres."""
    image = _background(POSTER_SIZE, slug, genres)
    _shade_bottom(image, 0.45)
    width, height = POSTER_SIZE
    margin = width // 12
    draw = ImageDraw.Draw(image)
    face, lines = _fit(name.upper(), width - 2 * margin, range(110, 30, -6), max_lines=4)
    small = font(max(18, width // 28))
    caption = " · ".join(
        part for part in (str(year) if year else "", *(g.replace("-", " ") for g in genres[:2]))
        if part
    ).upper()  # fmt: skip
    caption_bottom = height - margin
    _draw_lines(
        draw, [caption], small, x=margin, bottom=caption_bottom, centred_in=width - 2 * margin
    )
    _draw_lines(
        draw, lines, face, x=margin, bottom=caption_bottom - height // 30,
        centred_in=width - 2 * margin,
    )  # fmt: skip
    draw.text((margin, margin), "STREAMFLIX", font=small, fill=(255, 255, 255))
    return _jpeg(image)


def render_backdrop(slug: str, genres: Sequence[str]) -> bytes:
    """A JPEG backdrop (``BACKDROP_SIZE``, 16:9): wide art without text, darker at the bottom,
    since apps write the title over a backdrop themselves (a hero banner, a title page)."""
    image = _background(BACKDROP_SIZE, slug, genres)
    _shade_bottom(image, 0.35)
    return _jpeg(image)


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=86)
    return buffer.getvalue()


def seed_images(stdout: TextIO, *, every: int = 100) -> int:
    """Give every title without a poster (or backdrop) generated ones, stored through
    ``title_image_set`` like an upload (so with the API's resized variants). Idempotent:
    titles that have both are left alone. Returns how many titles got art."""
    from django.core.files.base import ContentFile
    from django.db.models import Q

    from .models import Title
    from .services.catalog import title_image_set

    missing = (
        Title.objects.filter(Q(poster="") | Q(backdrop=""))
        .prefetch_related("genres")
        .order_by("id")
    )
    total = missing.count()
    if not total:
        stdout.write("  art: every title has a poster and a backdrop\n")
        return 0
    stdout.write(f"  art: drawing posters and backdrops for {total} titles\n")
    started = time.monotonic()
    for done, title in enumerate(missing.iterator(chunk_size=200), start=1):
        genres = [genre.slug for genre in sorted(title.genres.all(), key=lambda g: g.pk)]
        if not title.poster:
            data = render_poster(title.name, title.slug, genres, title.year)
            upload = ContentFile(data, name=f"{title.slug}-poster.jpg")
            title_image_set(title=title, field="poster", upload=upload)
        if not title.backdrop:
            data = render_backdrop(title.slug, genres)
            upload = ContentFile(data, name=f"{title.slug}-backdrop.jpg")
            title_image_set(title=title, field="backdrop", upload=upload)
        if done % every == 0 or done == total:
            stdout.write(f"  art: {done}/{total} ({time.monotonic() - started:.0f} s)\n")
    return total
