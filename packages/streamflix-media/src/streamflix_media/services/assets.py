"""Writes of video assets: ingest, the transcode run, retry and deletion."""

from __future__ import annotations

import contextlib
import logging
import os
import posixpath
import re
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from streamflix_core.errors import InvalidInput

from ..conf import settings
from ..models import Episode, Title, VideoAsset
from ..storage import output_storage, save_exact, source_storage
from ..transcoding import (
    TranscodeOptions,
    validate_source,
)
from .run_leases import asset_enqueue_transcode, delete_quietly, prefix_in_use, run_retry
from .runs import run_transcode

logger = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class InvalidTarget(InvalidInput):
    code = "invalid_target"


class UploadRejected(InvalidInput):
    code = "upload_rejected"


def safe_name(filename: str) -> str:
    base = posixpath.basename(filename.replace("\\", "/")) or "source"
    return _UNSAFE.sub("_", base)[-120:] or "source"


def check_target(
    *, role: str, title: Title | None = None, episode: Episode | None = None
) -> tuple[Title | None, Episode | None]:
    """``(title, episode)`` for ``role``; a feature needs a movie, an episode an episode, a
    trailer any title (422 ``invalid_target`` otherwise)."""
    if role == VideoAsset.Role.EPISODE:
        if episode is None or title is not None:
            raise InvalidTarget("An episode video needs an episode (and no title).")
        return None, episode
    if role not in (VideoAsset.Role.FEATURE, VideoAsset.Role.TRAILER):
        raise InvalidTarget(f"Unknown role {role!r}: feature, episode or trailer.")
    if title is None or episode is not None:
        raise InvalidTarget(f"A {role} video needs a title (and no episode).")
    if role == VideoAsset.Role.FEATURE and title.kind != Title.Kind.MOVIE:
        raise InvalidTarget("Only a movie has a feature video; a series has episode videos.")
    return title, None


def _source_name(filename: str) -> str:
    return f"{settings().SOURCE_STORAGE_PREFIX.strip('/')}/{uuid.uuid4().hex}/{safe_name(filename)}"


def ingest(
    path: Path,
    *,
    filename: str,
    content_type: str | None,
    role: str,
    title: Title | None,
    episode: Episode | None,
    user: Any,
    stored_name: str | None = None,
    enqueue: bool = True,
) -> VideoAsset:
    """Validate the local file ``path`` and create its asset. ``stored_name``: the source is
    already in the source storage there (a direct upload); otherwise it is copied in."""
    title, episode = check_target(role=role, title=title, episode=episode)
    info = validate_source(path, filename=filename, content_type=content_type)
    storage = source_storage()
    fields: dict[str, Any] = {
        "role": role,
        "title": title,
        "episode": episode,
        "original_filename": filename[:255],
        "size": info.size,
        "content_type": (content_type or "")[:100],
        "sha256": info.sha256 or "",
        "duration": info.duration,
        "width": info.probe.video.width if info.probe.video else None,
        "height": info.probe.video.height if info.probe.video else None,
        "uploaded_by": user if getattr(user, "is_authenticated", False) else None,
    }
    twin = (
        VideoAsset.objects.filter(sha256=info.sha256, status=VideoAsset.Status.READY)
        .exclude(output_prefix="")
        .order_by("-ready_at", "-id")
        .first()
    )
    if twin is not None:
        # Same bytes as a ready asset: share its published output instead of transcoding.
        if stored_name:
            storage.delete(stored_name)
        with transaction.atomic():
            return VideoAsset.objects.create(
                **{
                    **fields,
                    "status": VideoAsset.Status.READY,
                    "progress": 100.0,
                    "duration": twin.duration,
                    "rungs": twin.rungs,
                    "audio_tracks": twin.audio_tracks,
                    "result": twin.result,
                    "version": twin.version,
                    "output_prefix": twin.output_prefix,
                    "ready_at": timezone.now(),
                }
            )
    name = stored_name
    if name is None:
        with open(path, "rb") as fh:
            name = save_exact(storage, _source_name(filename), fh)
    try:
        with transaction.atomic():
            asset = VideoAsset.objects.create(**fields, source_path=name)
            if enqueue:
                asset_enqueue_transcode(asset=asset)
    except BaseException:
        with contextlib.suppress(Exception):
            storage.delete(name)
        raise
    return asset


@contextlib.contextmanager
def _upload_on_disk(upload: Any) -> Iterator[Path]:
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        yield Path(temporary())
        return
    suffix = os.path.splitext(getattr(upload, "name", "") or "")[1][:10]
    with tempfile.NamedTemporaryFile(prefix="streamflix-upload-", suffix=suffix) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        yield Path(tmp.name)


def asset_create_from_upload(
    *,
    upload: Any,
    role: str,
    title: Title | None = None,
    episode: Episode | None = None,
    user: Any = None,
    filename: str | None = None,
    content_type: str | None = None,
    enqueue: bool = True,
) -> VideoAsset:
    """Validate an uploaded source (size, extension vs sniffed type vs declared type, probe
    limits) and create its asset, queued for transcoding once the transaction commits.

    A rejected source raises a ``SourceRejected`` (4xx) and leaves nothing stored. A source
    whose sha256 matches a ready asset is not transcoded again: the new asset is ready at
    once and shares that output. ``enqueue=False`` leaves running it to the caller
    (``asset_transcode``), as the demo seed does.
    """
    filename = filename or getattr(upload, "name", "") or "source"
    if content_type is None:
        content_type = getattr(upload, "content_type", None)
    with _upload_on_disk(upload) as path:
        return ingest(
            path,
            filename=filename,
            content_type=content_type,
            role=role,
            title=title,
            episode=episode,
            user=user,
            enqueue=enqueue,
        )


def asset_transcode(*, asset_id: int, options: TranscodeOptions | None = None) -> VideoAsset | None:
    """The transcode task's body: run a pending asset, or one whose run died (its lease
    expired), under a lease of its own (see :mod:`.runs`).

    Claims it (processing, a fresh run token and version, the attempt counted), transcodes
    in a scratch directory under ``WORK_DIR`` and publishes under the run's own version
    prefix while saving progress at most every ``PROGRESS_SAVE_SECONDS`` (each save, and a
    heartbeat, renews the lease), and flips it to ready only once everything is published
    and only if the run still owns the asset; the previous version's output is deleted
    after that. On failure the partial output is removed and the asset is failed with
    ``error_code``/``error_message``. Returns the asset, or ``None`` when there was nothing
    to run (unknown id, running under a live lease, ready or failed) or the run lost the
    asset to another. ``options`` default to the media settings.
    """
    return run_transcode(asset_id=asset_id, options=options)


def asset_retry(*, asset: VideoAsset) -> VideoAsset:
    """Queue a failed asset, or one whose run died (its lease has expired), again;
    ``409 asset_not_retryable`` while a run holds a live lease or for any other status."""
    return run_retry(asset_id=asset.pk)


def asset_files_remove(*, source_path: str, output_prefix: str, asset_id: int | None) -> None:
    """Remove a deleted asset's source and (unless another asset shares it) its output."""
    if source_path:
        with contextlib.suppress(Exception):
            source_storage().delete(source_path)
    if output_prefix and not prefix_in_use(output_prefix, exclude=asset_id):
        delete_quietly(output_storage(), output_prefix)


def asset_delete(*, asset: VideoAsset) -> None:
    """Delete an asset; its files go once the transaction commits (also on cascades, through
    the model's ``post_delete`` receiver)."""
    with transaction.atomic():
        asset.delete()


def stored_files(asset: VideoAsset) -> list[str]:
    """Every output file of an asset (tests and the admin use it)."""
    from ..transcoding import list_prefix

    return list_prefix(output_storage(), asset.output_prefix) if asset.output_prefix else []
