"""Playback answers the DASH manifest beside the HLS master; a real DASH client (ffmpeg) plays
the signed MPD from a live server, with the viewer's limits."""

from __future__ import annotations

import re
import subprocess
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from streamflix_core import hooks
from streamflix_media.models import Title
from tests.conftest import fetch, upload

pytestmark = pytest.mark.usefixtures("media_settings")


@pytest.fixture
def ready_movie(staff_api, movie, clip_720, run_on_commit) -> Title:
    with run_on_commit():
        response = upload(staff_api, clip_720, role="feature", title=movie.slug)
    assert response.status_code == 201
    return movie


def sd_only(request: hooks.PlaybackRequest, decision: hooks.PlaybackDecision):
    return decision.limit(max_video_height=360, max_concurrent_streams=2)


def test_playback_returns_a_signed_dash_url_beside_the_hls_master(
    viewer_api, ready_movie, temporary_hook
):
    with temporary_hook(hooks.playback_entitlement, sd_only):
        play = viewer_api.post(f"/api/media/titles/{ready_movie.slug}/playback", {}).json()
    assert urlsplit(play["url"]).path.endswith("/master.m3u8")
    dash = urlsplit(play["dash_url"])
    assert dash.path.endswith("/manifest.mpd")
    # The same grant as the HLS master: same session, same cap, same expiry.
    assert dash.query == urlsplit(play["url"]).query and "mh=360" in dash.query
    assert play["audio_tracks"] == [
        {"language": "und", "name": "Original", "default": True, "channels": 1,
         "origin": "source"}
    ]  # fmt: skip
    mpd = fetch(viewer_api.client, play["dash_url"])
    assert mpd.status_code == 200 and mpd["Content-Type"] == "application/dash+xml"
    text = mpd.content.decode()
    assert re.findall(r'height="(\d+)"', text) == ["240", "360"]
    assert "/720p/" not in text and "/1080p/" not in text


def test_a_forged_or_expired_dash_url_is_403(viewer_api, ready_movie):
    play = viewer_api.post(f"/api/media/titles/{ready_movie.slug}/playback", {}).json()
    parts = urlsplit(play["dash_url"])
    params = dict(parse_qsl(parts.query))
    forged = viewer_api.client.get(f"{parts.path}?{urlencode({**params, 'mh': '1080'})}")
    assert forged.status_code == 403 and forged.json()["code"] == "invalid_signature"
    assert viewer_api.delete(f"/api/media/sessions/{play['session_id']}").status_code == 204
    after = fetch(viewer_api.client, play["dash_url"])
    assert after.status_code == 403 and after.json()["code"] == "session_ended"


def test_a_video_published_as_mpeg_ts_has_no_dash_url(viewer_api, movie, make_ready_asset):
    asset = make_ready_asset(title=movie)
    asset.result = {**asset.result, "segment_type": "mpegts"}
    asset.save(update_fields=["result"])
    play = viewer_api.post(f"/api/media/titles/{movie.slug}/playback", {}).json()
    assert play["dash_url"] is None and play["url"].split("?")[0].endswith("master.m3u8")


@pytest.mark.django_db(transaction=True)
def test_ffmpeg_plays_the_signed_mpd_from_a_live_server(
    live_server, viewer_api, ready_movie, temporary_hook, ffmpeg
):
    with temporary_hook(hooks.playback_entitlement, sd_only):
        play = viewer_api.post(f"/api/media/titles/{ready_movie.slug}/playback", {}).json()
    url = f"{live_server.url}{urlsplit(play['dash_url']).path}?{urlsplit(play['dash_url']).query}"
    done = subprocess.run(
        [ffmpeg, "-hide_banner", "-i", url, "-map", "0:v", "-map", "0:a", "-f", "null", "-"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    log = done.stderr
    assert "Input #0, dash" in log and "frame=" in log
    assert re.findall(r"Video: .*?(\d{3,4})x(\d{3,4})", log)
    assert not any(int(h) > 360 for _, h in re.findall(r"Video: .*?(\d{3,4})x(\d{3,4})", log))
    # A tampered signature gets nothing, over real HTTP too.
    bad = subprocess.run(
        [ffmpeg, "-hide_banner", "-i", url.replace("sig=", "sig=f"), "-f", "null", "-"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode != 0 and "403" in bad.stderr
