"""One check of uploaded images (avatars, posters, backdrops) before Pillow decodes them."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from streamflix_core.errors import InvalidInput, TooLarge

DEFAULT_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


class InvalidImage(InvalidInput):
    """422 ``invalid_image`` (unreadable, wrong format) or ``image_too_large`` (pixels)."""

    code = "invalid_image"


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


def image_validate(
    upload: Any,
    *,
    max_bytes: int,
    max_pixels: int,
    formats: frozenset[str] = DEFAULT_FORMATS,
) -> ImageInfo:
    """Check an uploaded image (a file object; it is rewound afterwards) without decoding it.

    Raises :class:`~streamflix_core.errors.TooLarge` (``payload_too_large``) above
    ``max_bytes``; ``422 invalid_image`` when Pillow cannot read it or its format is not in
    ``formats``; ``422 image_too_large`` when it declares more than ``max_pixels`` pixels,
    including Pillow's decompression-bomb error and warning (treated as errors).
    """
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > max_bytes:
        raise TooLarge(f"The image is larger than {max_bytes} bytes.", code="payload_too_large")
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format or ""
                width, height = image.size
                if width * height > max_pixels:
                    raise InvalidImage(
                        f"The image is {width}x{height} pixels; at most {max_pixels} pixels "
                        "are accepted.",
                        code="image_too_large",
                    )
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImage("The image declares too many pixels.", code="image_too_large") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidImage("The file is not a readable image.") from exc
    finally:
        upload.seek(0)
    if image_format not in formats:
        raise InvalidImage(
            f"Images must be {', '.join(sorted(formats))}, not {image_format or 'unknown'}."
        )
    return ImageInfo(format=image_format, width=width, height=height)
