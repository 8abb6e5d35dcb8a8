import logging

import pytest

from streamflix_media.transcoding import TranscodeError, TranscodeOptions, complexity, transcode
from streamflix_media.transcoding.complexity import (
    PruningOptions,
    prune_ladder,
    sample_windows,
)
from streamflix_media.transcoding.hls import parse_master_playlist
from streamflix_media.transcoding.ladder import build_ladder

HEIGHTS = (90, 120, 180)


def options_with(fast_options: TranscodeOptions, **changes) -> TranscodeOptions:
    return TranscodeOptions(
        **{
            **fast_options.__dict__,
            "heights": HEIGHTS,
            "pruning": PruningOptions(enabled=True, samples=2, sample_seconds=1.0),
            **changes,
        }
    )


@pytest.fixture(scope="module")
def flat_clip(make_clip):
    return make_clip("flat320.mp4", size="320x180", seconds=3, pattern="color")


@pytest.fixture(scope="module")
def noisy_clip(make_clip):
    return make_clip(
        "noisy320.mp4",
        size="320x180",
        seconds=3,
        extra=("-vf", "noise=alls=80:allf=t+u", "-crf", "10"),
    )


def rungs_of(estimates):
    ladder = build_ladder(source_height=180, display_aspect=16 / 9, heights=HEIGHTS)
    return ladder, dict(zip([r.name for r in ladder], estimates, strict=True))


def test_samples_are_spread_over_the_source_or_cover_a_short_one():
    assert sample_windows(60, 3, 2) == [(9.0, 2), (29.0, 2), (49.0, 2)]
    assert sample_windows(5, 3, 2) == [(0.0, 5)]


def test_estimates_below_the_lowest_target_count_as_equal():
    ladder, estimates = rungs_of([5, 7, 9])
    kept, pruned = prune_ladder(ladder, estimates, ratio=1.25)
    assert [r.name for r in kept] == ["180p"]
    assert [p["compared_kbps"] for p in pruned] == [64, 64]


def test_rungs_that_differ_enough_are_all_kept():
    ladder, estimates = rungs_of([100, 180, 400])
    kept, pruned = prune_ladder(ladder, estimates, ratio=1.25)
    assert [r.name for r in kept] == ["90p", "120p", "180p"] and pruned == []


def test_a_middle_rung_too_close_to_the_one_below_is_pruned_with_its_reason():
    ladder, estimates = rungs_of([100, 110, 400])
    kept, pruned = prune_ladder(ladder, estimates, ratio=1.25)
    assert [r.name for r in kept] == ["90p", "180p"]
    assert pruned == [
        {
            "rung": "120p",
            "estimate_kbps": 110,
            "compared_with": "90p",
            "compared_kbps": 100,
            "reason": "needs ~110 kbit/s, less than 1.25x the ~100 kbit/s of 90p below it",
        }
    ]


def test_the_top_rung_stays_and_the_lower_ones_too_close_to_it_go():
    ladder, estimates = rungs_of([200, 210, 220])
    kept, pruned = prune_ladder(ladder, estimates, ratio=1.25)
    assert [r.name for r in kept] == ["180p"]
    assert [(p["rung"], p["compared_with"]) for p in pruned] == [("90p", "180p"), ("120p", "90p")]
    assert "top rung 180p" in pruned[0]["reason"]


def test_a_flat_colour_source_prunes_down_and_records_why(flat_clip, fast_options, tmp_path):
    result = transcode(flat_clip, tmp_path / "out", options=options_with(fast_options))
    report = result.ladder_pruning
    assert report["enabled"] and report["ratio"] == 1.25 and "error" not in report
    assert [r.rung.name for r in result.renditions] == ["180p"]
    assert {p["rung"] for p in report["pruned"]} == {"90p", "120p"}
    assert all(p["reason"] for p in report["pruned"])
    assert set(report["estimates_kbps"]) == {"90p", "120p", "180p"}
    # The kept rung's target is capped far below the table's 180p figure.
    table = build_ladder(source_height=180, display_aspect=16 / 9, heights=HEIGHTS)[-1]
    assert result.renditions[0].rung.video_kbps < table.video_kbps
    assert report["targets_kbps"] == {"180p": result.renditions[0].rung.video_kbps}
    master = parse_master_playlist((tmp_path / "out" / "master.m3u8").read_text())
    assert [v.uri for v in master.variants] == ["180p/index.m3u8"]


def test_a_noisy_source_keeps_its_rungs(noisy_clip, fast_options, tmp_path):
    result = transcode(noisy_clip, tmp_path / "out", options=options_with(fast_options))
    assert [r.rung.name for r in result.renditions] == ["90p", "120p", "180p"]
    report = result.ladder_pruning
    assert report["pruned"] == []
    estimates = report["estimates_kbps"]
    assert estimates["120p"] >= 1.25 * estimates["90p"]
    assert estimates["180p"] >= 1.25 * estimates["120p"]


def test_a_failing_probe_keeps_the_full_ladder_and_never_fails_the_transcode(
    flat_clip, fast_options, tmp_path, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise TranscodeError("ffmpeg failed (exit 1): probe exploded")

    monkeypatch.setattr(complexity, "run_ffmpeg", broken)
    with caplog.at_level(logging.WARNING, logger="streamflix_media.transcoding.complexity"):
        result = transcode(flat_clip, tmp_path / "out", options=options_with(fast_options))
    assert [r.rung.name for r in result.renditions] == ["90p", "120p", "180p"]
    assert result.ladder_pruning["error"] == "ffmpeg failed (exit 1): probe exploded"
    assert result.ladder_pruning["pruned"] == []
    assert "complexity probe failed" in caplog.text


def test_pruning_off_runs_no_probe(flat_clip, fast_options, tmp_path, monkeypatch):
    monkeypatch.setattr(complexity, "estimate_rung_kbps", pytest.fail)
    options = options_with(fast_options, pruning=PruningOptions(enabled=False))
    result = transcode(flat_clip, tmp_path / "out", options=options)
    assert [r.rung.name for r in result.renditions] == ["90p", "120p", "180p"]
    assert result.ladder_pruning == {"enabled": False, "pruned": []}


def test_extra_codec_rungs_follow_the_pruned_ladder(flat_clip, fast_options, tmp_path):
    from streamflix_media.transcoding.encoders import resolve_profiles

    options = options_with(
        fast_options,
        encoder_profiles=resolve_profiles(
            {"hevc": {"preset": "ultrafast"}}, x264_preset="ultrafast"
        ),
        extra_ladders={"hevc": HEIGHTS},
    )
    result = transcode(flat_clip, tmp_path / "out", options=options)
    assert [r.rung.name for r in result.renditions] == ["180p", "180p-hevc"]
    h264, hevc = (r.rung for r in result.renditions)
    assert hevc.video_kbps == round(h264.video_kbps * 0.65)


def test_bad_pruning_settings_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        PruningOptions(ratio=0.9)
    with pytest.raises(ValueError, match="samples"):
        PruningOptions(samples=0)
