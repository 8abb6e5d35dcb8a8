"""Writes of audio tracks: an extra language's audio file published beside a ready asset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from streamflix_core.errors import Conflict

from ..models import VideoAsset
from ..storage import output_storage
from ..transcoding import TranscodeResult, publish_audio_file, validate_audio_language
from .run_leases import prefix_in_use


def audio_track_add(
    *,
    asset: VideoAsset,
    language: str,
    source: Path,
    name: str | None = None,
    default: bool = False,
) -> dict[str, Any]:
    """Encode an audio file (its first audio stream) once to AAC as ``language`` of a ready
    asset, in the same audio group as the source's tracks, and list it in the master
    playlist and DASH manifest; replaces an earlier upload of that language. Returns the
    track as the API shows it.

    422 ``invalid_audio`` for a bad language tag or a file without audio (``corrupt_source``
    when ffmpeg cannot read it), 409 ``asset_not_ready`` before the video is ready and 409
    ``shared_output`` for an asset sharing its output with a deduplicated twin.
    """
    language = validate_audio_language(language)
    with transaction.atomic():
        locked = VideoAsset.objects.select_for_update().get(pk=asset.pk)
        if locked.status != VideoAsset.Status.READY or not locked.result:
            raise Conflict(
                "Audio tracks can be added once the video is ready.", code="asset_not_ready"
            )
        if prefix_in_use(locked.output_prefix, exclude=locked.pk):
            raise Conflict(
                "This video shares its published output with another asset (same source "
                "file); transcode it again (retry) before adding audio tracks.",
                code="shared_output",
            )
        updated = publish_audio_file(
            TranscodeResult.from_dict(locked.result),
            storage=output_storage(),
            prefix=locked.output_prefix,
            source=source,
            language=language,
            name=name,
            default=default,
        )
        locked.result = updated.to_dict()
        locked.audio_tracks = [track.describe() for track in updated.audio_tracks]
        locked.save(update_fields=["result", "audio_tracks", "updated_at"])
    return next(
        t.describe()
        for t in updated.audio_tracks
        if t.origin == "upload" and t.language == language
    )
