from __future__ import annotations

import pytest

from streamflix_core.models import User

pytestmark = pytest.mark.django_db

BROKEN = [
    # No boundary at all.
    ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=avatar\r\n\r\nab"),
    # A part whose headers never end.
    (
        "multipart/form-data; boundary=BoUnDaRy",
        b'--BoUnDaRy\r\nContent-Disposition: form-data; name="avatar"; filename="a.png"\r\n'
        + b"X" * 2000,
    ),
]


@pytest.mark.parametrize(("content_type", "body"), BROKEN)
def test_a_broken_multipart_body_is_400(make_user, signed_in, content_type, body):
    user = make_user()
    client = signed_in(user)
    response = client.client.put(
        "/api/me/avatar",
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {client.token}"},
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_multipart"
    assert not User.objects.get(pk=user.pk).avatar


def test_too_many_files_is_400(make_user, signed_in, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 1
    client = signed_in(make_user())
    part = (
        b'--BoUnDaRy\r\nContent-Disposition: form-data; name="avatar"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\nab\r\n"
    )
    response = client.client.put(
        "/api/me/avatar",
        data=part * 3 + b"--BoUnDaRy--\r\n",
        content_type="multipart/form-data; boundary=BoUnDaRy",
        headers={"Authorization": f"Bearer {client.token}"},
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_multipart"
