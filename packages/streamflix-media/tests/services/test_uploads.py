"""Direct uploads (signed local URL and presigned S3 POST) and S3 output via a moto server."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from streamflix_media.models import UploadSession, VideoAsset
from tests.conftest import local_path, stored

# The tests of video assets: fast encoding and a private storage per test.
pytestmark = pytest.mark.usefixtures("media_settings")


def start(staff_api, movie, clip: Path, **overrides: Any) -> Any:
    payload = {
        "role": "feature",
        "title": movie.slug,
        "filename": clip.name,
        "content_type": "video/mp4",
        "size": clip.stat().st_size,
        **overrides,
    }
    return staff_api.post("/api/media/uploads", payload)


def send(client, upload: dict[str, Any], path: Path, **field_overrides: str) -> Any:
    with open(path, "rb") as fh:
        return client.post(
            local_path(upload["url"]), {**upload["fields"], **field_overrides, "file": fh}
        )


def test_direct_upload_on_local_storage_ends_ready(
    staff_api, viewer_api, movie, clip_720, run_on_commit, storage_root
):
    response = start(staff_api, movie, clip_720)
    assert response.status_code == 201, response.json()
    upload = response.json()
    assert upload["method"] == "POST" and upload["fields"] == {"Content-Type": "video/mp4"}
    assert "token=" in upload["url"]
    assert send(staff_api.client, upload, clip_720).status_code == 204
    assert stored(storage_root, "private/sources/uploads")
    with run_on_commit():
        completed = staff_api.post(f"/api/media/uploads/{upload['id']}/complete")
    assert completed.status_code == 201, completed.json()
    assert staff_api.get(f"/api/media/assets/{completed.json()['id']}").json()["status"] == "ready"
    assert viewer_api.post(f"/api/media/titles/{movie.slug}/playback", {}).status_code == 201
    again = staff_api.post(f"/api/media/uploads/{upload['id']}/complete")
    assert again.status_code == 409 and again.json()["code"] == "upload_closed"


def test_wrong_size_is_rejected_at_complete_and_the_object_removed(
    staff_api, movie, clip_720, storage_root
):
    upload = start(staff_api, movie, clip_720, size=clip_720.stat().st_size + 1000).json()
    assert send(staff_api.client, upload, clip_720).status_code == 204
    response = staff_api.post(f"/api/media/uploads/{upload['id']}/complete")
    assert response.status_code == 422 and response.json()["code"] == "upload_size_mismatch"
    assert stored(storage_root) == []
    assert VideoAsset.objects.count() == 0
    assert UploadSession.objects.get().status == "rejected"


def test_wrong_type_is_rejected_at_complete_and_the_object_removed(
    staff_api, movie, tmp_path, storage_root
):
    fake = tmp_path / "movie.mp4"
    fake.write_bytes(b"<html>not a video</html>" * 50)
    upload = start(staff_api, movie, fake).json()
    assert send(staff_api.client, upload, fake).status_code == 204
    response = staff_api.post(f"/api/media/uploads/{upload['id']}/complete")
    assert response.status_code == 415 and response.json()["code"] == "source_type_mismatch"
    assert stored(storage_root) == []
    assert VideoAsset.objects.count() == 0


def test_the_signed_upload_url_enforces_its_conditions(staff_api, api, movie, clip_720, settings):
    upload = start(staff_api, movie, clip_720).json()
    client = api.client
    wrong_type = send(client, upload, clip_720, **{"Content-Type": "video/webm"})
    assert wrong_type.status_code == 403 and wrong_type.json()["code"] == "policy_violation"
    parts = urlsplit(upload["url"])
    unsigned = client.post(parts.path, {"Content-Type": "video/mp4"})
    assert unsigned.status_code == 403 and unsigned.json()["code"] == "invalid_signature"
    other = {**upload, "url": upload["url"].replace(upload["id"], str(uuid.uuid4()))}
    assert send(client, other, clip_720).status_code == 403
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "MAX_UPLOAD_BYTES": 1000}
    too_big = send(client, upload, clip_720)
    assert too_big.status_code == 403 and too_big.json()["code"] == "policy_violation"
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "UPLOAD_URL_TTL_SECONDS": -1}
    expired = send(client, upload, clip_720)
    assert expired.status_code == 403 and expired.json()["code"] == "signature_expired"
    assert client.get(local_path(upload["url"])).status_code == 405


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"filename": "notes.txt", "content_type": "text/plain"}, 415, "unsupported_source_type"),
        ({"content_type": "video/webm"}, 415, "source_type_mismatch"),
        ({"size": 10**15}, 413, "source_too_large"),
        ({"role": "episode"}, 422, "invalid_target"),
    ],
)
def test_starting_an_upload_checks_the_declaration(
    staff_api, movie, clip_720, overrides, status, code
):
    response = start(staff_api, movie, clip_720, **overrides)
    assert response.status_code == status and response.json()["code"] == code
    assert UploadSession.objects.count() == 0


def test_uploads_are_staff_only_and_complete_needs_the_file(
    api, viewer_api, staff_api, movie, clip_720
):
    assert start(api, movie, clip_720).status_code == 401
    assert start(viewer_api, movie, clip_720).status_code == 403
    upload = start(staff_api, movie, clip_720).json()
    missing = staff_api.post(f"/api/media/uploads/{upload['id']}/complete")
    assert missing.status_code == 409 and missing.json()["code"] == "upload_missing"
    assert staff_api.post(f"/api/media/uploads/{uuid.uuid4()}/complete").status_code == 404


@pytest.fixture
def s3_settings(settings, moto_server: str) -> str:
    import boto3

    bucket = f"streamflix-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": moto_server,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "querystring_auth": True,
                "signature_version": "s3v4",
                "file_overwrite": True,
                "location": "site",
            },
        },
    }
    return bucket


def _keys(bucket: str, endpoint: str, prefix: str = "") -> list[str]:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def test_s3_direct_upload_output_and_playback(
    staff_api, viewer_api, movie, clip_720, run_on_commit, s3_settings, moto_server
):
    upload = start(staff_api, movie, clip_720).json()
    assert upload["url"].startswith(moto_server)
    assert upload["fields"]["Content-Type"] == "video/mp4" and "policy" in {
        k.lower() for k in upload["fields"]
    }
    with open(clip_720, "rb") as fh:
        posted = requests.post(upload["url"], data=upload["fields"], files={"file": fh}, timeout=30)
    assert posted.status_code in (200, 201, 204), posted.text
    with run_on_commit():
        completed = staff_api.post(f"/api/media/uploads/{upload['id']}/complete")
    assert completed.status_code == 201, completed.json()
    asset = VideoAsset.objects.get(pk=completed.json()["id"])
    assert asset.status == "ready", (asset.error_code, asset.error_message)
    keys = _keys(s3_settings, moto_server, "site/")
    assert any(k.startswith(f"site/{asset.output_prefix}/") for k in keys)
    assert any(k.startswith("site/private/sources/uploads/") for k in keys)

    play = viewer_api.post(f"/api/media/titles/{movie.slug}/playback", {}).json()
    master = viewer_api.client.get(local_path(play["url"]))
    assert master.status_code == 200
    from streamflix_media.transcoding.hls import parse_master_playlist, parse_media_playlist

    variant = parse_master_playlist(master.content.decode()).variants[0].uri
    media = parse_media_playlist(viewer_api.client.get(local_path(variant)).content.decode())
    # Segments are presigned URLs straight to the bucket.
    segment = media.segments[0].uri
    assert segment.startswith(moto_server) and "X-Amz-Signature" in segment
    assert requests.get(segment, timeout=30).status_code == 200
    unsigned = segment.split("?", 1)[0]
    assert requests.get(unsigned, timeout=30).status_code == 403

    with run_on_commit():
        assert staff_api.delete(f"/api/media/assets/{asset.pk}").status_code == 204
    assert _keys(s3_settings, moto_server, "site/") == []


def test_s3_presigned_post_carries_type_size_and_expiry_conditions(
    staff_api, movie, clip_720, s3_settings, settings
):
    import base64
    import datetime as dt
    import json

    # moto accepts any POST, so the policy S3 would enforce is checked here.
    upload = start(staff_api, movie, clip_720).json()
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"Content-Type": "video/mp4"} in conditions
    limit = settings.STREAMFLIX_MEDIA.get("MAX_UPLOAD_BYTES", 20 * 1024**3)
    assert ["content-length-range", 1, limit] in conditions
    assert {"key": f"site/{UploadSession.objects.get().key}"} in conditions
    expires = dt.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert 3500 < (expires - dt.datetime.now(dt.UTC)).total_seconds() <= 3600


def test_a_second_complete_while_the_first_runs_is_409_and_one_asset(
    staff_api, movie, clip_720, storage_root, run_on_commit, monkeypatch
):
    from streamflix_media.services import uploads

    upload = start(staff_api, movie, clip_720).json()
    assert send(staff_api.client, upload, clip_720).status_code == 204
    real_ingest = uploads.ingest
    racing: list[Any] = []

    def ingest_while_another_completes(*args: Any, **kwargs: Any) -> Any:
        # The competing request arrives while the first is validating the source.
        racing.append(staff_api.post(f"/api/media/uploads/{upload['id']}/complete"))
        return real_ingest(*args, **kwargs)

    monkeypatch.setattr(uploads, "ingest", ingest_while_another_completes)
    with run_on_commit():
        first = staff_api.post(f"/api/media/uploads/{upload['id']}/complete")
    assert first.status_code == 201, first.json()
    (second,) = racing
    assert second.status_code == 409
    assert second.json() == {"detail": "This upload is completing.", "code": "upload_closed"}
    assert VideoAsset.objects.count() == 1
    assert UploadSession.objects.get().status == "completed"
