"""Resumable uploads on local storage: chunked PUTs with a Content-Range, resumed after a
dropped connection, a multi-gigabyte file simulated with a sparse file, abort and expiry."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from streamflix_core.testing.api_client import JsonApi
from streamflix_media import tasks
from streamflix_media.models import UploadSession, VideoAsset
from streamflix_media.plugin import plugin
from streamflix_media.services.resumable_uploads import partial_path
from tests.conftest import stored

pytestmark = pytest.mark.usefixtures("media_settings")

PART = 64 * 1024


@pytest.fixture
def small_parts(settings: Any) -> int:
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "RESUMABLE_PART_BYTES": PART}
    return PART


@pytest.fixture
def clip(make_clip: Any) -> Path:
    return make_clip("resumable.mp4", size="320x240", seconds=3, extra=("-movflags", "+faststart"))


def start(api: JsonApi, movie: Any, *, size: int, filename: str = "film.mp4", **more: Any) -> Any:
    payload = {
        "role": "feature",
        "title": movie.slug,
        "filename": filename,
        "content_type": "video/mp4",
        "size": size,
        **more,
    }
    return api.post("/api/media/uploads/resumable", payload)


class DroppedConnection:
    """A WSGI input that delivers ``data[:cut]`` and then fails as a reset connection does."""

    def __init__(self, data: bytes, cut: int) -> None:
        self.data = data[:cut]
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        if self.position >= len(self.data):
            raise ConnectionResetError("connection reset by peer")
        size = len(self.data) - self.position if size < 0 else size
        piece = self.data[self.position : self.position + size]
        self.position += len(piece)
        return piece

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def put_chunk(
    api: JsonApi, upload_id: str, data: bytes, first: int, total: int, *, cut: int | None = None
) -> Any:
    last = first + len(data) - 1
    headers = api._headers({"Content-Range": f"bytes {first}-{last}/{total}"})
    extra: dict[str, Any] = {}
    if cut is not None:
        extra["wsgi.input"] = DroppedConnection(data, cut)
    return api.client.put(
        f"/api/media/uploads/{upload_id}/chunks",
        data,
        content_type="application/octet-stream",
        headers=headers,
        **extra,
    )


def read_range(path: Path, first: int, length: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(first)
        return fh.read(length)


def test_a_local_upload_resumes_after_a_dropped_connection_and_ends_ready(
    staff_api, viewer_api, movie, clip, small_parts, run_on_commit, storage_root
):
    data = clip.read_bytes()
    size = len(data)
    created = start(staff_api, movie, size=size)
    assert created.status_code == 201, created.json()
    upload = created.json()
    assert upload["mode"] == "chunks" and upload["part_size"] == PART
    assert upload["part_count"] == -(-size // PART) and upload["multipart_upload_id"] is None
    uid = upload["id"]

    first = put_chunk(staff_api, uid, data[:PART], 0, size)
    assert first.status_code == 200, first.json()
    assert first.json()["offset"] == PART
    # The connection drops 1000 bytes into the second chunk: what arrived is kept.
    dropped = put_chunk(staff_api, uid, data[PART : 2 * PART], PART, size, cut=1000)
    assert dropped.status_code == 400
    assert dropped.json()["code"] == "chunk_incomplete"
    assert dropped.json()["offset"] == PART + 1000
    # The client, reconnected, sends the chunk again from its start: told where to go on.
    again = put_chunk(staff_api, uid, data[PART : 2 * PART], PART, size)
    assert again.status_code == 409
    assert again.json()["code"] == "wrong_offset" and again.json()["offset"] == PART + 1000
    status = staff_api.get(f"/api/media/uploads/{uid}").json()
    assert status["status"] == "open" and status["parts"] == []
    offset = status["offset"]
    while offset < size:
        chunk = data[offset : offset + PART]
        response = put_chunk(staff_api, uid, chunk, offset, size)
        assert response.status_code == 200, response.json()
        offset = response.json()["offset"]
    assert read_range(partial_path(UploadSession.objects.get()), 0, size) == data

    with run_on_commit():
        completed = staff_api.post(f"/api/media/uploads/{uid}/complete")
    assert completed.status_code == 201, completed.json()
    asset = VideoAsset.objects.get(pk=completed.json()["id"])
    assert asset.sha256 == hashlib.sha256(data).hexdigest() and asset.size == size
    assert asset.status == "ready", (asset.error_code, asset.error_message)
    session = UploadSession.objects.get()
    assert session.status == "completed" and session.asset_id == asset.pk
    assert not partial_path(session).exists()
    assert viewer_api.post(f"/api/media/titles/{movie.slug}/playback", {}).status_code == 201
    closed = put_chunk(staff_api, uid, data[:10], 0, size)
    assert closed.status_code == 409 and closed.json()["code"] == "upload_closed"


def test_a_multi_gigabyte_upload_simulated_with_a_sparse_file(
    staff_api, movie, clip, settings, tmp_path
):
    """5 GiB: a real clip followed by a sparse tail (the probe reads the clip, the sha256
    reads all 5 GiB). The client streams its chunks from the sparse source at offsets past
    4 GiB, and one is cut short by a dropped connection.

    The middle of the file is zeros; sending it through the test client would take many
    minutes, so after the first chunks the test puts the server's partial file in the state
    those PUTs leave (the same length, the same zero bytes, sparse) and the session's offset
    with it, as a client resuming after a long upload finds it."""
    part = 8 * 1024**2
    size = 5 * 1024**3
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "RESUMABLE_PART_BYTES": part}
    source = tmp_path / "huge.mp4"
    source.write_bytes(clip.read_bytes())
    with open(source, "r+b") as fh:
        fh.truncate(size)
    upload = start(staff_api, movie, size=size, filename="huge.mp4").json()
    uid = upload["id"]
    assert upload["size"] == size and upload["part_count"] == 640

    with open(source, "rb") as fh:
        for first in (0, part):
            assert put_chunk(staff_api, uid, fh.read(part), first, size).status_code == 200

    resume_at = size - 2 * part - 12345
    session = UploadSession.objects.get()
    with open(partial_path(session), "r+b") as fh:
        fh.truncate(resume_at)
    UploadSession.objects.filter(pk=session.pk).update(received=resume_at)

    status = staff_api.get(f"/api/media/uploads/{uid}").json()
    assert status["offset"] == resume_at > 4 * 1024**3
    offset = status["offset"]
    dropped_once = False
    with open(source, "rb") as fh:
        while offset < size:
            fh.seek(offset)
            chunk = fh.read(part)
            if not dropped_once:
                dropped_once = True
                response = put_chunk(staff_api, uid, chunk, offset, size, cut=4096)
                assert response.status_code == 400, response.json()
                offset = staff_api.get(f"/api/media/uploads/{uid}").json()["offset"]
                assert offset == resume_at + 4096
                continue
            response = put_chunk(staff_api, uid, chunk, offset, size)
            assert response.status_code == 200, response.json()
            offset = response.json()["offset"]
    assert partial_path(session).stat().st_size == size

    completed = staff_api.post(f"/api/media/uploads/{uid}/complete")
    assert completed.status_code == 201, completed.json()
    digest = hashlib.sha256()
    with open(source, "rb") as fh:
        while block := fh.read(8 * 1024**2):
            digest.update(block)
    asset = VideoAsset.objects.get(pk=completed.json()["id"])
    assert asset.size == size and asset.sha256 == digest.hexdigest()
    assert asset.status == "pending" and asset.duration == pytest.approx(3, abs=0.2)


def test_complete_waits_for_every_byte(staff_api, movie, clip, small_parts):
    data = clip.read_bytes()
    uid = start(staff_api, movie, size=len(data)).json()["id"]
    assert put_chunk(staff_api, uid, data[:PART], 0, len(data)).status_code == 200
    response = staff_api.post(f"/api/media/uploads/{uid}/complete")
    assert response.status_code == 409
    assert response.json()["code"] == "upload_incomplete" and response.json()["offset"] == PART
    assert UploadSession.objects.get().status == "open"
    assert VideoAsset.objects.count() == 0


@pytest.mark.parametrize(
    ("content_range", "body", "status", "code"),
    [
        ("bytes 0-9/999", b"x" * 10, 422, "invalid_content_range"),
        ("bytes=0-9", b"x" * 10, 422, "invalid_content_range"),
        ("bytes 9-0/{size}", b"x" * 10, 422, "invalid_content_range"),
        ("bytes 0-{size}/{size}", b"x" * 10, 422, "invalid_content_range"),
        ("bytes 0-19/{size}", b"x" * 10, 422, "content_length_mismatch"),
        ("bytes 0-{part}/{size}", b"x" * (PART + 1), 413, "chunk_too_large"),
        ("bytes 10-19/{size}", b"x" * 10, 409, "wrong_offset"),
    ],
)
def test_a_bad_chunk_is_refused_and_nothing_written(
    staff_api, movie, small_parts, content_range, body, status, code
):
    size = 10 * PART
    uid = start(staff_api, movie, size=size).json()["id"]
    header = content_range.format(size=size, part=PART)
    response = staff_api.client.put(
        f"/api/media/uploads/{uid}/chunks",
        body,
        content_type="application/octet-stream",
        headers=staff_api._headers({"Content-Range": header}),
    )
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    if code == "wrong_offset":
        assert response.json()["offset"] == 0
    session = UploadSession.objects.get()
    assert session.received == 0 and not partial_path(session).exists()


def test_a_chunk_needs_a_content_range(staff_api, movie, small_parts):
    uid = start(staff_api, movie, size=1000).json()["id"]
    response = staff_api.client.put(
        f"/api/media/uploads/{uid}/chunks",
        b"x" * 10,
        content_type="application/octet-stream",
        headers=staff_api._headers(None),
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"size": 10**15}, 413, "source_too_large"),
        ({"filename": "notes.txt", "content_type": "text/plain"}, 415, "unsupported_source_type"),
        ({"role": "episode"}, 422, "invalid_target"),
    ],
)
def test_starting_a_resumable_upload_checks_the_declaration(
    staff_api, movie, overrides, status, code
):
    response = start(staff_api, movie, **{"size": 1000, **overrides})
    assert response.status_code == status and response.json()["code"] == code
    assert UploadSession.objects.count() == 0


def test_resumable_uploads_are_their_starters_own(
    api, viewer_api, staff_api, movie, make_user, small_parts
):
    assert start(api, movie, size=1000).status_code == 401
    assert start(viewer_api, movie, size=1000).status_code == 403
    uid = start(staff_api, movie, size=1000).json()["id"]
    other = api.as_user(make_user(email="curator@example.com", is_staff=True))
    assert other.get(f"/api/media/uploads/{uid}").status_code == 404
    assert put_chunk(other, uid, b"x" * 10, 0, 1000).status_code == 404
    assert other.post(f"/api/media/uploads/{uid}/complete").status_code == 404
    assert other.delete(f"/api/media/uploads/{uid}").status_code == 404
    assert viewer_api.get(f"/api/media/uploads/{uid}").status_code == 403
    assert staff_api.get(f"/api/media/uploads/{uuid.uuid4()}").status_code == 404
    assert UploadSession.objects.get().status == "open"


def test_parts_are_for_s3_and_status_for_resumable_uploads(staff_api, movie, small_parts, clip):
    uid = start(staff_api, movie, size=1000).json()["id"]
    parts = staff_api.post(f"/api/media/uploads/{uid}/parts", {"part_numbers": [1]})
    assert parts.status_code == 409 and parts.json()["code"] == "not_multipart"
    one_post = staff_api.post(
        "/api/media/uploads",
        {"role": "feature", "title": movie.slug, "filename": "a.mp4",
         "content_type": "video/mp4", "size": 1000},
    ).json()  # fmt: skip
    response = staff_api.get(f"/api/media/uploads/{one_post['id']}")
    assert response.status_code == 409 and response.json()["code"] == "not_resumable"


def test_an_expired_upload_is_gone(staff_api, movie, small_parts):
    uid = start(staff_api, movie, size=1000).json()["id"]
    assert put_chunk(staff_api, uid, b"x" * 10, 0, 1000).status_code == 200
    UploadSession.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    for response in (
        staff_api.get(f"/api/media/uploads/{uid}"),
        put_chunk(staff_api, uid, b"x" * 10, 10, 1000),
        staff_api.post(f"/api/media/uploads/{uid}/complete"),
    ):
        assert response.status_code == 410 and response.json()["code"] == "upload_expired"
    assert UploadSession.objects.get().received == 10


def test_each_chunk_moves_the_expiry_forward(staff_api, movie, small_parts):
    uid = start(staff_api, movie, size=1000).json()["id"]
    soon = timezone.now() + dt.timedelta(seconds=5)
    UploadSession.objects.update(expires_at=soon)
    assert put_chunk(staff_api, uid, b"x" * 10, 0, 1000).status_code == 200
    assert UploadSession.objects.get().expires_at > soon + dt.timedelta(hours=23)


def test_abort_deletes_what_arrived(staff_api, movie, small_parts, storage_root):
    uid = start(staff_api, movie, size=1000).json()["id"]
    assert put_chunk(staff_api, uid, b"x" * 100, 0, 1000).status_code == 200
    assert stored(storage_root) != []
    assert staff_api.delete(f"/api/media/uploads/{uid}").status_code == 204
    assert stored(storage_root) == []
    assert UploadSession.objects.get().status == "aborted"
    again = staff_api.delete(f"/api/media/uploads/{uid}")
    assert again.status_code == 409 and again.json()["code"] == "upload_closed"
    closed = staff_api.get(f"/api/media/uploads/{uid}")
    assert closed.status_code == 409 and closed.json()["code"] == "upload_closed"
    assert put_chunk(staff_api, uid, b"x" * 10, 100, 1000).status_code == 409


def test_the_schedule_expires_abandoned_uploads_only(staff_api, movie, small_parts, storage_root):
    assert "streamflix_media.tasks.expire_uploads" in {s.func for s in plugin.schedules}
    abandoned = start(staff_api, movie, size=1000).json()["id"]
    assert put_chunk(staff_api, abandoned, b"x" * 100, 0, 1000).status_code == 200
    active = start(staff_api, movie, size=1000).json()["id"]
    assert put_chunk(staff_api, active, b"y" * 100, 0, 1000).status_code == 200
    UploadSession.objects.filter(pk=abandoned).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    # A one-POST upload whose URL expired a day ago, its object left behind.
    one_post = staff_api.post(
        "/api/media/uploads",
        {"role": "feature", "title": movie.slug, "filename": "a.mp4",
         "content_type": "video/mp4", "size": 1000},
    ).json()  # fmt: skip
    stale = UploadSession.objects.get(pk=one_post["id"])
    (storage_root / stale.key).parent.mkdir(parents=True)
    (storage_root / stale.key).write_bytes(b"z" * 1000)
    UploadSession.objects.filter(pk=stale.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1, seconds=1)
    )

    assert tasks.expire_uploads() == 2
    assert tasks.expire_uploads() == 0
    statuses = dict(UploadSession.objects.values_list("id", "status"))
    assert statuses[uuid.UUID(abandoned)] == "expired" and statuses[stale.pk] == "expired"
    assert statuses[uuid.UUID(active)] == "open"
    assert stored(storage_root) == [UploadSession.objects.get(pk=active).key + ".partial"]
    gone = staff_api.get(f"/api/media/uploads/{abandoned}")
    assert gone.status_code == 410 and gone.json()["code"] == "upload_expired"


def test_a_retried_chunk_that_lost_the_race_never_touches_what_arrived(
    staff_api, movie, small_parts
):
    """A client retries a chunk while the first request for it is still running: the one
    that ends second finds the offset moved (409) before writing or truncating anything."""
    import io

    from streamflix_core.errors import Conflict
    from streamflix_media.services.resumable_uploads import upload_chunk_write

    total = 2 * PART
    upload_id = start(staff_api, movie, size=total).json()["id"]
    stale = UploadSession.objects.get(pk=upload_id)  # read by the slower request, at 0
    first_chunk = bytes(range(256)) * (PART // 256)
    assert put_chunk(staff_api, upload_id, first_chunk, 0, total).status_code == 200

    with pytest.raises(Conflict) as refused:  # the slower one: its body drops after 1 KiB
        upload_chunk_write(
            session=stale,
            content_range=f"bytes 0-{PART - 1}/{total}",
            content_length=PART,
            body=io.BytesIO(first_chunk[:1024]),
        )

    assert refused.value.code == "wrong_offset"
    partial = partial_path(UploadSession.objects.get(pk=upload_id))
    assert partial.read_bytes() == first_chunk
    assert UploadSession.objects.get(pk=upload_id).received == PART
