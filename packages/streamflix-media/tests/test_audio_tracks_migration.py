"""Migration 0006 records the one audio track of assets transcoded before languages."""

from __future__ import annotations

import importlib

from django.apps import apps

from streamflix_media.models import VideoAsset


def test_older_assets_get_their_single_track_recorded(movie, make_ready_asset):
    migration = importlib.import_module("streamflix_media.migrations.0006_audio_tracks")
    with_audio = make_ready_asset(title=movie)
    with_audio.result = {
        **with_audio.result,
        "audio": {"playlist": "audio/index.m3u8", "codecs": "mp4a.40.2", "peak_bps": 1,
                  "average_bps": 1, "channels": 2},
    }  # fmt: skip
    with_audio.save(update_fields=["result"])
    silent = make_ready_asset(title=movie, role="trailer")
    migration.record_single_tracks(apps, None)
    assert VideoAsset.objects.get(pk=with_audio.pk).audio_tracks == [
        {"language": "und", "name": "Main", "default": True, "channels": 2, "origin": "source"}
    ]
    assert VideoAsset.objects.get(pk=silent.pk).audio_tracks == []
