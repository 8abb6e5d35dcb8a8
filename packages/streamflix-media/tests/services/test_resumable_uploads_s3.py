"""Resumable uploads on S3 (a moto server over HTTP): a multipart upload of three 5 MiB
parts through presigned part URLs, resumed from ListParts, completed with S3's ETags;
abort and expiry abort the multipart upload."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from django.utils import timezone

from streamflix_media import tasks
from streamflix_media.models import UploadSession, VideoAsset
from tests.services import test_uploads

MiB = 1024**2
# The moto bucket as the site's default storage (the one-POST upload tests' fixture).
s3_settings = test_uploads.s3_settings


@pytest.fixture
def five_mib_parts(media_settings: Path, settings: Any) -> int:
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "RESUMABLE_PART_BYTES": 5 * MiB}
    return 5 * MiB


pytestmark = pytest.mark.usefixtures("five_mib_parts")


@pytest.fixture(scope="module")
def twelve_mib_clip(ffmpeg: str, clips_dir: Path) -> Path:
    """A real clip of 10-15 MiB (noise barely compressed): three parts of S3's minimum."""
    target = clips_dir / "twelve-mib.mp4"
    if not target.exists():
        args = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y"]
        args += ["-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=1.3"]
        args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:d=1.3"]
        args += ["-vf", "noise=alls=40:allf=t", "-c:v", "libx264", "-preset", "ultrafast"]
        args += ["-qp", "4", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(target)]
        subprocess.run(args, check=True, capture_output=True, timeout=120)
    assert 10 * MiB < target.stat().st_size <= 15 * MiB, target.stat().st_size
    return target


@pytest.fixture
def s3(moto_server: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def start(staff_api: Any, movie: Any, size: int) -> Any:
    return staff_api.post(
        "/api/media/uploads/resumable",
        {"role": "feature", "title": movie.slug, "filename": "big.mp4",
         "content_type": "video/mp4", "size": size},
    )  # fmt: skip


def send_parts(staff_api: Any, upload_id: str, data: bytes, numbers: list[int]) -> dict[int, str]:
    signed = staff_api.post(f"/api/media/uploads/{upload_id}/parts", {"part_numbers": numbers})
    assert signed.status_code == 200, signed.json()
    etags = {}
    for part in signed.json()["parts"]:
        assert part["method"] == "PUT" and "X-Amz-Signature" in part["url"]
        number = part["part_number"]
        body = data[(number - 1) * 5 * MiB : number * 5 * MiB]
        response = requests.put(part["url"], data=body, timeout=60)
        assert response.status_code == 200, response.text
        etags[number] = response.headers["ETag"]
    return etags


def multipart_uploads(s3: Any, bucket: str) -> list[str]:
    return [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]


def test_an_s3_multipart_upload_resumes_from_the_listed_parts_and_ends_ready(
    staff_api,
    movie,
    twelve_mib_clip,
    s3_settings,
    s3,
    run_on_commit,
):
    data = twelve_mib_clip.read_bytes()
    created = start(staff_api, movie, len(data))
    assert created.status_code == 201, created.json()
    upload = created.json()
    assert upload["mode"] == "multipart" and upload["part_size"] == 5 * MiB
    assert upload["part_count"] == 3 and upload["multipart_upload_id"]
    uid = upload["id"]
    assert multipart_uploads(s3, s3_settings) == [upload["multipart_upload_id"]]

    sent = send_parts(staff_api, uid, data, [1, 2])
    # The connection drops before part 3: the client asks what S3 holds.
    status = staff_api.get(f"/api/media/uploads/{uid}").json()
    assert [(p["part_number"], p["size"]) for p in status["parts"]] == [(1, 5 * MiB), (2, 5 * MiB)]
    assert {p["part_number"]: p["etag"] for p in status["parts"]} == sent
    assert status["received_bytes"] == status["offset"] == 10 * MiB
    early = staff_api.post(f"/api/media/uploads/{uid}/complete")
    assert early.status_code == 409
    assert early.json()["code"] == "upload_incomplete" and early.json()["missing"] == [3]
    assert UploadSession.objects.get().status == "open"

    send_parts(staff_api, uid, data, [3])
    with run_on_commit():
        completed = staff_api.post(f"/api/media/uploads/{uid}/complete")
    assert completed.status_code == 201, completed.json()
    asset = VideoAsset.objects.get(pk=completed.json()["id"])
    assert asset.sha256 == hashlib.sha256(data).hexdigest() and asset.size == len(data)
    assert asset.status == "ready", (asset.error_code, asset.error_message)
    session = UploadSession.objects.get()
    stored = s3.get_object(Bucket=s3_settings, Key=f"site/{session.key}")["Body"].read()
    assert stored == data
    assert multipart_uploads(s3, s3_settings) == []


def test_parts_are_signed_for_their_numbers_only(
    staff_api,
    movie,
    s3_settings,
):
    uid = start(staff_api, movie, 12 * MiB).json()["id"]
    for numbers in ([0], [4], [], list(range(1, 102))):
        response = staff_api.post(f"/api/media/uploads/{uid}/parts", {"part_numbers": numbers})
        assert response.status_code == 422, (numbers, response.json())
    chunk = staff_api.client.put(
        f"/api/media/uploads/{uid}/chunks",
        b"x" * 10,
        content_type="application/octet-stream",
        headers=staff_api._headers({"Content-Range": f"bytes 0-9/{12 * MiB}"}),
    )
    assert chunk.status_code == 409 and chunk.json()["code"] == "not_chunked"


def test_a_part_of_the_wrong_size_is_not_completed(
    staff_api,
    movie,
    s3_settings,
    s3,
):
    uid = start(staff_api, movie, 12 * MiB).json()["id"]
    signed = staff_api.post(f"/api/media/uploads/{uid}/parts", {"part_numbers": [1, 2, 3]})
    for part in signed.json()["parts"]:
        size = 5 * MiB if part["part_number"] != 2 else 5 * MiB - 1
        assert requests.put(part["url"], data=b"\0" * size, timeout=60).status_code == 200
    response = staff_api.post(f"/api/media/uploads/{uid}/complete")
    assert response.status_code == 409 and response.json()["missing"] == [2, 3]
    assert len(multipart_uploads(s3, s3_settings)) == 1


def test_abort_and_expiry_abort_the_multipart_upload(
    staff_api,
    movie,
    twelve_mib_clip,
    s3_settings,
    s3,
):
    data = twelve_mib_clip.read_bytes()
    aborted = start(staff_api, movie, len(data)).json()["id"]
    send_parts(staff_api, aborted, data, [1])
    abandoned = start(staff_api, movie, len(data)).json()["id"]
    send_parts(staff_api, abandoned, data, [1, 2])
    assert len(multipart_uploads(s3, s3_settings)) == 2

    assert staff_api.delete(f"/api/media/uploads/{aborted}").status_code == 204
    assert multipart_uploads(s3, s3_settings) == [
        UploadSession.objects.get(pk=abandoned).multipart_id
    ]
    UploadSession.objects.filter(pk=abandoned).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    gone = staff_api.post(f"/api/media/uploads/{abandoned}/parts", {"part_numbers": [3]})
    assert gone.status_code == 410 and gone.json()["code"] == "upload_expired"
    assert tasks.expire_uploads() == 1
    assert multipart_uploads(s3, s3_settings) == []
    assert s3.list_objects_v2(Bucket=s3_settings).get("KeyCount", 0) == 0
    assert dict(UploadSession.objects.values_list("status", "mode").distinct()) == {
        "aborted": "multipart",
        "expired": "multipart",
    }
