"""Property-based tests of the endpoints outside the OpenAPI: HLS delivery and the local
upload target. Whatever the request, the answer is a defined status with the error body
(never a 500), and a refused upload leaves nothing stored."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamflix_media.delivery import grant
from streamflix_media.models import UploadSession
from streamflix_media.storage import output_storage
from tests.conftest import stored

pytestmark = [pytest.mark.usefixtures("media_settings"), pytest.mark.django_db]

PROPERTIES = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SEGMENT = "hls/9/v1/720p/seg_00001.m4s"
DATA = bytes(range(256)) * 40  # 10,240 bytes, every byte value

digits = st.text(alphabet="0123456789", max_size=6000)
range_headers = st.one_of(
    st.builds(lambda a, b: f"bytes={a}-{b}", digits, digits),
    st.builds(
        lambda a, b: f"bytes={a}-{b}",
        st.integers(min_value=0, max_value=2 * len(DATA)).map(str) | st.just(""),
        st.integers(min_value=0, max_value=2 * len(DATA)).map(str) | st.just(""),
    ),
    st.text(max_size=60).filter(lambda t: "\n" not in t and "\r" not in t),
)


def error_body(response: Any) -> dict[str, Any]:
    body = json.loads(response.content)
    assert set(body) == {"detail", "code"} and body["detail"] and body["code"]
    return body


def streamed(response: Any) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def segment_url(media_settings: Any) -> str:
    output_storage().save(SEGMENT, ContentFile(DATA))
    return f"/stream/hls/{SEGMENT}?{grant('hls/9/v1', ttl=600).query()}"


@given(header=range_headers)
@PROPERTIES
def test_any_range_header_gets_the_whole_file_a_satisfiable_range_or_416(segment_url, header):
    response = Client().get(segment_url, headers={"Range": header})
    size = len(DATA)
    assert response.status_code in {200, 206, 416}
    if response.status_code == 200:
        assert streamed(response) == DATA
    elif response.status_code == 206:
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", response["Content-Range"])
        assert match, response["Content-Range"]
        start, end, total = map(int, match.groups())
        assert total == size and 0 <= start <= end < size
        assert streamed(response) == DATA[start : end + 1]
        assert response["Content-Length"] == str(end - start + 1)
    else:
        assert response["Content-Range"] == f"bytes */{size}"


def test_a_range_of_thousands_of_digits_is_unsatisfiable_or_clamped_not_a_500(segment_url):
    huge = "9" * 5000
    assert Client().get(segment_url, headers={"Range": f"bytes={huge}-"}).status_code == 416
    clamped = Client().get(segment_url, headers={"Range": f"bytes=10-{huge}"})
    assert clamped.status_code == 206 and streamed(clamped) == DATA[10:]
    suffix = Client().get(segment_url, headers={"Range": f"bytes=-{huge}"})
    assert suffix.status_code == 206 and streamed(suffix) == DATA


query_values = st.one_of(st.text(max_size=80), digits, st.integers().map(str))


@given(
    params=st.dictionaries(
        st.sampled_from(["scope", "exp", "mh", "sig", "other"]), query_values, max_size=5
    )
)
@PROPERTIES
def test_any_forged_query_on_a_delivery_url_is_a_403_with_the_error_body(segment_url, params):
    query = urlencode({k: v.replace("\x00", "") for k, v in params.items()})
    response = Client().get(f"/stream/hls/{SEGMENT}?{query}")
    assert response.status_code == 403
    assert error_body(response)["code"] in {"invalid_signature", "signature_expired"}


@given(path=st.text(min_size=1, max_size=120).filter(lambda p: "\x00" not in p))
@PROPERTIES
def test_any_path_under_the_delivery_prefix_is_refused_or_not_found_cleanly(segment_url, path):
    query = segment_url.split("?", 1)[1]
    response = Client().get(f"/stream/hls/{quote(path)}?{query}")
    assert response.status_code in {200, 206, 301, 403, 404}
    if response.status_code in {403, 404} and response.get("Content-Type") == "application/json":
        error_body(response)


@pytest.fixture
def open_session(db: Any) -> UploadSession:
    from datetime import timedelta

    from django.utils import timezone

    return UploadSession.objects.create(
        role="feature",
        key="private/sources/uploads/property.mp4",
        filename="property.mp4",
        content_type="video/mp4",
        size=10,
        expires_at=timezone.now() + timedelta(minutes=10),
    )


@given(
    token=st.text(max_size=200),
    content_type=st.text(max_size=40),
    content=st.binary(max_size=64),
    own_session=st.booleans(),
)
@PROPERTIES
def test_any_forged_upload_is_refused_with_the_error_body_and_nothing_is_stored(
    open_session, storage_root, token, content_type, content, own_session
):
    session_id = open_session.id if own_session else uuid.uuid4()
    response = Client().post(
        f"/stream/uploads/{session_id}?{urlencode({'token': token.replace(chr(0), '')})}",
        {"Content-Type": content_type.replace("\x00", ""), "file": ContentFile(content, "f")},
    )
    assert response.status_code == 403
    assert error_body(response)["code"] in {"invalid_signature", "signature_expired"}
    assert stored(storage_root, "private/sources/uploads") == []


@given(
    body=st.binary(max_size=300),
    boundary=st.text(alphabet="abc-_=", max_size=20),
    method=st.sampled_from(["POST", "PUT", "PATCH", "DELETE", "GET"]),
)
@PROPERTIES
def test_any_body_sent_to_the_upload_target_gets_a_4xx_error_body(
    open_session, storage_root, body, boundary, method
):
    response = Client().generic(
        method,
        f"/stream/uploads/{open_session.id}?token=x",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code in {400, 403, 405}
    error_body(response)
    assert stored(storage_root, "private/sources/uploads") == []
