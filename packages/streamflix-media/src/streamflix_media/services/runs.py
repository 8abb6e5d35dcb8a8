"""One transcode run: the engine under a live lease, then its output published under a
version prefix of its own and the asset flipped to it (see ``run_leases`` for the lease).
"""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import VideoAsset
from ..storage import local_copy, output_storage, source_storage
from ..transcoding import (
    SourceRejected,
    SubtitleInput,
    TranscodeError,
    TranscodeOptions,
    TranscodeResult,
    asset_prefix,
    transcode_and_publish,
)
from ..transcoding.workdir import run_workspace
from .run_leases import (
    RunLease,
    RunLost,
    delete_quietly,
    prefix_in_use,
    run_claim,
    run_heartbeat,
    run_progress_saver,
)

logger = logging.getLogger(__name__)
Status = VideoAsset.Status


def current_subtitles(asset: VideoAsset) -> list[SubtitleInput]:
    """The published subtitles of the current version, carried over to a new one."""
    if not asset.result or not asset.output_prefix:
        return []
    storage = output_storage()
    carried = []
    for track in TranscodeResult.from_dict(asset.result).subtitles:
        with (
            contextlib.suppress(Exception),
            storage.open(f"{asset.output_prefix}/{track.vtt}", "rb") as fh,
        ):
            carried.append(
                SubtitleInput(
                    language=track.language,
                    data=fh.read(),
                    name=track.name,
                    default=track.default,
                )
            )
    return carried


def _fail(lease: RunLease, *, code: str, message: str) -> VideoAsset | None:
    VideoAsset.objects.filter(
        pk=lease.asset_id, status=Status.PROCESSING, run_token=lease.token
    ).update(
        status=Status.FAILED,
        error_code=code[:60],
        error_message=message,
        run_token="",
        lease_expires_at=None,
        lost_runs=0,
        updated_at=timezone.now(),
    )
    return VideoAsset.objects.filter(pk=lease.asset_id).first()


def run_transcode(*, asset_id: int, options: TranscodeOptions | None = None) -> VideoAsset | None:
    """Claim asset ``asset_id`` (pending, or left ``processing`` by a dead run) and run it
    under a lease; see :func:`streamflix_media.services.assets.asset_transcode`."""
    asset = run_claim(asset_id=asset_id)
    if asset is None:
        return None
    lease = RunLease(asset)
    with run_heartbeat(lease):
        return _run(asset, lease, options or TranscodeOptions.from_settings())


def _run(asset: VideoAsset, lease: RunLease, options: TranscodeOptions) -> VideoAsset | None:
    prefix = asset_prefix(asset.pk, asset.run_version)
    storage = output_storage()
    subtitles = current_subtitles(asset)
    suffix = os.path.splitext(asset.source_path)[1][:10]
    if not source_storage().exists(asset.source_path):
        return _fail(lease, code="source_missing", message="The source file is missing.")
    try:
        with (
            run_workspace(f"asset-{asset.pk}") as scratch,
            local_copy(
                source_storage(), asset.source_path, suffix=suffix, work_dir=scratch
            ) as path,
        ):
            result = transcode_and_publish(
                path,
                storage=storage,
                prefix=prefix,
                options=options,
                subtitles=subtitles,
                on_progress=run_progress_saver(lease),
                work_dir=scratch,
            )
    except RunLost:
        logger.warning("Asset %s was taken over; this run stops", asset.pk)
        delete_quietly(storage, prefix)
        return None
    except (TranscodeError, SourceRejected) as exc:
        return _fail(lease, code=exc.code, message=exc.detail)
    except Exception as exc:
        logger.exception("Transcoding asset %s failed", asset.pk)
        delete_quietly(storage, prefix)
        return _fail(lease, code="transcode_failed", message=str(exc) or type(exc).__name__)
    except BaseException as exc:
        # django-q2's task timeout (a SystemExit) or an interrupt: the run is over, say so
        # now rather than a lease later.
        _fail(lease, code="run_interrupted", message=f"The run was interrupted: {exc}")
        raise
    return _publish(asset, lease, prefix=prefix, result=result)


def _publish(
    asset: VideoAsset, lease: RunLease, *, prefix: str, result: TranscodeResult
) -> VideoAsset | None:
    """Flip the asset to the run's fully written output, if the run still owns it."""
    storage = output_storage()
    with transaction.atomic():
        fresh = VideoAsset.objects.select_for_update().filter(pk=asset.pk).first()
        owned = (
            fresh is not None
            and fresh.run_token == lease.token
            and fresh.status == Status.PROCESSING
        )
        if owned and fresh is not None:
            _flip(fresh, prefix=prefix, result=result, storage=storage)
    if not owned or fresh is None:
        # Deleted, or taken over while this run published: nobody will read this output.
        logger.warning("Asset %s is no longer this run's; its output is dropped", asset.pk)
        delete_quietly(storage, prefix)
        return None
    return fresh


def _flip(fresh: VideoAsset, *, prefix: str, result: TranscodeResult, storage: Any) -> None:
    """Point the locked asset at the run's output (ready); the previous output goes once
    this commits, unless another asset shares it."""
    previous = fresh.output_prefix
    fresh.status = Status.READY
    fresh.progress = 100.0
    fresh.version = fresh.run_version
    fresh.output_prefix = prefix
    fresh.result = result.to_dict()
    fresh.rungs = sorted({r.rung.short_side for r in result.renditions})
    fresh.ladder_pruning = result.ladder_pruning
    fresh.audio_tracks = [track.describe() for track in result.audio_tracks]
    fresh.duration = result.duration
    fresh.width = result.source_width
    fresh.height = result.source_height
    fresh.ready_at = timezone.now()
    fresh.error_code = ""
    fresh.error_message = ""
    fresh.run_token = ""
    fresh.lease_expires_at = None
    fresh.lost_runs = 0
    fresh.save()
    if previous and previous != prefix and not prefix_in_use(previous, exclude=fresh.pk):
        transaction.on_commit(lambda: delete_quietly(storage, previous))
