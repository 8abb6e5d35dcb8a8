"""Several audio languages: one HLS audio rendition per source stream, encoded once each, and
the DASH manifest over the same fMP4 segments."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from streamflix_media.transcoding import TranscodeResult, probe, transcode
from streamflix_media.transcoding.hls import parse_master_playlist, parse_media_playlist
from streamflix_media.transcoding.languages import display_name, normalise_language
from streamflix_media.transcoding.pipeline import audio_plan, output_channels
from streamflix_media.transcoding.probe import parse_probe

PROBE_LOG = """\
Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'two.mp4':
  Duration: 00:00:08.00, start: 0.000000, bitrate: 1955 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), \
640x360 [SAR 1:1 DAR 16:9], 1808 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
  Stream #0:1[0x2](eng): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, \
128 kb/s
    Metadata:
      handler_name    : SoundHandler
  Stream #0:2[0x3](deu): Audio: ac3 (ac-3 / 0x332D6361), 48000 Hz, 5.1(side), fltp, \
384 kb/s (default)
    Metadata:
      name            : German dub
  Stream #0:3: Audio: aac (LC), 44100 Hz, mono, fltp, 64 kb/s
"""


def test_probe_reads_every_audio_stream_with_language_default_and_title():
    info = parse_probe(PROBE_LOG)
    assert [(a.language, a.default, a.title, a.channel_count) for a in info.audios] == [
        ("eng", False, None, 2),
        ("deu", True, "German dub", 6),
        (None, False, None, 1),
    ]
    assert info.audio == info.audios[0]


def test_languages_are_short_tags_with_their_own_names():
    assert [normalise_language(t) for t in ("eng", "ger", "deu", "pt-BR", None, "x!")] == [
        "en", "de", "de", "pt-BR", "und", "und",
    ]  # fmt: skip
    assert [display_name(t) for t in ("en", "de", "pt-BR", "fr", "und", "tlh")] == [
        "English", "Deutsch", "Português (Brasil)", "Français", "Original", "tlh",
    ]  # fmt: skip


def test_the_plan_keeps_channels_up_to_5_1_and_marks_the_containers_default(fast_options):
    plans = audio_plan(parse_probe(PROBE_LOG), fast_options)
    assert [(p.directory, p.language, p.name, p.channels, p.default) for p in plans] == [
        ("audio", "en", "English", 2, False),
        ("audio_1", "de", "Deutsch", 6, True),
        ("audio_2", "und", "Original", 1, False),
    ]
    stereo_only = audio_plan(parse_probe(PROBE_LOG), replace(fast_options, audio_max_channels=2))
    assert [p.channels for p in stereo_only] == [2, 2, 1]
    assert [output_channels(n, 6) for n in (1, 2, 3, 6, 8)] == [1, 2, 2, 6, 6]


def test_two_streams_of_one_language_get_distinct_names(fast_options):
    log = PROBE_LOG.replace("(deu)", "(eng)")
    names = [p.name for p in audio_plan(parse_probe(log), fast_options)]
    assert names == ["English", "English (German dub)", "Original"]


@pytest.fixture(scope="module")
def two_language_clip(ffmpeg: str, clips_dir: Path) -> Path:
    """English (440 Hz, stereo) and German (880 Hz, 5.1, the container's default) audio."""
    target = clips_dir / "eng_deu.mp4"
    if not target.exists():
        subprocess.run(
            [
                ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=4",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:d=4",
                "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=48000:d=4",
                "-map", "0:v", "-map", "1:a", "-map", "2:a",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-ac:a:0", "2", "-ac:a:1", "6",
                "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=deu",
                "-disposition:a:0", "0", "-disposition:a:1", "default",
                str(target),
            ],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    return target


@pytest.fixture(scope="module")
def two_language_output(two_language_clip, fast_options, tmp_path_factory):
    out = tmp_path_factory.mktemp("two-languages") / "out"
    options = replace(fast_options, heights=(240, 360))
    return out, transcode(two_language_clip, out, options=options)


def test_each_audio_stream_becomes_a_rendition_of_the_one_audio_group(two_language_output):
    out, result = two_language_output
    master = parse_master_playlist((out / "master.m3u8").read_text())
    audio = [m for m in master.media if m["TYPE"] == "AUDIO"]
    assert [
        (m["GROUP-ID"], m["LANGUAGE"], m["NAME"], m["DEFAULT"], m["AUTOSELECT"], m["CHANNELS"])
        for m in audio
    ] == [
        ("audio", "en", "English", "NO", "YES", "2"),
        ("audio", "de", "Deutsch", "YES", "YES", "6"),
    ]
    assert [a["URI"] for a in audio] == ["audio/index.m3u8", "audio_1/index.m3u8"]
    assert all(v.attributes["AUDIO"] == "audio" for v in master.variants)
    # BANDWIDTH counts the most demanding track of the group (the 5.1 one).
    loudest = max(result.audio_tracks, key=lambda a: a.peak_bps)
    assert loudest.language == "de"
    low = next(r for r in result.renditions if r.rung.height == 240)
    assert master.variants[0].attributes["BANDWIDTH"] == str(low.peak_bps + loudest.peak_bps)
    assert result.audio.language == "de"


def test_each_audio_track_is_encoded_once_and_no_video_rung_carries_audio(
    two_language_output, ffmpeg
):
    out, result = two_language_output
    audio_dirs = sorted(p.name for p in out.iterdir() if p.name.startswith("audio"))
    assert audio_dirs == ["audio", "audio_1"]
    for rendition in result.renditions:
        playlist = parse_media_playlist((out / rendition.playlist).read_text())
        init = (out / rendition.rung.name / playlist.map_uri).read_bytes()
        assert b"mp4a" not in init and b"avc1" in init
    for track, channels in zip(result.audio_tracks, ("stereo", "5.1"), strict=True):
        log = subprocess.run(
            [ffmpeg, "-hide_banner", "-i", str(out / track.playlist), "-f", "null", "-"],
            capture_output=True, text=True, timeout=60,
        ).stderr  # fmt: skip
        assert "Audio: aac" in log and channels in log, log[-1500:]
        assert "Video:" not in log


@pytest.mark.parametrize("audio_index", [0, 1])
def test_ffmpeg_plays_the_master_playlist_with_either_language(
    two_language_output, ffmpeg, audio_index
):
    out, _ = two_language_output
    done = subprocess.run(
        [
            ffmpeg, "-hide_banner", "-i", str(out / "master.m3u8"),
            "-map", "0:v:0", "-map", f"0:a:{audio_index}", "-f", "null", "-",
        ],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-1500:]
    assert "frame=" in done.stderr


def test_the_mpd_names_the_same_segment_files_and_ffmpeg_plays_it(two_language_output, ffmpeg):
    out, result = two_language_output
    assert result.dash == "manifest.mpd" and "manifest.mpd" in result.files
    text = (out / "manifest.mpd").read_text()
    named = set()
    for rendition in (*result.renditions, *result.audio_tracks):
        playlist = parse_media_playlist((out / rendition.playlist).read_text())
        base = rendition.playlist.rsplit("/", 1)[0]
        for uri in playlist.uris():
            assert f'"{base}/{uri}"' in text
            named.add(f"{base}/{uri}")
    segments = {p.relative_to(out).as_posix() for p in out.rglob("*.m4s")}
    assert segments <= named  # every segment is in the MPD; none was written twice
    assert 'lang="en"' in text and 'lang="de"' in text and "<Label>Deutsch</Label>" in text
    for audio_index in (0, 1):
        done = subprocess.run(
            [
                ffmpeg, "-hide_banner", "-i", str(out / "manifest.mpd"),
                "-map", "0:v:0", "-map", f"0:a:{audio_index}", "-f", "null", "-",
            ],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-1500:]


def test_the_result_round_trips_and_reads_the_single_track_of_older_results(
    two_language_output,
):
    _, result = two_language_output
    assert TranscodeResult.from_dict(result.to_dict()) == result
    old = result.to_dict()
    old["audio"] = old.pop("audio_tracks")[0]
    old.pop("dash")
    legacy = TranscodeResult.from_dict(old)
    assert len(legacy.audio_tracks) == 1 and legacy.dash is None


def test_mpeg_ts_output_gets_no_mpd(make_clip, fast_options, tmp_path):
    clip = make_clip("short_ts.mp4", size="320x180", seconds=2)
    options = replace(fast_options, heights=(180,), segment_type="mpegts")
    result = transcode(clip, tmp_path / "out", options=options)
    assert result.dash is None and not (tmp_path / "out" / "manifest.mpd").exists()
    assert len(result.audio_tracks) == 1 and result.audio.language == "und"


def test_dash_can_be_switched_off(make_clip, fast_options, tmp_path):
    clip = make_clip("short_fmp4.mp4", size="320x180", seconds=2)
    result = transcode(
        clip, tmp_path / "out", options=replace(fast_options, heights=(180,), dash=False)
    )
    assert result.dash is None and not (tmp_path / "out" / "manifest.mpd").exists()


def test_a_source_without_audio_has_no_audio_tracks(make_clip, ffmpeg):
    clip = make_clip("silent_probe.mp4", size="320x180", seconds=1, audio=False)
    assert probe(clip, binary=ffmpeg).audios == ()
