from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image

pytestmark = pytest.mark.django_db


def _png(size=(400, 300), exif=True) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x0131] = "GPS-leaking-software"  # Software
        image.save(out, format="JPEG", exif=data.tobytes())
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def _bomb_png(width=100_000, height=100_000) -> bytes:
    """A tiny file whose header declares ten billion pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _put(client, data: bytes, name="me.png", field="avatar"):
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.client.put(
            "/api/me/avatar",
            data=_multipart(field, upload),
            content_type="multipart/form-data; boundary=BoUnDaRy",
            headers={"Authorization": f"Bearer {client.token}"},
        )


def _multipart(field: str, upload: SimpleUploadedFile) -> bytes:
    upload.seek(0)
    return (
        b"--BoUnDaRy\r\n"
        + f'Content-Disposition: form-data; name="{field}"; filename="{upload.name}"\r\n'.encode()
        + b"Content-Type: image/png\r\n\r\n"
        + upload.read()
        + b"\r\n--BoUnDaRy--\r\n"
    )


def test_avatar_is_a_square_thumbnail_without_metadata(make_user, signed_in, settings):
    user = make_user()
    client = signed_in(user)
    response = _put(client, _png(), name="holiday.jpg")
    assert response.status_code == 200, response.content
    assert response.json()["avatar_url"].startswith("http://testserver/media/avatars/users/")
    user.refresh_from_db()
    with default_storage.open(user.avatar.name) as stored, Image.open(stored) as image:
        assert image.size == (256, 256)
        assert image.format == "WEBP"
        assert not image.getexif() and "exif" not in image.info
    first = user.avatar.name

    again = _put(client, _png(size=(64, 80), exif=False))
    assert again.status_code == 200
    user.refresh_from_db()
    assert user.avatar.name != first and not default_storage.exists(first)

    cleared = client.delete("/api/me/avatar")
    assert cleared.status_code == 200 and cleared.json()["avatar_url"] is None
    assert not default_storage.exists(user.avatar.name)


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"just some text, not an image", 422, "invalid_image"),
        (_png()[:200], 422, "invalid_image"),
        (_bomb_png(), 422, "image_too_large"),
    ],
)
def test_bad_avatar_files_are_refused(make_user, signed_in, data, status, code):
    user = make_user()
    response = _put(signed_in(user), data)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    user.refresh_from_db()
    assert not user.avatar


def test_avatar_pixel_limit_is_a_setting(make_user, signed_in, settings):
    settings.STREAMFLIX_CORE = {"AVATAR_MAX_PIXELS": 100 * 100}
    response = _put(signed_in(make_user()), _png(size=(101, 100), exif=False))
    assert response.status_code == 422 and response.json()["code"] == "image_too_large"


def test_oversized_avatar_is_413(make_user, signed_in, settings):
    settings.STREAMFLIX_CORE = {"AVATAR_MAX_BYTES": 1000}
    response = _put(signed_in(make_user()), _png(size=(300, 300), exif=False) + b"\0" * 1000)
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_avatar_needs_multipart_and_the_field(make_user, signed_in):
    client = signed_in(make_user())
    wrong_type = client.send("PUT", "/api/me/avatar", {"avatar": "x"})
    assert wrong_type.status_code == 415 and wrong_type.json()["code"] == "unsupported_media_type"
    missing = _put(client, _png(exif=False), field="picture")
    assert missing.status_code == 400 and missing.json()["code"] == "avatar_missing"


def test_avatar_endpoints_need_a_token(api):
    assert api.delete("/api/me/avatar").status_code == 401
    assert api.send("PUT", "/api/me/avatar", {}).status_code == 401
