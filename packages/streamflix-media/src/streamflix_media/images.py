"""Poster and backdrop images: checked with Pillow, stored with resized variants."""

from __future__ import annotations

import io
from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

from streamflix_core.api.errors import ApiError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


class InvalidImage(ApiError):
    status = 422
    code = "invalid_image"


def image_validate(upload: Any, *, max_bytes: int, max_pixels: int) -> None:
    """Raise :class:`InvalidImage` unless ``upload`` is a JPEG, PNG or WebP within limits."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise InvalidImage(f"The image is larger than {max_bytes} bytes.")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidImage("The file is not a readable image.") from exc
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise InvalidImage(f"Images must be JPEG, PNG or WebP, not {image_format}.")
    if width * height > max_pixels:
        raise InvalidImage(f"The image has more than {max_pixels} pixels.")


def image_variants(name: str, widths: tuple[int, ...]) -> dict[str, str]:
    """Write a JPEG of each width (never upscaled) beside ``name``; returns width -> URL."""
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
        variants[f"w{width}"] = default_storage.url(saved)
    return variants
