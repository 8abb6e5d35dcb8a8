"""Poster checks (shared with avatars through streamflix_core.images) and variant storage."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from streamflix_media.models import Title
from tests.api.test_catalog_writes import png


def _bomb_png(width: int, height: int) -> SimpleUploadedFile:
    """A tiny PNG whose header declares ``width x height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile("bomb.png", data, content_type="image/png")


@pytest.mark.parametrize(
    "size",
    [
        (100_000, 100_000),  # Pillow's DecompressionBombError
        (10_000, 10_000),  # Pillow's DecompressionBombWarning
    ],
)
def test_a_decompression_bomb_poster_is_422(staff_api, make_title, settings, size):
    settings.STREAMFLIX_MEDIA = {"MAX_IMAGE_PIXELS": 10**12}
    make_title("Bomb")
    response = staff_api.upload("/api/media/titles/bomb/images/poster", {"file": _bomb_png(*size)})
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "image_too_large"
    assert not Title.objects.get().poster


def test_an_oversized_poster_is_413(staff_api, make_title, settings):
    settings.STREAMFLIX_MEDIA = {"MAX_IMAGE_BYTES": 100}
    make_title("Heavy")
    response = staff_api.upload("/api/media/titles/heavy/images/poster", {"file": png(50, 75)})
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_variants_are_stored_as_names_and_read_as_fresh_urls(
    staff_api, api, make_title, monkeypatch
):
    make_title("Named")
    assert (
        staff_api.upload("/api/media/titles/named/images/poster", {"file": png()}).status_code
        == 200
    )
    stored = Title.objects.get().poster_variants
    assert stored and all(not v.startswith(("/", "http")) for v in stored.values())
    assert all(default_storage.exists(v) for v in stored.values())
    # A presigned URL is minted at read time, so it never comes back stale from the database.
    monkeypatch.setattr(
        type(default_storage._wrapped), "url", lambda self, name: f"https://s/{name}?sig=1"
    )
    body = api.get("/api/media/titles/named").json()
    assert body["poster_variants"] == {k: f"https://s/{v}?sig=1" for k, v in stored.items()}
