import shutil

import pytest

from streamflix_media.transcoding import (
    FfmpegNotFound,
    TranscodeError,
    check_ffmpeg,
    ffmpeg_binary,
    find_ffmpeg,
    run_ffmpeg,
)


def test_the_binary_is_found_and_has_what_the_pipeline_needs(ffmpeg):
    assert check_ffmpeg(ffmpeg) == []
    if shutil.which("ffmpeg") is None:
        import imageio_ffmpeg

        assert find_ffmpeg() == imageio_ffmpeg.get_ffmpeg_exe()


def test_the_binary_is_a_setting(settings, ffmpeg):
    settings.STREAMFLIX_MEDIA = {"FFMPEG_BINARY": ffmpeg}
    assert ffmpeg_binary() == ffmpeg
    settings.STREAMFLIX_MEDIA = {"FFMPEG_BINARY": "/nonexistent/ffmpeg"}
    with pytest.raises(FfmpegNotFound, match="/nonexistent/ffmpeg") as exc:
        ffmpeg_binary()
    assert exc.value.code == "ffmpeg_not_found"


def test_a_failing_run_raises_with_ffmpegs_reason(ffmpeg, tmp_path):
    with pytest.raises(TranscodeError) as exc:
        run_ffmpeg(["-i", str(tmp_path / "missing.mp4"), "-f", "null", "-"], binary=ffmpeg)
    assert exc.value.code == "transcode_failed"
    assert "No such file" in exc.value.detail


def test_progress_from_out_time_when_frames_are_unknown(ffmpeg):
    seen = []
    run_ffmpeg(
        ["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=3", "-f", "null", "-"],
        binary=ffmpeg,
        duration=3,
        on_progress=seen.append,
    )
    assert seen[-1] == 100 and seen == sorted(set(seen))
