"""The demo seed's videos: distinct clips on visible titles, queued for the worker."""

from __future__ import annotations

import io

import pytest

from streamflix_core.maturity import KIDS_LIMIT
from streamflix_media import demo_videos
from streamflix_media.demo_videos import SOURCES, plan, sample_subtitles, seed
from streamflix_media.models import Episode, Season, Title, VideoAsset
from streamflix_media.transcoding.subtitles import parse_cues

# The tests of video assets: fast encoding and a private storage per test.
pytestmark = pytest.mark.usefixtures("media_settings")


@pytest.fixture
def catalog(make_title):
    for number in range(1, 6):
        make_title(f"Movie {number}", maturity_rating=16)
    make_title("Little Fox", maturity_rating=0)
    make_title("Draft", published=False, maturity_rating=0)
    short = make_title("Short Show", kind=Title.Kind.SERIES)
    Episode.objects.create(season=Season.objects.create(title=short, number=1), number=1)
    series = make_title("Long Show", kind=Title.Kind.SERIES, maturity_rating=13)
    season = Season.objects.create(title=series, number=1)
    for number in range(1, 5):
        Episode.objects.create(season=season, number=number, name=f"Part {number}")


@pytest.fixture
def tiny_clips(monkeypatch):
    """Clips of 2 s at 320x180: the pipeline is the same, the work is not."""
    monkeypatch.setattr(demo_videos, "CLIP_SIZE", "320x180")
    monkeypatch.setattr(demo_videos, "CLIP_SECONDS", (2, 0))


def test_plan_puts_distinct_looks_on_visible_titles(catalog):
    videos = plan(len(SOURCES))
    assert len({video.source.video for video in videos}) == len(videos) == 9
    first = videos[0]
    assert first.subtitles and first.title.name == "Little Fox"
    assert first.title.maturity_rating <= KIDS_LIMIT
    assert sum(video.subtitles for video in videos) == 1
    episodes = [video.episode for video in videos if video.episode is not None]
    assert [(e.season.title.name, e.number) for e in episodes] == [
        ("Long Show", n) for n in (1, 2, 3)
    ]
    assert all(video.title.status == Title.Status.PUBLISHED for video in videos)
    assert all(20 <= video.seconds <= 30 for video in videos)
    assert [video.title.pk for video in plan(2)] == [video.title.pk for video in videos[:2]]


def test_the_count_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("STREAMFLIX_DEMO_VIDEOS", "3")
    assert demo_videos.requested_count() == 3
    monkeypatch.setenv("STREAMFLIX_DEMO_VIDEOS", "off")
    assert demo_videos.requested_count() == 0
    monkeypatch.setenv("STREAMFLIX_DEMO_VIDEOS", "lots")
    with pytest.raises(ValueError, match="STREAMFLIX_DEMO_VIDEOS='lots'"):
        demo_videos.requested_count()
    monkeypatch.delenv("STREAMFLIX_DEMO_VIDEOS")
    assert demo_videos.requested_count() == demo_videos.DEFAULT_COUNT >= 14


def test_sample_subtitles_are_valid_webvtt():
    for language in ("en", "fr"):
        kind, cues = parse_cues(sample_subtitles(language, 25, "Little Fox"))
        assert kind == "vtt" and cues[0].text == "Little Fox" and cues[-1].end < 25


def test_seed_queues_the_clips_instead_of_transcoding_them(
    catalog, tiny_clips, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setenv("STREAMFLIX_DEMO_VIDEOS", "2")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        seed(out)
    assets = list(VideoAsset.objects.order_by("id"))
    assert [a.status for a in assets] == ["pending", "pending"], out.getvalue()
    enqueued = [c for c in queued if c.__qualname__.startswith("asset_enqueue_transcode")]
    assert len(enqueued) == 2
    assert "little-fox  Little Fox" in out.getvalue() and "subtitles en, fr" in out.getvalue()
    assert "/admin/streamflix_media/videoasset/" in out.getvalue()
    # Run what was queued: the worker's task transcodes (sync cluster), then adds subtitles.
    for enqueue in queued:
        enqueue()
    feature = VideoAsset.objects.get(title__name="Little Fox")
    assert feature.status == "ready" and feature.rungs == [180], feature.error_message
    assert sorted(feature.subtitles.values_list("language", flat=True)) == ["en", "fr"]
    again = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False) as queued_again:
        seed(again)
    assert not [c for c in queued_again if "enqueue" in c.__qualname__]
    assert VideoAsset.objects.count() == 2
    assert "2 ready, 0 queued" in again.getvalue()


def test_seed_adds_missing_subtitles_to_a_ready_clip(
    catalog, tiny_clips, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setenv("STREAMFLIX_DEMO_VIDEOS", "1")
    with django_capture_on_commit_callbacks(execute=False):
        seed(io.StringIO())
    feature = VideoAsset.objects.get()
    # As if a recovered run (the plain transcode task) had made it ready.
    from streamflix_media.tasks import transcode_asset

    assert transcode_asset(feature.pk) == "ready"
    assert not feature.subtitles.exists()
    seed(io.StringIO())
    assert sorted(feature.subtitles.values_list("language", flat=True)) == ["en", "fr"]


def test_seed_videos_can_be_skipped(movie, monkeypatch):
    monkeypatch.setenv("STREAMFLIX_DEMO_VIDEOS", "0")
    out = io.StringIO()
    seed(out)
    assert "skipped" in out.getvalue() and not VideoAsset.objects.exists()


def test_seed_videos_use_the_ffmpeg_binary_setting(movie, monkeypatch, settings):
    from streamflix_media.transcoding import FfmpegNotFound

    monkeypatch.setenv("STREAMFLIX_DEMO_VIDEOS", "1")
    monkeypatch.delenv("FFMPEG_BINARY", raising=False)
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "FFMPEG_BINARY": "/nonexistent/ff"}
    with pytest.raises(FfmpegNotFound, match="/nonexistent/ff"):
        seed(io.StringIO())
    assert not VideoAsset.objects.exists()
