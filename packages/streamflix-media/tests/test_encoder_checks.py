"""``manage.py check`` refuses encoders the ffmpeg build lacks and HEVC/AV1 in MPEG-TS."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from streamflix_media.checks import check_encoders
from streamflix_media.transcoding.ffmpeg import ffmpeg_capabilities


def media(settings: Any, **values: Any) -> None:
    settings.STREAMFLIX_MEDIA = {**(getattr(settings, "STREAMFLIX_MEDIA", None) or {}), **values}


def ids(settings: Any) -> list[str]:
    return [m.id or "" for m in check_encoders()]


def test_the_default_and_the_extra_encoders_of_this_build_pass(settings):
    media(settings, EXTRA_LADDERS={"hevc": (720, 1080), "av1": (1080,)})
    assert ids(settings) == []


def test_an_encoder_missing_from_the_build_is_an_error(settings):
    media(
        settings,
        VIDEO_ENCODERS={"hevc": {"encoder": "libkvazaar-nope"}},
        EXTRA_LADDERS={"hevc": (720,)},
    )
    messages = check_encoders()
    assert [m.id for m in messages] == ["streamflix_media.E002"]
    assert "'libkvazaar-nope' is not in the ffmpeg build" in messages[0].msg
    with pytest.raises(SystemCheckError, match=r"streamflix_media\.E002"):
        call_command("check")


def test_an_unused_family_s_encoder_is_not_required(settings):
    media(settings, VIDEO_ENCODERS={"av1": {"encoder": "libnothing"}})
    assert ids(settings) == []


def test_hevc_rungs_with_mpegts_segments_are_refused_clearly(settings):
    media(settings, HLS_SEGMENT_TYPE="mpegts", EXTRA_LADDERS={"hevc": (720,)})
    messages = check_encoders()
    assert [m.id for m in messages] == ["streamflix_media.E003"]
    assert "HEVC" in messages[0].msg and "fragmented MP4" in messages[0].msg


def test_bad_profiles_and_families_are_errors(settings):
    media(
        settings,
        VIDEO_ENCODERS={"vp9": {}, "hevc": {"crf": 1}},
        EXTRA_LADDERS={"h264": (720,)},
    )
    assert ids(settings) == ["streamflix_media.E002"] * 3


def test_an_unknown_hardware_encoder_is_a_warning_and_absent_hardware_is_fine(settings):
    media(settings, HARDWARE_ENCODERS=("h264_nvenc", "h264_magic"))
    messages = check_encoders()
    assert [m.id for m in messages] == ["streamflix_media.W002"]
    assert "h264_magic" in messages[0].msg


def test_the_encoder_listing_is_read_once(settings, ffmpeg):
    ffmpeg_capabilities.cache_clear()
    check_encoders()
    check_encoders()
    info = ffmpeg_capabilities.cache_info()
    assert info.misses == 1 and info.hits >= 1


def test_no_ffmpeg_is_a_warning(settings, tmp_path):
    media(settings, FFMPEG_BINARY=str(tmp_path / "missing-ffmpeg"))
    assert ids(settings) == ["streamflix_media.W003"]


def test_bad_pruning_settings_are_an_error(settings):
    media(settings, LADDER_PRUNE_RATIO=0.5)
    messages = check_encoders()
    assert [m.id for m in messages] == ["streamflix_media.E004"]
    assert "LADDER_PRUNE_RATIO" in messages[0].msg
