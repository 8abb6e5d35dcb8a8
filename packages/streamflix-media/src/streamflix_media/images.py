"""Poster and backdrop images: checked with Pillow, stored with resized variants."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from streamflix_core.images import InvalidImage, image_validate

__all__ = ["InvalidImage", "image_validate", "image_variant_urls", "image_variants"]


def image_variants(name: str, widths: tuple[int, ...]) -> dict[str, str]:
    """Write a JPEG of each width (never upscaled) beside ``name``; returns width -> storage
    name (URLs are built when read: a presigned URL stored in the database would expire)."""
    if not name:
        return {}
    with default_storage.open(name, "rb") as stored, Image.open(stored) as image:
        image.load()
        source = image.convert("RGB")
    stem = PurePosixPath(name)
    variants: dict[str, str] = {}
    for width in sorted(set(widths)):
        target = min(width, source.width)
        height = max(1, round(source.height * target / source.width))
        resized = source.resize((target, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, "JPEG", quality=85, optimize=True)
        variant_name = str(stem.parent / "variants" / f"{stem.stem}-w{width}.jpg")
        if default_storage.exists(variant_name):
            default_storage.delete(variant_name)
        saved = default_storage.save(variant_name, ContentFile(buffer.getvalue()))
        variants[f"w{width}"] = saved
    return variants


def image_variant_urls(variants: dict[str, str] | None) -> dict[str, str]:
    """Width -> URL of stored variants (``image_variants``' storage names)."""
    urls: dict[str, str] = {}
    for key, name in (variants or {}).items():
        if not name:
            continue
        # Rows written before names were stored hold a URL already.
        is_url = name.startswith(("/", "http://", "https://"))
        urls[key] = name if is_url else default_storage.url(name)
    return urls
