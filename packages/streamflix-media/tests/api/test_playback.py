"""Playback: the order of checks, entitlement limits, and signed-URL refusals."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from streamflix_core import hooks
from streamflix_media.delivery import grant, signed_url
from streamflix_media.models import Title, VideoAsset
from streamflix_media.transcoding.hls import parse_master_playlist
from tests.conftest import fetch, upload

# The tests of video assets: fast encoding and a private storage per test.
pytestmark = pytest.mark.usefixtures("media_settings")


@pytest.fixture
def ready_movie(staff_api, movie, clip_720, run_on_commit) -> Title:
    with run_on_commit():
        response = upload(staff_api, clip_720, role="feature", title=movie.slug)
    assert response.status_code == 201
    return movie


def test_playback_checks_run_in_order(
    api, make_user, make_profile, token_for, movie, ready_movie, temporary_hook
):
    path = f"/api/media/titles/{movie.slug}/playback"
    # 1. signed in
    anonymous = api.post(path, {})
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"

    user = make_user(email="kid@example.com")
    adult = make_profile(user, name="Adult", maturity_limit=18)
    kid = make_profile(user, name="Kid", maturity_limit=7)
    kid_headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user, kid)}"}
    adult_headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user, adult)}"}
    client = Client()

    def play(headers: dict[str, str]) -> Any:
        return client.post(path, {}, content_type="application/json", **headers)

    # 2. published (a draft is unknown to viewers, whatever their profile)
    Title.objects.filter(pk=movie.pk).update(status=Title.Status.DRAFT)
    draft = play(kid_headers)
    assert draft.status_code == 404 and draft.json()["code"] == "not_found"
    Title.objects.filter(pk=movie.pk).update(status=Title.Status.PUBLISHED)

    # 3. maturity (13+ title, 7 profile)
    restricted = play(kid_headers)
    assert restricted.status_code == 403 and restricted.json()["code"] == "maturity_restricted"

    # 4. entitlement
    def deny(request: hooks.PlaybackRequest, decision: hooks.PlaybackDecision):
        assert request.content_type == "title" and request.content_id == movie.pk
        return decision.deny("no_subscription")

    with temporary_hook(hooks.playback_entitlement, deny):
        denied = play(adult_headers)
        assert denied.status_code == 403 and denied.json()["code"] == "no_subscription"
        # Maturity still wins over entitlement.
        assert play(kid_headers).json()["code"] == "maturity_restricted"

    # 5. a ready video
    VideoAsset.objects.update(status=VideoAsset.Status.PROCESSING)
    none = play(adult_headers)
    assert none.status_code == 409 and none.json()["code"] == "no_playable_video"
    VideoAsset.objects.update(status=VideoAsset.Status.READY)

    ok = play(adult_headers)
    assert ok.status_code == 201, ok.json()


def test_unknown_content_and_missing_trailer(viewer_api, ready_movie, episode):
    assert viewer_api.post("/api/media/titles/nope/playback", {}).status_code == 404
    assert viewer_api.post("/api/media/episodes/99999/playback", {}).status_code == 404
    trailer = viewer_api.post(
        f"/api/media/titles/{ready_movie.slug}/playback", {"video": "trailer"}
    )
    assert trailer.status_code == 409
    no_video = viewer_api.post(f"/api/media/episodes/{episode.pk}/playback", {})
    assert no_video.status_code == 409 and no_video.json()["code"] == "no_playable_video"


def test_staff_can_play_a_draft(staff_api, ready_movie):
    Title.objects.filter(pk=ready_movie.pk).update(status=Title.Status.DRAFT)
    assert staff_api.post(f"/api/media/titles/{ready_movie.slug}/playback", {}).status_code == 201


def test_the_decisions_max_height_drops_higher_rungs(viewer_api, ready_movie, temporary_hook):
    def sd_only(request: hooks.PlaybackRequest, decision: hooks.PlaybackDecision):
        return decision.limit(max_video_height=360, max_concurrent_streams=1)

    with temporary_hook(hooks.playback_entitlement, sd_only):
        play = viewer_api.post(f"/api/media/titles/{ready_movie.slug}/playback", {}).json()
    assert play["limits"] == {"max_video_height": 360, "max_concurrent_streams": 1}
    assert play["renditions"] == [240, 360] and play["max_height"] == 360
    assert "mh=360" in play["url"]
    text = fetch(viewer_api.client, play["url"]).content.decode()
    heights = sorted(
        int(v.attributes["RESOLUTION"].split("x")[1]) for v in parse_master_playlist(text).variants
    )
    assert heights == [240, 360]
    # The grant itself refuses the 720p rendition, whatever the client asks for.
    query = play["url"].split("?", 1)[1]
    prefix = urlsplit(play["url"]).path.rsplit("/", 1)[0]
    hd = viewer_api.client.get(f"{prefix}/720p/playlist.m3u8?{query}")
    assert hd.status_code == 403 and hd.json()["code"] == "rendition_not_allowed"


def _tampered(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    params.update(changes)
    return f"{parts.path}?{urlencode(params, safe='/')}"


def test_signed_urls_refuse_tampering_expiry_and_other_assets(
    viewer_api, staff_api, ready_movie, episode, clip_720, run_on_commit
):
    play = viewer_api.post(f"/api/media/titles/{ready_movie.slug}/playback", {}).json()
    client = viewer_api.client
    assert fetch(client, play["url"]).status_code == 200
    # No signature at all.
    assert client.get(urlsplit(play["url"]).path).status_code == 403
    for change in ({"sig": "0" * 40}, {"exp": str(int(time.time()) + 99_999)}, {"mh": "2160"}):
        response = client.get(_tampered(play["url"], **change))
        assert response.status_code == 403, change
        assert response.json()["code"] == "invalid_signature"

    asset = VideoAsset.objects.get(role="feature")
    expired = grant(asset.output_prefix, ttl=60, now=time.time() - 120)
    url = signed_url("/stream/hls/", f"{asset.output_prefix}/master.m3u8", expired)
    response = client.get(url)
    assert response.status_code == 403 and response.json()["code"] == "signature_expired"

    with run_on_commit():
        upload(staff_api, clip_720.with_name("clip720.mp4"), role="episode", episode=episode.pk)
    other = VideoAsset.objects.get(role="episode")
    # Same bytes: the episode shares the movie's output, so make it a distinct prefix here.
    other_prefix = f"hls/{other.pk}/v1"
    query = play["url"].split("?", 1)[1]
    crossed = client.get(f"/stream/hls/{other_prefix}/master.m3u8?{query}")
    assert crossed.status_code == 403 and crossed.json()["code"] == "invalid_signature"


def test_session_urls_die_with_their_session(viewer_api, ready_movie):
    play = viewer_api.post(f"/api/media/titles/{ready_movie.slug}/playback", {}).json()
    client = viewer_api.client
    master = fetch(client, play["url"])
    assert master.status_code == 200
    variant = next(line for line in master.content.decode().splitlines() if "240p" in line)
    assert f"ps={play['session_id']}" in variant
    # Another session's id in the URL breaks the signature: a URL belongs to one session.
    forged = _tampered(play["url"], ps=str(uuid.uuid4()))
    assert client.get(forged).json()["code"] == "invalid_signature"

    assert viewer_api.delete(f"/api/media/sessions/{play['session_id']}").status_code == 204
    for url in (play["url"], variant):
        ended = fetch(client, url)
        assert ended.status_code == 403 and ended.json()["code"] == "session_ended"


def test_a_live_sessions_expired_urls_are_renewed_until_it_goes_silent(viewer_api, ready_movie):
    import datetime as dt

    from django.core.cache import cache

    from streamflix_media.models import PlaybackSession

    play = viewer_api.post(f"/api/media/titles/{ready_movie.slug}/playback", {}).json()
    asset = VideoAsset.objects.get(pk=play["asset_id"])
    session = play["session_id"]
    old = grant(asset.output_prefix, ttl=60, session=session, now=time.time() - 120)
    url = signed_url("/stream/hls/", f"{asset.output_prefix}/master.m3u8", old)
    heartbeat = {"position": 1.0, "state": "playing", "sequence": 1}
    assert viewer_api.put(f"/api/media/sessions/{session}/progress", heartbeat).status_code == 200
    # Heard from within the URL lifetime: the expired grant still opens the files.
    cache.delete(f"streamflix_media:session-seen:{session}")
    assert viewer_api.client.get(url).status_code == 200
    # Silent for longer than the URL lifetime: expired for good.
    PlaybackSession.objects.filter(pk=session).update(
        last_seen_at=timezone.now() - dt.timedelta(seconds=400)
    )
    cache.delete(f"streamflix_media:session-seen:{session}")
    expired = viewer_api.client.get(url)
    assert expired.status_code == 403 and expired.json()["code"] == "signature_expired"


def test_playback_url_lifetime_is_a_setting(viewer_api, ready_movie, settings):
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "PLAYBACK_URL_TTL_SECONDS": 120}
    play = viewer_api.post(f"/api/media/titles/{ready_movie.slug}/playback", {}).json()
    expires = dict(parse_qsl(urlsplit(play["url"]).query))["exp"]
    assert 100 <= int(expires) - time.time() <= 121
    assert play["expires_at"].startswith(str(timezone.now().year))


def test_asset_list_filters_and_bounded_queries(
    staff_api, viewer_api, movie, episode, django_assert_max_num_queries
):
    from streamflix_media.models import Subtitle

    for number in range(12):
        asset = VideoAsset.objects.create(
            role="trailer" if number % 2 else "feature",
            title=movie,
            original_filename=f"clip{number}.mp4",
            sha256=f"{number:064d}",
            status="failed" if number % 3 == 0 else "pending",
        )
        Subtitle.objects.create(asset=asset, language="en", name="English", path="subtitles/en.vtt")
    VideoAsset.objects.create(
        role="episode", episode=episode, original_filename="ep.mp4", sha256="f" * 64
    )
    with django_assert_max_num_queries(6):
        page = staff_api.get("/api/media/assets", {"page_size": 50})
    assert page.status_code == 200
    assert page.json()["count"] == 13
    assert page.json()["items"][0]["episode"] == episode.pk
    assert staff_api.get("/api/media/assets", {"status": "failed"}).json()["count"] == 4
    assert staff_api.get("/api/media/assets", {"role": "trailer"}).json()["count"] == 6
    assert staff_api.get("/api/media/assets", {"title": "harbor"}).json()["count"] == 1
    assert staff_api.get("/api/media/assets", {"q": "clip1"}).json()["count"] == 3
    assert staff_api.get("/api/media/assets", {"status": "bogus"}).status_code == 422
    assert viewer_api.get("/api/media/assets").status_code == 403
    assert staff_api.get("/api/media/assets/99999").status_code == 404


def test_the_one_target_constraint(movie, episode):
    from django.db import IntegrityError, transaction

    for fields in (
        {"role": "feature", "title": movie, "episode": episode},
        {"role": "episode", "title": movie},
        {"role": "trailer"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            VideoAsset.objects.create(original_filename="x.mp4", sha256="1" * 64, **fields)


def test_a_processing_asset_runs_again_only_once_its_lease_has_expired(
    movie, clip_720, storage_root
):
    import datetime as dt

    from django.core.files.storage import storages

    from streamflix_media.services.assets import asset_transcode

    with open(clip_720, "rb") as fh:
        name = storages["default"].save("private/sources/x/clip.mp4", fh)
    asset = VideoAsset.objects.create(
        role="feature",
        title=movie,
        original_filename="clip.mp4",
        sha256="2" * 64,
        source_path=name,
        status="processing",
        attempts=1,
        run_version=1,
        run_token="a" * 32,
        started_at=timezone.now() - dt.timedelta(days=1),
        lease_expires_at=timezone.now() + dt.timedelta(seconds=30),
    )
    # Its lease is live, however old the run: a redelivered task leaves it alone.
    assert asset_transcode(asset_id=asset.pk) is None
    VideoAsset.objects.filter(pk=asset.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    done = asset_transcode(asset_id=asset.pk)
    assert done is not None and done.status == "ready" and done.attempts == 2
    assert done.version == 2 and done.output_prefix == f"hls/{asset.pk}/v2"
    assert done.lease_expires_at is None and done.run_token == ""


def test_retranscode_bumps_the_version_and_removes_the_old_output(
    staff_api, ready_movie, run_on_commit, storage_root
):
    from streamflix_media.services.assets import asset_transcode

    asset = VideoAsset.objects.get()
    assert asset.version == 1
    VideoAsset.objects.filter(pk=asset.pk).update(status="pending")
    with run_on_commit():
        done = asset_transcode(asset_id=asset.pk)
    assert done is not None and done.version == 2
    assert done.output_prefix.endswith("/v2")
    assert not list((storage_root / f"hls/{asset.pk}/v1").rglob("*.m4s"))
    assert list((storage_root / f"hls/{asset.pk}/v2").rglob("*.m4s"))


def test_task_target_takes_an_id(movie):
    from streamflix_media.tasks import transcode_asset

    assert transcode_asset(12345) == "skipped"


def test_deleting_an_asset_removes_its_files(staff_api, ready_movie, run_on_commit, storage_root):
    from tests.conftest import stored

    assert stored(storage_root)
    asset = VideoAsset.objects.get()
    with run_on_commit():
        assert staff_api.delete(f"/api/media/assets/{asset.pk}").status_code == 204
    assert stored(storage_root) == []
    assert staff_api.delete(f"/api/media/assets/{asset.pk}").status_code == 404


def test_deleting_a_title_removes_its_asset_files(ready_movie, run_on_commit, storage_root):
    from tests.conftest import stored

    with run_on_commit():
        ready_movie.delete()
    assert stored(storage_root) == []


def test_the_task_is_queued_on_commit_with_the_timeout_setting(
    movie, clip_720, monkeypatch, django_capture_on_commit_callbacks, settings
):
    import django_q.tasks

    from streamflix_media import services
    from streamflix_media.services import run_leases

    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "TRANSCODE_TIMEOUT_SECONDS": 900}
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda *a, **kw: calls.append((a, kw)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks, open(clip_720, "rb") as fh:
        from django.core.files import File

        asset = services.asset_create_from_upload(
            upload=File(fh, name="clip.mp4"), role="feature", title=movie
        )
    assert calls == [] and callbacks
    for callback in callbacks:
        callback()
    ((args, kwargs),) = calls
    assert args == (run_leases.TASK, asset.pk) and kwargs["timeout"] == 900 + 600


def test_rerunning_a_dead_pre_lease_run_clears_its_partial_output(movie, storage_root):
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from streamflix_media.services.assets import asset_transcode
    from tests.conftest import stored

    asset = VideoAsset.objects.create(
        role="feature",
        title=movie,
        original_filename="clip.mp4",
        sha256="3" * 64,
        source_path="private/sources/gone/clip.mp4",
        status="processing",
        attempts=1,
        started_at=timezone.now() - dt.timedelta(days=1),
    )
    storages["default"].save(f"hls/{asset.pk}/v1/video/240p/seg-1.m4s", ContentFile(b"partial"))
    done = asset_transcode(asset_id=asset.pk)
    assert done is not None and done.status == "failed" and done.error_code == "source_missing"
    assert stored(storage_root, f"hls/{asset.pk}") == []


def test_portrait_and_hevc_rungs_are_capped_by_their_class(
    viewer_api, make_title, make_ready_asset, temporary_hook
):
    from tests.conftest import ready_result

    title = make_title(name="Vertical")
    result = ready_result(30.0, heights=(240, 720))
    for rendition in result["renditions"]:
        rung = rendition["rung"]
        rung["width"], rung["height"] = rung["height"], rung["width"] // 2 * 2
    hevc = {**result["renditions"][1], "playlist": "720p-hevc/playlist.m3u8"}
    hevc["rung"] = {**hevc["rung"], "name": "720p-hevc", "codec": "hevc"}
    result["renditions"].append(hevc)
    asset = make_ready_asset(title=title)
    VideoAsset.objects.filter(pk=asset.pk).update(result=result)
    path = f"/api/media/titles/{title.slug}/playback"
    play = viewer_api.post(path, {}).json()
    assert play["renditions"] == [240, 720] and play["max_height"] == 720

    def sd_only(request: hooks.PlaybackRequest, decision: hooks.PlaybackDecision):
        return decision.limit(max_video_height=480)

    with temporary_hook(hooks.playback_entitlement, sd_only):
        capped = viewer_api.post(path, {}).json()
    assert capped["renditions"] == [240] and "mh=240" in capped["url"]
