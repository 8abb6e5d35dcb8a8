"""Writes of video assets: ingest, the transcode run, retry, delete, subtitles, uploads."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import posixpath
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from streamflix_core.api.errors import ApiError, Conflict

from ..conf import settings
from ..models import Episode, Subtitle, Title, UploadSession, VideoAsset
from ..transcoding import (
    SubtitleInput,
    TranscodeOptions,
    TranscodeResult,
    publish_subtitle,
    validate_source,
)
from ..transcoding.errors import SourceTooLarge, SourceTypeMismatch, UnsupportedSourceType
from ..transcoding.probe import container_for_content_type, container_for_extension
from .runs import (
    asset_enqueue_transcode,
    delete_quietly,
    prefix_in_use,
    run_retry,
    run_transcode,
)
from .storage import local_copy, output_storage, s3_client_and_key, save_exact, source_storage

logger = logging.getLogger(__name__)

UPLOAD_SALT = "streamflix_media.assets.upload"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class InvalidTarget(ApiError):
    status = 422
    code = "invalid_target"


class UploadRejected(ApiError):
    status = 422
    code = "upload_rejected"


def _safe_name(filename: str) -> str:
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
    return (
        f"{settings().SOURCE_STORAGE_PREFIX.strip('/')}/{uuid.uuid4().hex}/{_safe_name(filename)}"
    )


def _ingest(
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
        return _ingest(
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


def _check_declared(*, filename: str, content_type: str, size: int) -> None:
    limit = settings().MAX_UPLOAD_BYTES
    if size <= 0:
        raise UploadRejected("The declared size must be positive.", code="source_empty")
    if size > limit:
        raise SourceTooLarge(f"The file is {size} bytes; the limit is {limit} bytes.")
    family = container_for_extension(filename)
    if family is None:
        raise UnsupportedSourceType(f"{filename!r} is not an accepted video file type.")
    if container_for_content_type(content_type) != family:
        raise SourceTypeMismatch(
            f"The content type {content_type!r} does not match the file name {filename!r}."
        )


def upload_session_create(
    *,
    role: str,
    filename: str,
    content_type: str,
    size: int,
    title: Title | None = None,
    episode: Episode | None = None,
    user: Any = None,
    upload_url_for: Callable[[uuid.UUID], str],
) -> tuple[UploadSession, dict[str, Any]]:
    """Open a direct upload and return it with how to upload.

    On S3 the instructions are a presigned POST whose policy pins the content type, a
    ``content-length-range`` and the expiry; on other storages the local upload view's URL
    (``upload_url_for(session id)``) plus a signed token with the same conditions, checked
    by that view. Either way: ``POST <url>`` multipart with ``fields``, then ``file``.
    """
    title, episode = check_target(role=role, title=title, episode=episode)
    _check_declared(filename=filename, content_type=content_type, size=size)
    ttl = settings().UPLOAD_URL_TTL_SECONDS
    session_id = uuid.uuid4()
    key = (
        f"{settings().SOURCE_STORAGE_PREFIX.strip('/')}/uploads/{session_id.hex}/"
        f"{_safe_name(filename)}"
    )
    with transaction.atomic():
        session = UploadSession.objects.create(
            id=session_id,
            role=role,
            title=title,
            episode=episode,
            key=key,
            filename=filename[:255],
            content_type=content_type,
            size=size,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            expires_at=timezone.now() + dt.timedelta(seconds=ttl),
        )
    s3 = s3_client_and_key(source_storage(), key)
    if s3 is not None:
        client, bucket, object_key = s3
        presigned = client.generate_presigned_post(
            Bucket=bucket,
            Key=object_key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, settings().MAX_UPLOAD_BYTES],
            ],
            ExpiresIn=ttl,
        )
        return session, {"url": presigned["url"], "fields": presigned["fields"]}
    token = signing.dumps({"id": str(session.id), "ct": content_type}, salt=UPLOAD_SALT)
    return session, {
        "url": f"{upload_url_for(session.id)}?token={token}",
        "fields": {"Content-Type": content_type},
    }


def upload_receive(*, session_id: str, token: str, content_type: str, file: Any) -> None:
    """The local stand-in for S3's POST: check the signed token (expiry, session, content
    type) and the size limit, then store ``file`` at the session's key."""
    ttl = settings().UPLOAD_URL_TTL_SECONDS
    try:
        claims = signing.loads(token, salt=UPLOAD_SALT, max_age=ttl)
    except signing.SignatureExpired as exc:
        raise ApiError(
            "This upload URL has expired.", status=403, code="signature_expired"
        ) from exc
    except signing.BadSignature as exc:
        raise ApiError("This upload URL is invalid.", status=403, code="invalid_signature") from exc
    if claims.get("id") != session_id:
        raise ApiError("This upload URL is invalid.", status=403, code="invalid_signature")
    session = UploadSession.objects.filter(pk=session_id).first()
    if session is None or session.status != UploadSession.Status.OPEN:
        raise ApiError("This upload is closed.", status=403, code="upload_closed")
    if session.expires_at <= timezone.now():
        raise ApiError("This upload URL has expired.", status=403, code="signature_expired")
    if content_type != claims.get("ct"):
        raise ApiError(
            "The content type is not the one declared.", status=403, code="policy_violation"
        )
    if file is None or not 1 <= file.size <= settings().MAX_UPLOAD_BYTES:
        raise ApiError(
            "The file size is outside the allowed range.", status=403, code="policy_violation"
        )
    save_exact(source_storage(), session.key, file)


def _reject(session: UploadSession, exc: ApiError) -> ApiError:
    with contextlib.suppress(Exception):
        source_storage().delete(session.key)
    UploadSession.objects.filter(pk=session.pk).update(status=UploadSession.Status.REJECTED)
    return exc


def upload_session_complete(*, session: UploadSession, user: Any = None) -> VideoAsset:
    """Check the uploaded object (present, declared size, then the full source validation)
    and create its asset; a rejected object is deleted and the session closed.

    The session is locked and flipped to ``completing`` first, so a second complete of the
    same upload (also a concurrent one) is ``409 upload_closed`` and never a second asset.
    """
    storage = source_storage()
    with transaction.atomic():
        locked = UploadSession.objects.select_for_update().filter(pk=session.pk).first()
        if locked is None or locked.status != UploadSession.Status.OPEN:
            status = locked.status if locked is not None else "gone"
            raise Conflict(f"This upload is {status}.", code="upload_closed")
        if not storage.exists(locked.key):
            raise Conflict("Nothing was uploaded for this session yet.", code="upload_missing")
        locked.status = UploadSession.Status.COMPLETING
        locked.save(update_fields=["status"])
    session = locked
    try:
        return _complete(session, storage=storage, user=user)
    except ApiError:
        raise
    except BaseException:
        # Not the upload's fault (e.g. storage down): let it be completed again.
        UploadSession.objects.filter(pk=session.pk, status=UploadSession.Status.COMPLETING).update(
            status=UploadSession.Status.OPEN
        )
        raise


def _complete(session: UploadSession, *, storage: Any, user: Any) -> VideoAsset:
    actual = storage.size(session.key)
    if actual != session.size:
        raise _reject(
            session,
            UploadRejected(
                f"The uploaded file is {actual} bytes, not the declared {session.size}.",
                code="upload_size_mismatch",
            ),
        )
    suffix = os.path.splitext(session.filename)[1][:10]
    try:
        with local_copy(storage, session.key, suffix=suffix) as path:
            asset = _ingest(
                path,
                filename=session.filename,
                content_type=session.content_type,
                role=session.role,
                title=session.title,
                episode=session.episode,
                user=user,
                stored_name=session.key,
            )
    except ApiError as exc:
        raise _reject(session, exc) from None
    UploadSession.objects.filter(pk=session.pk).update(
        status=UploadSession.Status.COMPLETED, asset=asset
    )
    return asset


def stored_files(asset: VideoAsset) -> list[str]:
    """Every output file of an asset (tests and the admin use it)."""
    from ..transcoding import list_prefix

    return list_prefix(output_storage(), asset.output_prefix) if asset.output_prefix else []
