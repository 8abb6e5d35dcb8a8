import subprocess
from pathlib import Path

import pytest

from streamflix_media.transcoding import TranscodeOptions, transcode
from streamflix_media.transcoding.encoders import (
    KNOWN_HARDWARE_NAMES,
    _probe_cached,
    choose_encoder,
    resolve_profiles,
)
from streamflix_media.transcoding.hls import (
    av1_codec_string,
    hevc_codec_string,
    parse_master_playlist,
    parse_media_playlist,
)
from streamflix_media.transcoding.ladder import build_ladder
from streamflix_media.transcoding.pipeline import build_command
from streamflix_media.transcoding.probe import probe

#: Tiny and fast: ultrafast x265, SVT-AV1's fastest preset.
FAST_PROFILES = {"hevc": {"preset": "ultrafast"}, "av1": {"preset": "12"}}
HARDWARE = ("h264_nvenc", "h264_vaapi", "h264_qsv", "hevc_nvenc", "av1_qsv")


def options_with(fast_options: TranscodeOptions, **changes) -> TranscodeOptions:
    return TranscodeOptions(**{**fast_options.__dict__, **changes})


@pytest.fixture(scope="module")
def tiny_clip(make_clip):
    return make_clip("tiny160x90.mp4", size="160x90", seconds=2)


@pytest.fixture(scope="module")
def portrait_clip(make_clip):
    return make_clip("portrait90x160.mp4", size="90x160", seconds=2)


def test_each_rung_gets_its_own_encoder_preset_and_rates(tiny_clip, fast_options, tmp_path):
    profiles = resolve_profiles(
        {"h264": {"presets": {180: "veryfast"}}, **FAST_PROFILES}, x264_preset="ultrafast"
    )
    options = options_with(fast_options, encoder_profiles=profiles, extra_ladders={"av1": (90,)})
    rungs = build_ladder(source_height=180, display_aspect=16 / 9, heights=(90, 180))
    rungs = [*rungs, *options.extra_rungs(rungs)]
    args = build_command(tiny_clip, tmp_path, info=probe(tiny_clip), rungs=rungs, options=options)
    joined = " ".join(args)
    assert "-c:v:0 libx264 -b:v:0 " in joined and "-preset:v:0 ultrafast" in joined
    assert "-c:v:1 libx264" in joined and "-preset:v:1 veryfast" in joined
    assert "-c:v:2 libsvtav1" in joined and "-preset:v:2 12" in joined
    # SVT-AV1 takes no max rate outside CRF mode: its rung is plain VBR.
    assert "-maxrate:v:1 " in joined and "-maxrate:v:2 " not in joined
    assert rungs[2].name == "90p-av1" and rungs[2].video_kbps == round(rungs[0].video_kbps * 0.55)
    assert " -c:v libx264 " not in f" {joined} "


def test_unknown_profile_families_and_keys_are_refused():
    with pytest.raises(ValueError, match="unknown codec family 'vp9'"):
        resolve_profiles({"vp9": {}}, x264_preset="fast")
    with pytest.raises(ValueError, match="unknown keys"):
        resolve_profiles({"hevc": {"crf": 20}}, x264_preset="fast")


def test_hevc_or_av1_rungs_are_refused_with_mpegts_segments():
    with pytest.raises(ValueError, match="HEVC rungs need fMP4 segments"):
        TranscodeOptions(segment_type="mpegts", extra_ladders={"hevc": (720,)})
    with pytest.raises(ValueError, match="not 'h264'"):
        TranscodeOptions(extra_ladders={"h264": (720,)})


def test_without_a_device_the_hardware_encoders_fall_back_to_software(ffmpeg):
    profile = resolve_profiles(None, x264_preset="ultrafast")["h264"]
    choice = choose_encoder(profile, hardware=HARDWARE, binary=ffmpeg)
    assert choice.encoder == "libx264" and not choice.hardware
    report = choice.report()
    assert [p["encoder"] for p in report["hardware_probes"]] == [
        "h264_nvenc",
        "h264_vaapi",
        "h264_qsv",
    ]
    assert all(not p["usable"] and p["detail"] for p in report["hardware_probes"])
    # Probed once per process: a second choice reads the cache.
    hits = _probe_cached.cache_info().hits
    choose_encoder(profile, hardware=HARDWARE, binary=ffmpeg)
    assert _probe_cached.cache_info().hits == hits + 3


def test_hardware_names_this_build_lacks_are_not_run(tmp_path):
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\necho ' V....D libx264   H.264'\n")
    fake.chmod(0o755)
    profile = resolve_profiles(None, x264_preset="ultrafast")["h264"]
    choice = choose_encoder(profile, hardware=("h264_nvenc", "nonsense"), binary=str(fake))
    assert choice.encoder == "libx264"
    assert choice.report()["hardware_probes"] == [
        {"encoder": "h264_nvenc", "usable": False, "detail": "not in this ffmpeg build"}
    ]
    assert "nonsense" not in KNOWN_HARDWARE_NAMES


def test_codec_strings_from_the_configuration_records():
    # general_profile_space 0, tier Main, profile 1, compatibility 0x60000000, level 93.
    hvcc = bytes([1, 0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 93])
    assert hevc_codec_string(hvcc) == "hvc1.1.6.L93.90"
    high_tier = bytes([1, 0x22, 0x20, 0, 0, 0, 0xB0, 0, 0, 0, 0, 0, 150])
    assert hevc_codec_string(high_tier, "hev1") == "hev1.2.4.H150.B0"
    # Main profile, level 8 (4.0), Main tier, 8-bit; then 10-bit High tier.
    assert av1_codec_string(bytes([0x81, 0x08, 0x0C, 0])) == "av01.0.08M.08"
    assert av1_codec_string(bytes([0x81, 0x0D, 0xCC, 0])) == "av01.0.13H.10"


def read_back(ffmpeg: str, master: Path) -> str:
    """ffmpeg's own reading of the master playlist and every stream it lists."""
    done = subprocess.run(
        [ffmpeg, "-hide_banner", "-i", str(master), "-map", "0", "-c", "copy", "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr


def test_hevc_and_av1_rungs_are_extra_variants_ffmpeg_reads_back(
    tiny_clip, fast_options, ffmpeg, tmp_path
):
    options = options_with(
        fast_options,
        heights=(90,),
        encoder_profiles=resolve_profiles(FAST_PROFILES, x264_preset="ultrafast"),
        extra_ladders={"hevc": (90,), "av1": (90,)},
        hardware_encoders=HARDWARE,
    )
    result = transcode(tiny_clip, tmp_path / "out", options=options)
    master = parse_master_playlist((tmp_path / "out" / "master.m3u8").read_text())
    assert [v.uri for v in master.variants] == [
        "90p/index.m3u8",
        "90p-hevc/index.m3u8",
        "90p-av1/index.m3u8",
    ]
    codecs = [v.attributes["CODECS"].split(",")[0] for v in master.variants]
    assert codecs[0].startswith("avc1.")
    assert codecs[1].startswith("hvc1.1.6.L")
    assert codecs[2].startswith("av01.0.") and codecs[2].endswith("M.08")
    assert {v.attributes["RESOLUTION"] for v in master.variants} == {"160x90"}
    hevc_dir = tmp_path / "out" / "90p-hevc"
    init = parse_media_playlist((hevc_dir / "index.m3u8").read_text()).map_uri
    assert init and (hevc_dir / init).read_bytes().find(b"hvc1") > 0
    log = read_back(ffmpeg, tmp_path / "out" / "master.m3u8")
    assert "Video: h264" in log and "Video: hevc" in log and "Video: av1" in log
    # No device here: every family fell back to software, and the probes say why.
    assert {f: r["encoder"] for f, r in result.encoders.items()} == {
        "h264": "libx264",
        "hevc": "libx265",
        "av1": "libsvtav1",
    }
    assert not any(r["hardware"] for r in result.encoders.values())
    assert [p["encoder"] for p in result.encoders["h264"]["hardware_probes"]] == list(HARDWARE[:3])
    assert [p["usable"] for p in result.encoders["av1"]["hardware_probes"]] == [False]


def test_a_portrait_source_gets_portrait_rungs_named_by_the_short_side(
    portrait_clip, fast_options, ffmpeg, tmp_path
):
    options = options_with(fast_options, heights=(64, 90, 240))
    result = transcode(portrait_clip, tmp_path / "out", options=options)
    assert [(r.rung.name, r.rung.width, r.rung.height) for r in result.renditions] == [
        ("64p", 64, 114),
        ("90p", 90, 160),
    ]
    assert result.max_height == 90
    master = parse_master_playlist((tmp_path / "out" / "master.m3u8").read_text())
    assert [v.attributes["RESOLUTION"] for v in master.variants] == ["64x114", "90x160"]
    assert "90x160" in read_back(ffmpeg, tmp_path / "out" / "master.m3u8")


def test_a_hardware_encoder_failing_on_the_real_run_falls_back_to_software(
    tiny_clip, fast_options, tmp_path, monkeypatch
):
    from streamflix_media.transcoding import encoders

    def lying_probe(binary, encoder):
        return encoders.HardwareProbe(encoder.name, True, "probe encode succeeded")

    monkeypatch.setattr(encoders, "probe_hardware", lying_probe)
    options = options_with(fast_options, heights=(90,), hardware_encoders=("h264_nvenc",))
    result = transcode(tiny_clip, tmp_path / "out", options=options)
    report = result.encoders["h264"]
    assert report["encoder"] == "libx264" and report["hardware"] is False
    assert report["hardware_probes"][0]["usable"] is True
    assert report["hardware_failed"].startswith("h264_nvenc: ffmpeg failed")
    assert [r.rung.name for r in result.renditions] == ["90p"]
