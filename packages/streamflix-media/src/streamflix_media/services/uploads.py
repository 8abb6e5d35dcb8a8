"""Direct uploads: a signed session, the file stored by the client, then an asset.

On S3 the client posts to a presigned form; on local storage to ``views.upload``, which
calls :func:`upload_receive` with the same checks."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import uuid
from collections.abc import Callable
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from streamflix_core.errors import Conflict, DomainError, NotPermitted

from ..conf import settings
from ..models import Episode, Title, UploadSession, VideoAsset
from ..storage import local_copy, s3_client_and_key, save_exact, source_storage
from ..transcoding.errors import SourceTooLarge, SourceTypeMismatch, UnsupportedSourceType
from ..transcoding.probe import container_for_content_type, container_for_extension
from .assets import UploadRejected, check_target, ingest, safe_name
from .resumable_uploads import Part, assemble, assemble_parts, check_resumable_open

logger = logging.getLogger(__name__)

# The salt of upload tokens (its old module path; changing it would void issued tokens).
UPLOAD_SALT = "streamflix_media.assets.upload"


def upload_key(session_id: uuid.UUID, filename: str) -> str:
    """Where an upload session's source goes in the source storage."""
    return (
        f"{settings().SOURCE_STORAGE_PREFIX.strip('/')}/uploads/{session_id.hex}/"
        f"{safe_name(filename)}"
    )


def check_declared(*, filename: str, content_type: str, size: int) -> None:
    """Check an upload's declaration: a positive size within ``MAX_UPLOAD_BYTES`` (413
    above it) and a video file name whose content type agrees (415)."""
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
    check_declared(filename=filename, content_type=content_type, size=size)
    ttl = settings().UPLOAD_URL_TTL_SECONDS
    session_id = uuid.uuid4()
    key = upload_key(session_id, filename)
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
        raise NotPermitted("This upload URL has expired.", code="signature_expired") from exc
    except signing.BadSignature as exc:
        raise NotPermitted("This upload URL is invalid.", code="invalid_signature") from exc
    if claims.get("id") != session_id:
        raise NotPermitted("This upload URL is invalid.", code="invalid_signature")
    session = UploadSession.objects.filter(pk=session_id).first()
    if session is None or session.status != UploadSession.Status.OPEN:
        raise NotPermitted("This upload is closed.", code="upload_closed")
    if session.expires_at <= timezone.now():
        raise NotPermitted("This upload URL has expired.", code="signature_expired")
    if content_type != claims.get("ct"):
        raise NotPermitted("The content type is not the one declared.", code="policy_violation")
    if file is None or not 1 <= file.size <= settings().MAX_UPLOAD_BYTES:
        raise NotPermitted("The file size is outside the allowed range.", code="policy_violation")
    save_exact(source_storage(), session.key, file)


def _reject(session: UploadSession, exc: DomainError) -> DomainError:
    with contextlib.suppress(Exception):
        source_storage().delete(session.key)
    UploadSession.objects.filter(pk=session.pk).update(status=UploadSession.Status.REJECTED)
    return exc


def upload_session_complete(*, session: UploadSession, user: Any = None) -> VideoAsset:
    """Check the uploaded object (present, declared size, then the full source validation,
    its sha256 streamed from it) and create its asset; a rejected object is deleted and the
    session closed.

    A resumable upload is assembled first, once every part has arrived (409
    ``upload_incomplete`` otherwise; 410 once expired): S3 ``CompleteMultipartUpload`` with
    the ETags S3 lists, or the local partial file moved to the session's key.

    The session is locked and flipped to ``completing`` first, so a second complete of the
    same upload (also a concurrent one) is ``409 upload_closed`` and never a second asset.
    """
    storage = source_storage()
    parts: list[Part] = []
    if session.resumable:
        check_resumable_open(session)
        parts = assemble_parts(session)
    with transaction.atomic():
        locked = UploadSession.objects.select_for_update().filter(pk=session.pk).first()
        if locked is None or locked.status != UploadSession.Status.OPEN:
            status = locked.status if locked is not None else "gone"
            raise Conflict(f"This upload is {status}.", code="upload_closed")
        if locked.resumable:
            check_resumable_open(locked)
            if locked.received != session.received:
                raise Conflict("A chunk arrived meanwhile; complete again.", code="upload_busy")
        elif not storage.exists(locked.key):
            raise Conflict("Nothing was uploaded for this session yet.", code="upload_missing")
        locked.status = UploadSession.Status.COMPLETING
        locked.save(update_fields=["status"])
    session = locked
    try:
        if session.resumable:
            assemble(session, parts)
        return _complete(session, storage=storage, user=user)
    except DomainError:
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
            asset = ingest(
                path,
                filename=session.filename,
                content_type=session.content_type,
                role=session.role,
                title=session.title,
                episode=session.episode,
                user=user,
                stored_name=session.key,
            )
    except DomainError as exc:
        raise _reject(session, exc) from None
    UploadSession.objects.filter(pk=session.pk).update(
        status=UploadSession.Status.COMPLETED, asset=asset
    )
    return asset
