"""Upload → django-q2 task (sync) → ready → playback, on real generated clips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from streamflix_media.models import VideoAsset
from streamflix_media.services import run_leases, runs
from streamflix_media.transcoding.hls import parse_master_playlist, parse_media_playlist
from tests.conftest import fetch, local_path, stored, upload

# The tests of video assets: fast encoding and a private storage per test.
pytestmark = pytest.mark.usefixtures("media_settings")


def fetch_ladder(client: Any, master_url: str) -> dict[str, Any]:
    """Fetch the master and every playlist and segment it references; return what was seen."""
    response = fetch(client, master_url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vnd.apple.mpegurl"
    master = parse_master_playlist(response.content.decode())
    heights = sorted(int(v.attributes["RESOLUTION"].split("x")[1]) for v in master.variants)
    playlists = [v.uri for v in master.variants] + [m["URI"] for m in master.media if "URI" in m]
    segments = 0
    for uri in playlists:
        assert "sig=" in uri
        playlist = fetch(client, uri)
        assert playlist.status_code == 200, (uri, playlist.content)
        parsed = parse_media_playlist(playlist.content.decode())
        assert parsed.ended
        for target in [parsed.map_uri, *(s.uri for s in parsed.segments)]:
            if not target:
                continue
            body = fetch(client, target)
            assert body.status_code == 200, target
            data = b"".join(body.streaming_content) if body.streaming else body.content
            assert data
            segments += 1
    return {"master": master, "heights": heights, "segments": segments}


def test_upload_transcodes_to_ready_and_plays_through_signed_urls(
    staff_api, viewer_api, movie, clip_720: Path, run_on_commit, storage_root: Path
):
    with run_on_commit():
        response = upload(staff_api, clip_720, role="feature", title=movie.slug)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["title"] == movie.slug
    assert body["width"] == 1280 and body["height"] == 720 and len(body["sha256"]) == 64

    detail = staff_api.get(f"/api/media/assets/{body['id']}").json()
    assert detail["status"] == "ready", detail
    assert detail["progress"] == 100.0 and detail["attempts"] == 1 and detail["version"] == 1
    assert detail["rungs"] == [240, 360, 720]  # a 720p source gets no 1080 rung
    assert detail["duration"] == pytest.approx(5, abs=0.3)

    sources = stored(storage_root, "private/sources")
    assert len(sources) == 1 and sources[0].endswith("clip720.mp4")
    assert stored(storage_root, f"hls/{body['id']}/v1")

    playback = viewer_api.post(f"/api/media/titles/{movie.slug}/playback", {})
    assert playback.status_code == 201, playback.json()
    play = playback.json()
    assert play["asset_id"] == body["id"] and play["resume_position"] == 0
    assert play["renditions"] == [240, 360, 720]
    assert play["limits"] == {"max_video_height": None, "max_concurrent_streams": None}
    assert play["url"].startswith("/stream/hls/hls/") and "sig=" in play["url"]
    seen = fetch_ladder(viewer_api.client, play["url"])
    assert seen["heights"] == [240, 360, 720]
    assert seen["segments"] >= 3 * 4
    assert fetch(viewer_api.client, play["trickplay_url"]).status_code == 200
    assert fetch(viewer_api.client, play["poster_url"]).status_code == 200

    # The raw source is never reachable, even with a valid grant in hand.
    query = play["url"].split("?", 1)[1]
    assert viewer_api.client.get(f"/stream/hls/{sources[0]}?{query}").status_code == 403


def test_range_requests_on_segments(staff_api, viewer_api, movie, clip_720, run_on_commit):
    with run_on_commit():
        upload(staff_api, clip_720, role="feature", title=movie.slug)
    play = viewer_api.post(f"/api/media/titles/{movie.slug}/playback", {}).json()
    master = fetch(viewer_api.client, play["url"]).content.decode()
    first = parse_master_playlist(master).variants[0].uri
    media = parse_media_playlist(fetch(viewer_api.client, first).content.decode())
    segment = media.segments[0].uri
    partial = viewer_api.client.get(local_path(segment), HTTP_RANGE="bytes=0-99")
    assert partial.status_code == 206
    assert len(b"".join(partial.streaming_content)) == 100


def test_progress_is_saved_and_increases(staff_api, movie, clip_720, run_on_commit, monkeypatch):
    saved: list[float] = []
    original = run_leases.run_progress_save

    def record(*, lease: run_leases.RunLease, percent: float) -> bool:
        saved.append(percent)
        return original(lease=lease, percent=percent)

    monkeypatch.setattr(run_leases, "run_progress_save", record)
    with run_on_commit():
        upload(staff_api, clip_720, role="feature", title=movie.slug)
    assert len(saved) >= 3
    assert saved == sorted(saved)
    assert 0 < saved[0] < 100 and saved[-1] == 100.0


def test_a_corrupt_source_fails_with_a_message_and_leaves_no_output(
    staff_api, movie, truncated_clip, run_on_commit, storage_root
):
    with run_on_commit():
        response = upload(staff_api, truncated_clip, role="feature", title=movie.slug)
    assert response.status_code == 201, response.json()
    asset_id = response.json()["id"]
    failed = staff_api.get(f"/api/media/assets/{asset_id}").json()
    assert failed["status"] == "failed"
    assert failed["error_code"] and failed["error_message"]
    assert failed["attempts"] == 1
    assert stored(storage_root, "hls") == []

    with run_on_commit():
        retried = staff_api.post(f"/api/media/assets/{asset_id}/retry")
    assert retried.status_code == 202
    again = staff_api.get(f"/api/media/assets/{asset_id}").json()
    assert again["status"] == "failed" and again["attempts"] == 2
    assert stored(storage_root, "hls") == []


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("notes.mp4", b"just some text, not a video at all\n" * 20, 415, "source_type_mismatch"),
        ("notes.txt", b"hello", 415, "unsupported_source_type"),
        ("empty.mp4", b"", 422, "source_empty"),
    ],
)
def test_a_non_video_upload_is_rejected_and_nothing_is_stored(
    staff_api, movie, tmp_path, storage_root, name, data, status, code
):
    path = tmp_path / name
    path.write_bytes(data)
    response = upload(staff_api, path, role="feature", title=movie.slug)
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code and response.json()["detail"]
    assert VideoAsset.objects.count() == 0
    assert stored(storage_root) == []


def test_upload_checks_staff_and_target(api, viewer_api, staff_api, movie, episode, clip_720):
    assert upload(api, clip_720, role="feature", title=movie.slug).status_code == 401
    denied = upload(viewer_api, clip_720, role="feature", title=movie.slug)
    assert denied.status_code == 403
    missing = upload(staff_api, clip_720, role="feature", title="nope")
    assert missing.status_code == 404
    series = episode.season.title
    wrong = upload(staff_api, clip_720, role="feature", title=series.slug)
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid_target"
    both = upload(staff_api, clip_720, role="episode", title=movie.slug, episode=episode.pk)
    assert both.status_code == 422 and both.json()["code"] == "invalid_target"
    assert VideoAsset.objects.count() == 0


def test_a_duplicate_source_is_not_transcoded_again(
    staff_api, movie, episode, clip_720, run_on_commit, monkeypatch, storage_root
):
    with run_on_commit():
        first = upload(staff_api, clip_720, role="feature", title=movie.slug).json()

    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("transcoded twice")

    monkeypatch.setattr(runs, "transcode_and_publish", boom)
    with run_on_commit():
        second = upload(staff_api, clip_720, role="trailer", title=movie.slug)
    assert second.status_code == 201
    twin = VideoAsset.objects.get(pk=second.json()["id"])
    original = VideoAsset.objects.get(pk=first["id"])
    assert twin.status == "ready" and twin.output_prefix == original.output_prefix
    assert twin.sha256 == original.sha256 and twin.source_path == ""
    assert len(stored(storage_root, "private/sources")) == 1

    # Deleting the original keeps the output the twin still plays.
    with run_on_commit():
        assert staff_api.delete(f"/api/media/assets/{original.pk}").status_code == 204
    assert stored(storage_root, original.output_prefix)
    assert stored(storage_root, "private/sources") == []
    with run_on_commit():
        assert staff_api.delete(f"/api/media/assets/{twin.pk}").status_code == 204
    assert stored(storage_root) == []


def test_episode_upload_and_playback(staff_api, viewer_api, episode, clip_720, run_on_commit):
    with run_on_commit():
        response = upload(staff_api, clip_720, role="episode", episode=episode.pk)
    assert response.status_code == 201, response.json()
    assert response.json()["episode"] == episode.pk
    play = viewer_api.post(f"/api/media/episodes/{episode.pk}/playback", {})
    assert play.status_code == 201, play.json()
    assert fetch(viewer_api.client, play.json()["url"]).status_code == 200


def test_subtitles_are_added_to_the_master_and_playback(
    staff_api, viewer_api, movie, clip_720, run_on_commit, tmp_path
):
    with run_on_commit():
        asset_id = upload(staff_api, clip_720, role="feature", title=movie.slug).json()["id"]
    srt = tmp_path / "fr.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:02,000\nBonjour\n")
    with open(srt, "rb") as fh:
        added = staff_api.upload(
            f"/api/media/assets/{asset_id}/subtitles", {"file": fh, "language": "fr"}
        )
    assert added.status_code == 201, added.json()
    assert added.json()["language"] == "fr"
    bad = tmp_path / "bad.srt"
    bad.write_bytes(b"\x00\x01 not subtitles")
    with open(bad, "rb") as fh:
        rejected = staff_api.upload(
            f"/api/media/assets/{asset_id}/subtitles", {"file": fh, "language": "de"}
        )
    assert rejected.status_code == 422 and rejected.json()["code"] == "invalid_subtitles"

    play = viewer_api.post(f"/api/media/titles/{movie.slug}/playback", {}).json()
    assert [t["language"] for t in play["subtitles"]] == ["fr"]
    vtt = fetch(viewer_api.client, play["subtitles"][0]["url"])
    assert vtt.status_code == 200 and b"Bonjour" in b"".join(vtt.streaming_content)
    master = parse_master_playlist(fetch(viewer_api.client, play["url"]).content.decode())
    assert any(m.get("TYPE") == "SUBTITLES" and m.get("LANGUAGE") == "fr" for m in master.media)
    assert staff_api.get(f"/api/media/assets/{asset_id}").json()["subtitles"][0]["language"] == "fr"


def test_subtitles_need_a_ready_asset(staff_api, movie, tmp_path):
    asset = VideoAsset.objects.create(
        role="feature", title=movie, original_filename="a.mp4", sha256="0" * 64
    )
    srt = tmp_path / "en.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:02,000\nHi\n")
    with open(srt, "rb") as fh:
        response = staff_api.upload(
            f"/api/media/assets/{asset.pk}/subtitles", {"file": fh, "language": "en"}
        )
    assert response.status_code == 409 and response.json()["code"] == "asset_not_ready"


def test_retry_of_a_ready_or_pending_asset_is_a_conflict(staff_api, movie):
    asset = VideoAsset.objects.create(
        role="feature", title=movie, original_filename="a.mp4", sha256="0" * 64, source_path="x"
    )
    response = staff_api.post(f"/api/media/assets/{asset.pk}/retry")
    assert response.status_code == 409 and response.json()["code"] == "asset_not_retryable"
    assert staff_api.post("/api/media/assets/999/retry").status_code == 404


def test_subtitles_on_an_output_shared_with_a_twin_are_409(
    staff_api, movie, clip_720, run_on_commit, tmp_path, storage_root
):
    with run_on_commit():
        first = upload(staff_api, clip_720, role="feature", title=movie.slug).json()
    second = upload(staff_api, clip_720, role="trailer", title=movie.slug).json()
    original = VideoAsset.objects.get(pk=first["id"])
    assert VideoAsset.objects.get(pk=second["id"]).output_prefix == original.output_prefix
    master = storage_root / original.output_prefix / "master.m3u8"
    before = master.read_bytes()
    srt = tmp_path / "fr.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:02,000\nBonjour\n")
    for asset_id in (first["id"], second["id"]):
        with open(srt, "rb") as fh:
            response = staff_api.upload(
                f"/api/media/assets/{asset_id}/subtitles", {"file": fh, "language": "fr"}
            )
        assert response.status_code == 409 and response.json()["code"] == "shared_output"
    assert master.read_bytes() == before
    assert not stored(storage_root, f"{original.output_prefix}/subtitles")
