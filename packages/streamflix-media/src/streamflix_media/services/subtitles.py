"""Writes of subtitles: a WebVTT track published beside a ready asset."""

from __future__ import annotations

from django.db import transaction

from streamflix_core.errors import Conflict

from ..models import Subtitle, VideoAsset
from ..storage import output_storage
from ..transcoding import (
    SubtitleInput,
    TranscodeResult,
    publish_subtitle,
)
from .run_leases import prefix_in_use


def subtitle_add(
    *,
    asset: VideoAsset,
    language: str,
    data: bytes | str,
    name: str | None = None,
    default: bool = False,
) -> Subtitle:
    """Publish an SRT or WebVTT file (converted to WebVTT) as ``language`` of a ready asset and
    reference it from its master playlist; replaces that language if present. An asset whose
    output is shared with a deduplicated twin is ``409 shared_output``."""
    with transaction.atomic():
        locked = VideoAsset.objects.select_for_update().get(pk=asset.pk)
        if locked.status != VideoAsset.Status.READY or not locked.result:
            raise Conflict(
                "Subtitles can be added once the video is ready.", code="asset_not_ready"
            )
        if prefix_in_use(locked.output_prefix, exclude=locked.pk):
            # A deduplicated twin plays the same files; its master must not change under it.
            raise Conflict(
                "This video shares its published output with another asset (same source "
                "file); transcode it again (retry) before adding subtitles.",
                code="shared_output",
            )
        updated = publish_subtitle(
            TranscodeResult.from_dict(locked.result),
            storage=output_storage(),
            prefix=locked.output_prefix,
            subtitle=SubtitleInput(language=language, data=data, name=name, default=default),
        )
        locked.result = updated.to_dict()
        locked.save(update_fields=["result", "updated_at"])
        track = next(t for t in updated.subtitles if t.language == language.strip())
        subtitle, _ = Subtitle.objects.update_or_create(
            asset=locked,
            language=track.language,
            defaults={"name": track.name, "default": track.default, "path": track.vtt},
        )
    return subtitle
