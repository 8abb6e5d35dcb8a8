import json
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from streamflix_media.transcoding import (
    SubtitleInput,
    TranscodeError,
    TranscodeOptions,
    TranscodeResult,
    TranscodeTimeout,
    transcode,
)
from streamflix_media.transcoding.hls import (
    measure,
    parse_master_playlist,
    parse_media_playlist,
)
from streamflix_media.transcoding.subtitles import parse_cues

SRT = b"""1
00:00:00,500 --> 00:00:02,000
Hello <font color="red">world</font>

2
00:00:02,500 --> 00:00:04,000
Second line
"""
VTT = "WEBVTT\n\nNOTE a comment\n\n00:01.000 --> 00:03.000 line:0\nBonjour\n"


@pytest.fixture(scope="package")
def ladder_720(clip_720, fast_options, tmp_path_factory):
    out = tmp_path_factory.mktemp("ladder720") / "out"
    progress: list[float] = []
    result = transcode(
        clip_720,
        out,
        options=fast_options,
        on_progress=progress.append,
        subtitles=[
            SubtitleInput("en", SRT),
            SubtitleInput("fr", VTT, name="Français (CC)", default=True),
        ],
    )
    return result, out, progress


def walk(out: Path) -> dict[str, object]:
    """Parse the master and every playlist it references; return them by path."""
    master = parse_master_playlist((out / "master.m3u8").read_text())
    parsed: dict[str, object] = {"master.m3u8": master}
    for uri in master.uris():
        assert (out / uri).is_file(), uri
        parsed[uri] = parse_media_playlist((out / uri).read_text())
    return parsed


def test_a_720p_source_is_transcoded_without_a_1080_rung(ladder_720):
    result, out, _ = ladder_720
    assert [r.rung.height for r in result.renditions] == [240, 360, 480, 720]
    assert not (out / "1080p").exists()
    master = parse_master_playlist((out / "master.m3u8").read_text())
    assert [v.attributes["RESOLUTION"] for v in master.variants] == [
        "426x240",
        "640x360",
        "854x480",
        "1280x720",
    ]


def test_every_playlist_parses_and_every_referenced_file_exists(ladder_720):
    _, out, _ = ladder_720
    parsed = walk(out)
    media = [p for name, p in parsed.items() if name != "master.m3u8"]
    assert len(media) == 4 + 1 + 2  # rungs, audio, two subtitle tracks
    for name, playlist in parsed.items():
        if name == "master.m3u8":
            continue
        base = (out / name).parent
        assert playlist.ended, name
        assert playlist.segments, name
        for uri in playlist.uris():
            path = base / uri
            assert path.is_file() and path.stat().st_size > 0, f"{name} -> {uri}"


def test_segments_are_aligned_across_rungs_at_the_configured_length(ladder_720):
    result, out, _ = ladder_720
    durations = [
        [s.duration for s in parse_media_playlist((out / r.playlist).read_text()).segments]
        for r in result.renditions
    ]
    assert all(d == durations[0] for d in durations)
    assert durations[0][:-1] == [2.0] * (len(durations[0]) - 1)
    assert sum(durations[0]) == pytest.approx(5, abs=0.05)
    assert result.segment_type == "fmp4"
    assert (out / "240p" / "init_0.mp4").exists() or any((out / "240p").glob("init*.mp4"))


def test_every_segment_starts_with_a_keyframe(ladder_720, ffmpeg):
    _, out, _ = ladder_720
    playlist = parse_media_playlist((out / "480p" / "index.m3u8").read_text())
    init = (out / "480p" / playlist.map_uri).read_bytes()
    for segment in playlist.segments:
        sample = out.parent / "sample.mp4"
        sample.write_bytes(init + (out / "480p" / segment.uri).read_bytes())
        first = subprocess.run(
            [
                ffmpeg,
                "-hide_banner",
                "-i",
                str(sample),
                "-map",
                "0:v:0",
                "-frames:v",
                "1",
                "-vf",
                "showinfo",
                "-f",
                "null",
                "-",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        assert "iskey:1" in first, segment.uri


def test_master_attributes_are_measured_from_the_segments(ladder_720):
    result, out, _ = ladder_720
    master = parse_master_playlist((out / "master.m3u8").read_text())
    _, audio = measure(out / "audio" / "index.m3u8")
    for variant, rendition in zip(master.variants, result.renditions, strict=True):
        attrs = variant.attributes
        _, video = measure(out / variant.uri)
        assert int(attrs["BANDWIDTH"]) == video.peak_bps + audio.peak_bps
        assert int(attrs["AVERAGE-BANDWIDTH"]) == video.average_bps + audio.average_bps
        assert int(attrs["AVERAGE-BANDWIDTH"]) <= int(attrs["BANDWIDTH"])
        assert re.fullmatch(r"avc1\.[0-9a-f]{6},mp4a\.40\.2", attrs["CODECS"])
        assert attrs["FRAME-RATE"] == "25.000"
        assert attrs["AUDIO"] == "audio" and attrs["SUBTITLES"] == "subs"
        # The capped VBR keeps the average near the rung's target.
        assert video.average_bps < rendition.rung.maxrate_kbps * 1000 * 1.3
    levels = [int(v.attributes["CODECS"][9:11], 16) for v in master.variants]
    assert levels == sorted(levels) and levels[-1] >= 31  # 720p25 needs level 3.1


def test_audio_is_one_shared_rendition(ladder_720):
    result, out, _ = ladder_720
    master = parse_master_playlist((out / "master.m3u8").read_text())
    audio = [m for m in master.media if m["TYPE"] == "AUDIO"]
    assert len(audio) == 1 and audio[0]["URI"] == "audio/index.m3u8"
    assert result.audio.codecs == "mp4a.40.2"


def test_subtitles_are_webvtt_referenced_as_a_group(ladder_720):
    result, out, _ = ladder_720
    master = parse_master_playlist((out / "master.m3u8").read_text())
    subs = {m["LANGUAGE"]: m for m in master.media if m["TYPE"] == "SUBTITLES"}
    assert subs["en"]["NAME"] == "English" and subs["en"]["DEFAULT"] == "NO"
    assert subs["fr"]["NAME"] == "Français (CC)" and subs["fr"]["DEFAULT"] == "YES"
    assert all(m["GROUP-ID"] == "subs" for m in subs.values())
    english = (out / "subtitles" / "en.vtt").read_text()
    assert english.startswith("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:")
    kind, cues = parse_cues(english)
    assert kind == "vtt" and [c.text for c in cues] == ["Hello world", "Second line"]
    assert cues[0].start == 0.5
    french = parse_cues((out / "subtitles" / "fr.vtt").read_text())[1]
    assert french[0].settings == "line:0"
    playlist = parse_media_playlist((out / "subtitles" / "en.m3u8").read_text())
    assert [s.uri for s in playlist.segments] == ["en.vtt"]
    assert playlist.duration == pytest.approx(result.duration)


def test_poster_and_trickplay_are_written(ladder_720):
    result, out, _ = ladder_720
    with Image.open(out / "poster.jpg") as poster:
        assert poster.format == "JPEG" and poster.size == (1280, 720)
    trick = result.trickplay
    assert trick.count == 1 and trick.sprites == ("trickplay/sprite_001.jpg",)
    assert (out / trick.vtt).read_text().splitlines()[2:4] == [
        "00:00:00.000 --> 00:00:05.000",
        "sprite_001.jpg#xywh=0,0,160,90",
    ]
    assert not list((out / "trickplay").glob("thumb_*"))


def test_progress_increases_to_100(ladder_720):
    _, _, progress = ladder_720
    assert len(progress) >= 3
    assert progress == sorted(set(progress))
    assert progress[-1] == 100.0 and progress[0] < 100


def test_the_result_round_trips_through_json(ladder_720):
    result, out, _ = ladder_720
    again = TranscodeResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again == result
    assert again.master_playlist() == (out / "master.m3u8").read_text()
    assert "master.m3u8" in result.files and "720p/index.m3u8" in result.files


@pytest.fixture(scope="package")
def long_small_clip(make_clip):
    return make_clip("long360.mp4", size="640x360", seconds=21, rate=10)


def test_trickplay_has_one_tile_every_ten_seconds(long_small_clip, fast_options, tmp_path):
    options = TranscodeOptions(
        **{**fast_options.__dict__, "trickplay_columns": 2, "trickplay_rows": 1}
    )
    result = transcode(long_small_clip, tmp_path / "out", options=options)
    trick = result.trickplay
    assert trick.count == 3 and trick.interval == 10
    assert trick.sprites == ("trickplay/sprite_001.jpg", "trickplay/sprite_002.jpg")
    lines = (tmp_path / "out" / trick.vtt).read_text().splitlines()
    cues = [(lines[i], lines[i + 1]) for i, line in enumerate(lines) if "-->" in line]
    assert cues == [
        ("00:00:00.000 --> 00:00:10.000", "sprite_001.jpg#xywh=0,0,160,90"),
        ("00:00:10.000 --> 00:00:20.000", "sprite_001.jpg#xywh=160,0,160,90"),
        ("00:00:20.000 --> 00:00:21.000", "sprite_002.jpg#xywh=0,0,160,90"),
    ]
    with Image.open(tmp_path / "out" / "trickplay" / "sprite_001.jpg") as sheet:
        assert sheet.size == (320, 90)
    assert [r.rung.height for r in result.renditions] == [240, 360]


def test_mpegts_segments_and_a_source_without_audio(make_clip, fast_options, tmp_path):
    clip = make_clip("silent.mp4", size="480x270", seconds=3, audio=False, pattern="smptehdbars")
    options = TranscodeOptions(**{**fast_options.__dict__, "segment_type": "mpegts"})
    result = transcode(clip, tmp_path / "out", options=options)
    assert result.audio is None
    assert [r.rung.height for r in result.renditions] == [240]
    master = (tmp_path / "out" / "master.m3u8").read_text()
    assert "AUDIO=" not in master and "mp4a" not in master
    playlist = parse_media_playlist((tmp_path / "out" / "240p" / "index.m3u8").read_text())
    assert playlist.map_uri is None and playlist.segments[0].uri.endswith(".ts")
    assert re.search(r'CODECS="avc1\.[0-9a-f]{6}"', master)
    # MPEG-TS starts after the muxer's preload delay; subtitles are mapped to it.
    assert result.timestamp_map.startswith("MPEGTS:") and result.timestamp_map != "MPEGTS:0"


def test_a_truncated_source_fails_with_a_message(truncated_clip, fast_options, tmp_path):
    with pytest.raises(TranscodeError) as exc:
        transcode(truncated_clip, tmp_path / "out", options=fast_options)
    assert exc.value.code == "source_truncated"
    assert "truncated or corrupt" in exc.value.detail


def test_the_timeout_kills_ffmpeg(long_small_clip, fast_options, tmp_path):
    options = TranscodeOptions(**{**fast_options.__dict__, "timeout_seconds": 0.2})
    with pytest.raises(TranscodeTimeout) as exc:
        transcode(long_small_clip, tmp_path / "out", options=options)
    assert exc.value.code == "transcode_timeout" and "timeout" in exc.value.detail


def test_options_come_from_the_settings(settings):
    settings.STREAMFLIX_MEDIA = {
        "LADDER_HEIGHTS": [360, 720],
        "HLS_SEGMENT_TYPE": "mpegts",
        "HLS_SEGMENT_SECONDS": 4,
        "X264_PRESET": "ultrafast",
    }
    options = TranscodeOptions.from_settings()
    assert options.heights == (360, 720)
    assert (options.segment_type, options.segment_seconds) == ("mpegts", 4)
    with pytest.raises(ValueError, match="segment_type"):
        TranscodeOptions(segment_type="webm")
