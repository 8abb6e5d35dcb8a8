"""User avatars: verified with Pillow, metadata stripped, stored as a square thumbnail."""

from __future__ import annotations

import io
import uuid
import warnings
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from streamflix_core.errors import DomainError, TooLarge

from ..images import InvalidImage, image_validate
from ..users import has_field


def _require_avatar_field() -> None:
    if not has_field("avatar"):
        raise DomainError("This site's user model has no avatar.", code="unsupported_field")


def _thumbnail(data: bytes) -> bytes:
    from ..conf import settings

    config = settings()
    image_validate(
        io.BytesIO(data), max_bytes=config.AVATAR_MAX_BYTES, max_pixels=config.AVATAR_MAX_PIXELS
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                upright: Image.Image = ImageOps.exif_transpose(opened)
                upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
                square = ImageOps.fit(upright, (config.AVATAR_SIZE, config.AVATAR_SIZE))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise InvalidImage(
                "The image declares too many pixels.", code="image_too_large"
            ) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise InvalidImage("The file is not an image we can read.") from exc
    # A fresh image carries no EXIF, ICC or text chunks of the upload.
    clean = Image.new(square.mode, square.size)
    clean.paste(square)
    out = io.BytesIO()
    clean.save(out, format="WEBP", quality=85)
    return out.getvalue()


def avatar_set(*, user: Any, upload: Any) -> Any:
    """Replace the user's avatar with a square thumbnail of ``upload``."""
    from ..conf import settings

    _require_avatar_field()
    limit = settings().AVATAR_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise TooLarge(f"The avatar is larger than {limit} bytes.", code="payload_too_large")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"The avatar is larger than {limit} bytes.", code="payload_too_large")
    thumbnail = _thumbnail(data)
    previous = user.avatar.name if user.avatar else ""
    with transaction.atomic():
        user.avatar.save(f"{uuid.uuid4().hex}.webp", ContentFile(thumbnail), save=False)
        user.save(update_fields=["avatar"])
        if previous:
            transaction.on_commit(lambda: avatar_file_delete(name=previous))
    return user


def avatar_clear(*, user: Any) -> Any:
    """Remove the user's avatar (and its file)."""
    _require_avatar_field()
    previous = user.avatar.name if user.avatar else ""
    with transaction.atomic():
        user.avatar = ""
        user.save(update_fields=["avatar"])
        if previous:
            transaction.on_commit(lambda: avatar_file_delete(name=previous))
    return user


def avatar_file_delete(*, name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)
