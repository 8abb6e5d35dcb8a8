"""Resumable uploads: an :class:`UploadSession` sent in parts, for files too large for one
request (tens of GB).

On S3 it is a multipart upload: the server creates it, presigns ``UploadPart`` URLs for the
part numbers a client asks for, lists what S3 holds (``ListParts``) so a client resumes
after a dropped connection, and completes it with the ETags S3 listed (never the client's).
On local storage the same protocol is chunked ``PUT``s with a ``Content-Range``, appended to
a partial file next to the session's key: a chunk must start at the current offset (409
``wrong_offset`` with the offset otherwise), and a chunk cut short by a dropped connection
keeps what arrived, so the client asks for the offset and goes on from there.

Completion (:func:`..uploads.upload_session_complete`) assembles the object and then runs
the same checks and ingest as every upload (size, type, probe, the streamed sha256, the
transcode queued). A session idle for ``UPLOAD_SESSION_TTL_SECONDS`` expires (410); the
``media-expire-uploads`` schedule aborts it and deletes what was received.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from django.db import transaction
from django.db.models import Q
from django.http import UnreadablePostError
from django.utils import timezone

from streamflix_core.errors import Conflict, DomainError, Gone, InvalidInput, TooLarge

from ..conf import settings
from ..models import Episode, Title, UploadSession
from ..storage import s3_client_and_key, source_storage
from .assets import check_target

logger = logging.getLogger(__name__)

Mode = UploadSession.Mode
Status = UploadSession.Status

# S3's limits of a multipart upload.
S3_MIN_PART_BYTES = 5 * 1024**2
S3_MAX_PARTS = 10_000
# The most part URLs one request may ask for.
MAX_PART_URLS = 100
_READ_BYTES = 1 << 20
_CONTENT_RANGE = re.compile(r"^bytes (\d{1,20})-(\d{1,20})/(\d{1,20})$")


class ChunkIncomplete(DomainError):
    code = "chunk_incomplete"


@dataclass(frozen=True)
class Part:
    """One part S3 holds of a multipart upload."""

    part_number: int
    size: int
    etag: str


@dataclass(frozen=True)
class UploadProgress:
    """What the server holds of a resumable upload: ``offset`` is where the next local chunk
    starts; ``parts`` what S3 lists (empty for local chunks)."""

    received_bytes: int
    offset: int
    parts: list[Part] = field(default_factory=list)


def _part_size(size: int, *, on_s3: bool) -> int:
    wanted = max(1, settings().RESUMABLE_PART_BYTES)
    if on_s3:
        wanted = max(wanted, S3_MIN_PART_BYTES)
    return max(wanted, -(-size // S3_MAX_PARTS))


def partial_path(session: UploadSession) -> Path:
    """Where the chunks of a local resumable upload are written until it is complete."""
    return Path(source_storage().path(session.key + ".partial"))


def _s3(session: UploadSession) -> tuple[Any, str, str]:
    s3 = s3_client_and_key(source_storage(), session.key)
    if s3 is None:
        raise Conflict(
            "This upload was started on S3, but sources are no longer kept there.",
            code="upload_storage_changed",
        )
    return s3


def upload_resumable_create(
    *,
    role: str,
    filename: str,
    content_type: str,
    size: int,
    title: Title | None = None,
    episode: Episode | None = None,
    user: Any = None,
) -> UploadSession:
    """Open a resumable upload of ``size`` bytes (at most ``MAX_UPLOAD_BYTES``): an S3
    multipart upload when sources are kept on S3, else chunks written to local storage.

    The declaration is checked as for a one-POST upload (size, name vs content type, the
    target). Storage that is neither S3 nor a local filesystem gets 409
    ``resumable_unsupported``."""
    from .uploads import check_declared, upload_key

    title, episode = check_target(role=role, title=title, episode=episode)
    check_declared(filename=filename, content_type=content_type, size=size)
    storage = source_storage()
    session_id = uuid.uuid4()
    key = upload_key(session_id, filename)
    s3 = s3_client_and_key(storage, key)
    if s3 is None:
        try:
            storage.path(key)
        except NotImplementedError:
            raise Conflict(
                "Resumable uploads need sources on S3 or on a local filesystem.",
                code="resumable_unsupported",
            ) from None
    session = UploadSession(
        id=session_id,
        role=role,
        title=title,
        episode=episode,
        key=key,
        filename=filename[:255],
        content_type=content_type,
        size=size,
        mode=Mode.MULTIPART if s3 is not None else Mode.CHUNKS,
        part_size=_part_size(size, on_s3=s3 is not None),
        created_by=user if getattr(user, "is_authenticated", False) else None,
        expires_at=timezone.now() + dt.timedelta(seconds=settings().UPLOAD_SESSION_TTL_SECONDS),
    )
    if s3 is not None:
        client, bucket, object_key = s3
        created = client.create_multipart_upload(
            Bucket=bucket, Key=object_key, ContentType=content_type
        )
        session.multipart_id = created["UploadId"]
    try:
        with transaction.atomic():
            session.save(force_insert=True)
    except BaseException:
        if s3 is not None:
            _discard(session)
        raise
    return session


def check_resumable_open(session: UploadSession, *, now: dt.datetime | None = None) -> None:
    """409 unless ``session`` is an open resumable upload; 410 ``upload_expired`` once its
    expiry has passed (or the sweep has expired it)."""
    if not session.resumable:
        raise Conflict("This upload is not a resumable one.", code="not_resumable")
    if session.status == Status.EXPIRED or (
        session.status == Status.OPEN and session.expires_at <= (now or timezone.now())
    ):
        raise Gone("This upload has expired; start a new one.", code="upload_expired")
    if session.status != Status.OPEN:
        raise Conflict(f"This upload is {session.status}.", code="upload_closed")


def _renew(session: UploadSession) -> None:
    session.expires_at = timezone.now() + dt.timedelta(
        seconds=settings().UPLOAD_SESSION_TTL_SECONDS
    )
    UploadSession.objects.filter(pk=session.pk, status=Status.OPEN).update(
        expires_at=session.expires_at
    )


def upload_part_urls(
    *, session: UploadSession, part_numbers: Iterable[int]
) -> tuple[list[tuple[int, str]], dt.datetime]:
    """Presigned ``PUT`` URLs of the given parts of an S3 multipart upload, and when they
    expire (``UPLOAD_URL_TTL_SECONDS``). A part number outside ``1..part_count`` is 422;
    a local upload is 409 ``not_multipart`` (its chunks go to the chunks endpoint)."""
    check_resumable_open(session)
    if session.mode != Mode.MULTIPART:
        raise Conflict(
            "This upload is sent in chunks to the server, not in parts to S3.",
            code="not_multipart",
        )
    numbers = sorted(set(part_numbers))
    if not numbers or len(numbers) > MAX_PART_URLS:
        raise InvalidInput(
            f"Ask for 1 to {MAX_PART_URLS} part numbers at a time.", code="invalid_part_numbers"
        )
    if numbers[0] < 1 or numbers[-1] > session.part_count:
        raise InvalidInput(
            f"Part numbers run from 1 to {session.part_count}.", code="invalid_part_numbers"
        )
    client, bucket, key = _s3(session)
    ttl = settings().UPLOAD_URL_TTL_SECONDS
    urls = [
        (
            number,
            client.generate_presigned_url(
                "upload_part",
                Params={
                    "Bucket": bucket,
                    "Key": key,
                    "UploadId": session.multipart_id,
                    "PartNumber": number,
                },
                ExpiresIn=ttl,
            ),
        )
        for number in numbers
    ]
    _renew(session)
    return urls, timezone.now() + dt.timedelta(seconds=ttl)


def s3_parts(session: UploadSession) -> list[Part]:
    """The parts S3 holds of ``session``'s multipart upload (``ListParts``, every page)."""
    client, bucket, key = _s3(session)
    pages = client.get_paginator("list_parts").paginate(
        Bucket=bucket, Key=key, UploadId=session.multipart_id
    )
    return sorted(
        (
            Part(part_number=item["PartNumber"], size=item["Size"], etag=item["ETag"])
            for page in pages
            for item in page.get("Parts", [])
        ),
        key=lambda part: part.part_number,
    )


def upload_progress(*, session: UploadSession) -> UploadProgress:
    """What has arrived of an open resumable upload (S3: ``ListParts``); renews its expiry."""
    check_resumable_open(session)
    _renew(session)
    if session.mode == Mode.MULTIPART:
        parts = s3_parts(session)
        contiguous = 0
        for number, part in enumerate(parts, start=1):
            if part.part_number != number:
                break
            contiguous += part.size
        return UploadProgress(
            received_bytes=sum(part.size for part in parts), offset=contiguous, parts=parts
        )
    return UploadProgress(received_bytes=session.received, offset=session.received)


def _parse_range(session: UploadSession, content_range: str) -> tuple[int, int]:
    match = _CONTENT_RANGE.match(content_range.strip())
    if match is None:
        raise InvalidInput(
            "Content-Range must read 'bytes <first>-<last>/<size>'.", code="invalid_content_range"
        )
    first, last, total = (int(group) for group in match.groups())
    if total != session.size:
        raise InvalidInput(
            f"The upload was declared as {session.size} bytes, not {total}.",
            code="invalid_content_range",
        )
    if last < first or last >= session.size:
        raise InvalidInput(
            f"The range {first}-{last} is not within the file's {session.size} bytes.",
            code="invalid_content_range",
        )
    length = last - first + 1
    if length > session.part_size:
        raise TooLarge(
            f"A chunk is at most {session.part_size} bytes; this one is {length}.",
            code="chunk_too_large",
        )
    return first, length


def _wrong_offset(offset: int, first: int) -> Conflict:
    return Conflict(
        f"The upload continues at byte {offset}, not {first}.", code="wrong_offset", offset=offset
    )


def upload_chunk_write(
    *, session: UploadSession, content_range: str, content_length: int | None, body: Any
) -> UploadProgress:
    """Write one chunk of a local resumable upload: ``content_range`` (``bytes a-b/size``)
    must start at the current offset (409 ``wrong_offset``, with ``offset``, otherwise) and
    ``body`` (a readable stream) carry exactly its bytes, streamed to disk.

    A body that ends early (the connection dropped) keeps what arrived: 400
    ``chunk_incomplete`` with the new ``offset``, from where the client resumes. That needs
    a WSGI server (gunicorn), which hands the view the body as it streams in; under ASGI
    (daphne) Django reads the whole body first, so a dropped chunk keeps nothing and the
    client resends it from the same offset."""
    check_resumable_open(session)
    if session.mode != Mode.CHUNKS:
        raise Conflict("This upload goes to S3 in parts, not in chunks.", code="not_chunked")
    first, length = _parse_range(session, content_range)
    if content_length is not None and content_length != length:
        raise InvalidInput(
            f"The body is {content_length} bytes but Content-Range names {length}.",
            code="content_length_mismatch",
        )
    if first != session.received:
        raise _wrong_offset(session.received, first)
    path = partial_path(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    dropped = False
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "r+b") as fh:
        # One writer at a time per upload, across processes: a retried chunk waits for the
        # request it repeats, then finds the offset moved (409) before touching the file.
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        _check_offset_unchanged(session, first, path)
        fh.seek(first)
        try:
            while written < length:
                piece = body.read(min(_READ_BYTES, length - written))
                if not piece:
                    break
                fh.write(piece)
                written += len(piece)
        except (UnreadablePostError, OSError):
            dropped = True
        # Anything past what this chunk wrote is left over from an earlier, dropped one.
        fh.truncate(first + written)
        fh.flush()
        os.fsync(fh.fileno())
        offset = first + written
        moved = UploadSession.objects.filter(
            pk=session.pk, status=Status.OPEN, received=first
        ).update(
            received=offset,
            expires_at=timezone.now() + dt.timedelta(seconds=settings().UPLOAD_SESSION_TTL_SECONDS),
        )
        if not moved:
            _check_offset_unchanged(session, first, path)
    session.received = offset
    if dropped or written < length:
        raise ChunkIncomplete(
            f"The chunk ended after {written} of {length} bytes; resume at byte {offset}.",
            offset=offset,
        )
    return UploadProgress(received_bytes=offset, offset=offset)


def _check_offset_unchanged(session: UploadSession, first: int, path: Any) -> None:
    """Raise unless the upload, read again now, is still open at ``first`` (409
    ``wrong_offset`` with the current offset, 410 when it was discarded or expired)."""
    current = UploadSession.objects.filter(pk=session.pk).first()
    if current is None or current.status != Status.OPEN:
        with contextlib.suppress(OSError):
            path.unlink()
        if current is None:
            raise Gone("This upload has been discarded.", code="upload_expired")
        check_resumable_open(current)
    if current is not None and current.received != first:
        raise _wrong_offset(current.received, first)


def assemble_parts(session: UploadSession) -> list[Part]:
    """Check that every part has arrived (409 ``upload_incomplete`` with the ``missing``
    part numbers, or the local ``offset``); S3: the parts to complete with."""
    if session.mode == Mode.CHUNKS:
        if session.received != session.size:
            raise Conflict(
                f"{session.received} of {session.size} bytes have arrived.",
                code="upload_incomplete",
                offset=session.received,
            )
        return []
    parts = s3_parts(session)
    by_number = {part.part_number: part for part in parts}
    last = session.part_count
    missing = []
    for number in range(1, last + 1):
        expected = session.part_size
        if number == last:
            expected = session.size - (last - 1) * session.part_size
        part = by_number.get(number)
        if part is None or part.size != expected:
            missing.append(number)
    if missing or len(parts) != last:
        raise Conflict(
            f"Parts {missing[:20]} are missing or not of their expected size.",
            code="upload_incomplete",
            missing=missing,
        )
    return parts


def assemble(session: UploadSession, parts: list[Part]) -> None:
    """Make the received parts the object at ``session.key``: S3 ``CompleteMultipartUpload``
    with the listed ETags, or the local partial file moved into place."""
    if session.mode == Mode.CHUNKS:
        partial = partial_path(session)
        final = Path(source_storage().path(session.key))
        if not partial.exists() and final.is_file() and final.stat().st_size == session.size:
            return  # assembled by an earlier attempt whose completion failed after it
        with open(partial, "rb") as fh:
            # Wait for a chunk still being written (it holds the same lock) before moving.
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            os.replace(partial, source_storage().path(session.key))
        return
    client, bucket, key = _s3(session)
    try:
        client.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=session.multipart_id,
            MultipartUpload={
                "Parts": [{"ETag": part.etag, "PartNumber": part.part_number} for part in parts]
            },
        )
    except ClientError as exc:
        # Completed by an earlier attempt whose completion failed after it: the object is
        # there, whole.
        if exc.response.get("Error", {}).get("Code") != "NoSuchUpload":
            raise
        head = client.head_object(Bucket=bucket, Key=key)
        if int(head.get("ContentLength", -1)) != session.size:
            raise


def _discard(session: UploadSession) -> None:
    """Delete what an unfinished upload stored (S3: abort the multipart upload)."""
    storage = source_storage()
    if session.mode == Mode.MULTIPART and session.multipart_id:
        s3 = s3_client_and_key(storage, session.key)
        if s3 is not None:
            client, bucket, key = s3
            with contextlib.suppress(client.exceptions.NoSuchUpload):
                client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=session.multipart_id)
    elif session.mode == Mode.CHUNKS:
        with contextlib.suppress(OSError, NotImplementedError):
            partial_path(session).unlink(missing_ok=True)
    with contextlib.suppress(Exception):
        if storage.exists(session.key):
            storage.delete(session.key)


def upload_session_abort(*, session: UploadSession) -> None:
    """Abort an open upload (any mode) and delete what it stored; 409 ``upload_closed`` once
    it is completing, completed or closed otherwise."""
    claimed = UploadSession.objects.filter(pk=session.pk, status=Status.OPEN).update(
        status=Status.ABORTED
    )
    if not claimed:
        current = UploadSession.objects.filter(pk=session.pk).values_list("status", flat=True)
        status = next(iter(current), "gone")
        raise Conflict(f"This upload is {status}.", code="upload_closed")
    session.status = Status.ABORTED
    _discard(session)


def uploads_expire(*, now: dt.datetime | None = None) -> int:
    """Expire open uploads past their expiry (a one-POST upload ``UPLOAD_SESSION_TTL_SECONDS``
    after its URL expired), aborting S3 multipart uploads and deleting what was received;
    returns how many. The ``media-expire-uploads`` schedule runs this."""
    now = now or timezone.now()
    grace = dt.timedelta(seconds=settings().UPLOAD_SESSION_TTL_SECONDS)
    due = UploadSession.objects.filter(status=Status.OPEN).filter(
        Q(mode__in=[Mode.CHUNKS, Mode.MULTIPART], expires_at__lte=now)
        | Q(mode=Mode.POST, expires_at__lte=now - grace)
    )
    expired = 0
    for session in due.iterator():
        claimed = UploadSession.objects.filter(pk=session.pk, status=Status.OPEN).update(
            status=Status.EXPIRED
        )
        if not claimed:
            continue
        try:
            _discard(session)
        except Exception:
            # Open again (still past its expiry, so 410 to a client): the next sweep retries.
            logger.exception("Could not discard the expired upload %s", session.pk)
            UploadSession.objects.filter(pk=session.pk, status=Status.EXPIRED).update(
                status=Status.OPEN
            )
            continue
        expired += 1
    return expired
