"""The demo seed's videos: real clips through the real pipeline."""

from __future__ import annotations

import io

import pytest

from streamflix_media.demo_videos import seed
from streamflix_media.models import VideoAsset

# The tests of video assets: fast encoding and a private storage per test.
pytestmark = pytest.mark.usefixtures("media_settings")


def test_seed_attaches_transcoded_clips_once(movie, episode, monkeypatch):
    monkeypatch.setenv("STREAMFLIX_DEMO_VIDEOS", "1")
    out = io.StringIO()
    seed(out)
    assets = {a.role: a for a in VideoAsset.objects.all()}
    assert set(assets) == {"feature", "episode", "trailer"}
    assert all(a.status == "ready" for a in assets.values()), out.getvalue()
    assert assets["feature"].rungs == [240, 360, 720, 1080]
    assert assets["episode"].rungs == [240, 360, 720]
    # The trailer is the episode's clip: shared output, not a second transcode.
    assert assets["trailer"].output_prefix == assets["episode"].output_prefix
    again = io.StringIO()
    seed(again)
    assert "already there" in again.getvalue() and VideoAsset.objects.count() == 3


def test_seed_videos_can_be_skipped(movie, monkeypatch):
    monkeypatch.setenv("STREAMFLIX_DEMO_VIDEOS", "0")
    out = io.StringIO()
    seed(out)
    assert "skipped" in out.getvalue() and not VideoAsset.objects.exists()


def test_seed_videos_use_the_ffmpeg_binary_setting(movie, monkeypatch, settings):
    import pytest

    from streamflix_media.transcoding import FfmpegNotFound

    monkeypatch.setenv("STREAMFLIX_DEMO_VIDEOS", "1")
    monkeypatch.delenv("FFMPEG_BINARY", raising=False)
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "FFMPEG_BINARY": "/nonexistent/ff"}
    with pytest.raises(FfmpegNotFound, match="/nonexistent/ff"):
        seed(io.StringIO())
    assert not VideoAsset.objects.exists()
