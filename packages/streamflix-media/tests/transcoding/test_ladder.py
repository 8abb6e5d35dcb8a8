import pytest

from streamflix_media.transcoding import build_ladder
from streamflix_media.transcoding.ladder import bitrate_for_height


def heights(rungs):
    return [r.height for r in rungs]


def test_a_720p_source_gets_no_1080_rung():
    rungs = build_ladder(source_height=720, display_aspect=16 / 9)
    assert heights(rungs) == [240, 360, 480, 720]
    assert [r.name for r in rungs] == ["240p", "360p", "480p", "720p"]


def test_a_1080p_source_gets_every_default_rung_with_even_widths():
    rungs = build_ladder(source_height=1080, display_aspect=16 / 9)
    assert heights(rungs) == [240, 360, 480, 720, 1080]
    assert [r.width for r in rungs] == [426, 640, 854, 1280, 1920]
    assert all(r.width % 2 == 0 for r in rungs)


def test_rungs_up_to_2160_can_be_configured_and_are_sorted():
    rungs = build_ladder(source_height=2160, display_aspect=16 / 9, heights=(2160, 720, 1440, 1080))
    assert heights(rungs) == [720, 1080, 1440, 2160]
    assert rungs[-1].width == 3840
    with pytest.raises(ValueError, match="2160"):
        build_ladder(source_height=2160, display_aspect=1.0, heights=(4320,))
    with pytest.raises(ValueError, match="even"):
        build_ladder(source_height=720, display_aspect=1.0, heights=(361,))


def test_capped_vbr_rates_follow_the_ratios():
    rungs = build_ladder(
        source_height=480, display_aspect=4 / 3, maxrate_ratio=1.5, bufsize_ratio=2
    )
    for rung in rungs:
        assert rung.maxrate_kbps == round(rung.video_kbps * 1.5)
        assert rung.bufsize_kbps == rung.video_kbps * 2
    assert [r.video_kbps for r in rungs] == [400, 800, 1400]
    assert rungs[-1].width == 640


def test_a_tiny_source_gets_one_rung_at_its_own_height():
    rungs = build_ladder(source_height=181, display_aspect=320 / 181)
    assert heights(rungs) == [180]
    assert rungs[0].width % 2 == 0


def test_anamorphic_sources_get_square_pixel_widths():
    rungs = build_ladder(source_height=576, display_aspect=16 / 9, heights=(480,))
    assert rungs[0].width == 854


def test_a_portrait_source_gets_its_rungs_by_the_short_side():
    rungs = build_ladder(source_height=1920, display_aspect=9 / 16)
    assert [(r.width, r.height) for r in rungs] == [
        (240, 426),
        (360, 640),
        (480, 854),
        (720, 1280),
        (1080, 1920),
    ]
    assert [r.name for r in rungs] == ["240p", "360p", "480p", "720p", "1080p"]
    assert [r.short_side for r in rungs] == [240, 360, 480, 720, 1080]
    assert [r.video_kbps for r in rungs] == [400, 800, 1400, 2800, 5000]


def test_a_portrait_720x1280_source_gets_no_1080_rung():
    rungs = build_ladder(source_height=1280, display_aspect=720 / 1280)
    assert [r.name for r in rungs] == ["240p", "360p", "480p", "720p"]
    assert rungs[-1].width == 720 and rungs[-1].height == 1280


def test_a_tiny_portrait_source_gets_one_rung_at_its_own_width():
    rungs = build_ladder(source_height=160, display_aspect=90 / 160)
    assert [(r.name, r.width, r.height) for r in rungs] == [("90p", 90, 160)]


def test_a_square_source_is_classed_by_its_height():
    rungs = build_ladder(source_height=720, display_aspect=1.0, heights=(360, 720))
    assert [(r.width, r.height) for r in rungs] == [(360, 360), (720, 720)]


def test_bitrates_interpolate_between_table_rows():
    assert bitrate_for_height(720) == 2800
    assert bitrate_for_height(900) == 3900
    assert bitrate_for_height(120) == 200
    assert bitrate_for_height(540, {480: 1000, 720: 2000}) == 1250
