import hashlib
import io
import subprocess
from types import SimpleNamespace

import pytest

from streamflix_core.api.errors import status_for
from streamflix_media.transcoding import (
    CorruptSource,
    NotAVideo,
    SourceEmpty,
    SourceResolutionTooHigh,
    SourceTooLarge,
    SourceTooLong,
    SourceTypeMismatch,
    UnsupportedSourceType,
    content_hash,
    probe,
    sniff_container,
    validate_source,
)
from streamflix_media.transcoding.probe import parse_probe

LIMITS = {
    "MAX_UPLOAD_BYTES": 10**9,
    "MAX_DURATION_SECONDS": 3600,
    "MAX_HEIGHT": 2160,
    "MAX_WIDTH": 4096,
}


def limits(**overrides):
    return SimpleNamespace(**{**LIMITS, **overrides})


@pytest.fixture(scope="package")
def clip_mkv(ffmpeg, clip_720, clips_dir):
    target = clips_dir / "clip.mkv"
    subprocess.run(
        [ffmpeg, "-loglevel", "error", "-y", "-i", str(clip_720), "-c", "copy", str(target)],
        check=True,
    )
    return target


@pytest.fixture(scope="package")
def audio_only_mp4(ffmpeg, clips_dir):
    target = clips_dir / "audio.mp4"
    subprocess.run(
        [
            ffmpeg,
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=d=2",
            "-c:a",
            "aac",
            str(target),
        ],
        check=True,
    )
    return target


def test_sniffing_recognises_containers_by_magic_bytes():
    assert sniff_container(b"\x00\x00\x00\x18ftypmp42") == "isobmff"
    assert sniff_container(b"\x00\x00\x00\x14ftypqt  ") == "isobmff"
    assert sniff_container(b"\x1a\x45\xdf\xa3\x01\x00") == "matroska"
    assert sniff_container(b"RIFF\x00\x00\x00\x00AVI LIST") == "avi"
    assert sniff_container(bytes([0x47] + [0] * 187) * 3) == "mpegts"
    assert sniff_container(b"\x00\x00\x01\xba\x44") == "mpegps"
    assert sniff_container(b"\x89PNG\r\n\x1a\n") is None
    assert sniff_container(b"hello world") is None


def test_a_valid_mp4_is_accepted_with_its_hash(clip_720):
    info = validate_source(clip_720, filename="Trailer.MP4", content_type="video/mp4")
    assert info.container == "isobmff"
    assert info.probe.video.width == 1280 and info.probe.video.height == 720
    assert info.probe.video.frame_rate == 25
    assert info.probe.audio is not None
    assert info.duration == pytest.approx(5, abs=0.1)
    assert info.size == clip_720.stat().st_size
    assert info.sha256 == hashlib.sha256(clip_720.read_bytes()).hexdigest()


def test_matroska_is_accepted_as_mkv_and_refused_as_mp4(clip_mkv):
    info = validate_source(clip_mkv, filename="a.mkv", content_type="video/x-matroska")
    assert info.container == "matroska"
    with pytest.raises(SourceTypeMismatch) as exc:
        validate_source(clip_mkv, filename="a.mp4")
    assert exc.value.code == "source_type_mismatch" and status_for(exc.value) == 415
    assert "matroska" in exc.value.detail


def test_declared_content_type_must_agree(clip_720):
    with pytest.raises(SourceTypeMismatch, match="video/webm"):
        validate_source(clip_720, filename="a.mp4", content_type="video/webm")
    # Parameters and case in the header are fine.
    validate_source(clip_720, filename="a.mov", content_type="Video/QuickTime; charset=binary")


def test_unknown_extension_is_unsupported(clip_720):
    with pytest.raises(UnsupportedSourceType) as exc:
        validate_source(clip_720, filename="movie.txt")
    assert exc.value.code == "unsupported_source_type" and ".txt" in exc.value.detail


def test_a_text_file_named_mp4_is_rejected(tmp_path):
    fake = tmp_path / "movie.mp4"
    fake.write_text("definitely not a video\n" * 100)
    with pytest.raises(SourceTypeMismatch, match="not a recognised video container"):
        validate_source(fake, filename="movie.mp4", content_type="video/mp4")


def test_an_image_named_mp4_is_rejected(tmp_path):
    from PIL import Image

    image = tmp_path / "x.mp4"
    Image.new("RGB", (32, 32)).save(image, "PNG")
    with pytest.raises(SourceTypeMismatch):
        validate_source(image, filename="x.mp4")


def test_an_audio_only_file_is_not_a_video(audio_only_mp4):
    with pytest.raises(NotAVideo) as exc:
        validate_source(audio_only_mp4, filename="song.mp4", content_type="video/mp4")
    assert exc.value.code == "not_a_video" and status_for(exc.value) == 422


def test_a_corrupt_file_is_rejected_with_ffmpegs_reason(tmp_path):
    corrupt = tmp_path / "broken.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\xde\xad" * 5000)
    with pytest.raises(CorruptSource) as exc:
        validate_source(corrupt, filename="broken.mp4")
    assert exc.value.code == "corrupt_source"
    assert "could not be read" in exc.value.detail


def test_empty_and_oversized_files(tmp_path, clip_720):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(SourceEmpty):
        validate_source(empty, filename="empty.mp4")
    with pytest.raises(SourceTooLarge) as exc:
        validate_source(clip_720, filename="a.mp4", limits=limits(MAX_UPLOAD_BYTES=1000))
    assert status_for(exc.value) == 413 and exc.value.code == "source_too_large"


def test_duration_and_resolution_limits(clip_720):
    with pytest.raises(SourceTooLong, match="limit is 3 s"):
        validate_source(clip_720, filename="a.mp4", limits=limits(MAX_DURATION_SECONDS=3))
    with pytest.raises(SourceResolutionTooHigh, match="1280x720"):
        validate_source(clip_720, filename="a.mp4", limits=limits(MAX_HEIGHT=480))
    with pytest.raises(SourceResolutionTooHigh):
        validate_source(clip_720, filename="a.mp4", limits=limits(MAX_WIDTH=1000))


def test_limits_come_from_the_settings(settings, clip_720):
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "MAX_DURATION_SECONDS": 2}
    with pytest.raises(SourceTooLong):
        validate_source(clip_720, filename="a.mp4")


def test_content_hash_streams_a_file_object_and_rewinds():
    data = b"x" * (3 << 20) + b"tail"
    fh = io.BytesIO(data)
    assert content_hash(fh, chunk_size=1 << 20) == hashlib.sha256(data).hexdigest()
    assert fh.tell() == 0


def test_parse_probe_applies_rotation_and_sample_aspect_ratio():
    log = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'phone.mov':
  Duration: 00:01:02.50, start: 0.000000, bitrate: 9000 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709), \
1920x1080, 8000 kb/s, 29.97 fps, 29.97 tbr, 600 tbn (default)
    Side data:
      displaymatrix: rotation of -90.00 degrees
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, \
192 kb/s (default)
"""
    result = parse_probe(log)
    assert result.duration == pytest.approx(62.5)
    assert (result.video.width, result.video.height) == (1080, 1920)
    assert result.video.frame_rate == pytest.approx(29.97)
    assert result.audio.sample_rate == 48000 and result.audio.channels == "stereo"

    dvd = parse_probe(
        "Input #0, mpeg, from 'x.mpg':\n  Duration: N/A, bitrate: N/A\n"
        "  Stream #0:0[0x1e0]: Video: mpeg2video (Main), yuv420p(tv, top first), "
        "720x576 [SAR 64:45 DAR 16:9], 25 fps, 25 tbr, 90k tbn\n"
    )
    assert dvd.duration is None
    assert dvd.video.display_aspect == pytest.approx(16 / 9)


def test_probe_reads_an_mkv(clip_mkv):
    result = probe(clip_mkv)
    assert "matroska" in result.format_names
    assert result.duration == pytest.approx(5, abs=0.1)
