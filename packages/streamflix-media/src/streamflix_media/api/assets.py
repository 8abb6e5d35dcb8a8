"""Staff endpoints of video assets and direct uploads (mounted under ``/api/media/``)."""

import datetime as dt
import tempfile
import uuid
from pathlib import Path
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from streamflix_core.api.errors import ErrorOut, ValidationErrorOut
from streamflix_core.api.pagination import PageNumber
from streamflix_core.auth import staff_auth

from .. import selectors, services
from ..models import Episode, Title, VideoAsset
from ..selectors import object_or_404

router = Router()

ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    415: ErrorOut,
    422: ErrorOut,
}
Role = Literal["feature", "episode", "trailer"]


class SubtitleOut(Schema):
    language: str
    name: str
    default: bool
    path: str


class AudioTrackOut(Schema):
    language: str = Field(description='BCP 47 tag ("en", "de"); "und" when the source names none.')
    name: str
    default: bool
    channels: int
    origin: Literal["source", "upload"]


class AssetOut(Schema):
    id: int
    role: str
    title: str | None = Field(None, description="The title's slug (feature or trailer).")
    episode: int | None = None
    status: str
    progress: float
    error_code: str
    error_message: str
    attempts: int
    original_filename: str
    size: int
    content_type: str
    sha256: str
    duration: float | None
    width: int | None
    height: int | None
    rungs: list[int] = Field(
        ..., description="Rung classes (short side: a portrait 1080x1920 rung is 1080)."
    )
    ladder_pruning: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "The last run's complexity probe: `enabled`, `ratio`, `estimates_kbps` and "
            "`targets_kbps` per rung, `pruned` (each with `rung`, `estimate_kbps`, "
            "`compared_with`, `compared_kbps`, `reason`), and `error` when the probe failed "
            "(the full ladder was kept)."
        ),
    )
    encoders: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Per codec family: the encoder used, whether it is hardware, and the hardware "
            "encoders probed (`encoder`, `usable`, `detail`)."
        ),
    )
    audio_tracks: list[AudioTrackOut] = Field(
        default_factory=list, description="The published audio languages."
    )
    version: int
    intro_start: float | None
    intro_end: float | None
    credits_start: float | None
    subtitles: list[SubtitleOut]
    created_at: dt.datetime
    updated_at: dt.datetime
    ready_at: dt.datetime | None
    lease_expires_at: dt.datetime | None = Field(
        None,
        description=(
            "While processing: until when the running worker's lease holds (it is renewed "
            "while the run lives). Once it has passed the run is dead and may be retried."
        ),
    )

    @staticmethod
    def resolve_title(obj: VideoAsset) -> str | None:
        return obj.title.slug if obj.title is not None else None

    @staticmethod
    def resolve_episode(obj: VideoAsset) -> int | None:
        return obj.episode_id

    @staticmethod
    def resolve_encoders(obj: VideoAsset) -> dict[str, Any]:
        return dict((obj.result or {}).get("encoders") or {})

    @staticmethod
    def resolve_subtitles(obj: VideoAsset) -> list[Any]:
        return list(obj.subtitles.all())


class AssetFilter(Schema):
    status: Literal["pending", "processing", "ready", "failed"] | None = None
    role: Role | None = None
    title: str | None = Field(None, description="A title's slug (its episodes included).")
    episode: int | None = None
    q: str | None = Field(None, max_length=100, description="Part of the file name.")


class UploadIn(Schema):
    role: Role
    title: str | None = Field(None, description="Slug of the title (feature or trailer).")
    episode: int | None = Field(None, description="Id of the episode (episode videos).")
    filename: str = Field(..., min_length=1, max_length=255)
    content_type: str = Field(..., min_length=1, max_length=100)
    size: int = Field(..., ge=1)


class UploadOut(Schema):
    id: uuid.UUID
    method: Literal["POST"] = "POST"
    url: str
    fields: dict[str, str]
    file_field: str = "file"
    expires_at: dt.datetime
    max_bytes: int


def _target(title: str | None, episode: int | None) -> tuple[Title | None, Episode | None]:
    return (
        object_or_404(Title, slug=title) if title else None,
        object_or_404(Episode, pk=episode) if episode is not None else None,
    )


@router.post(
    "/assets", response={201: AssetOut, **ERRORS}, summary="Upload a video", auth=staff_auth
)
def asset_create(
    request: HttpRequest,
    file: File[UploadedFile],
    role: Form[Role],
    title: Form[str | None] = None,
    episode: Form[int | None] = None,
) -> Status:
    """Multipart: ``file`` plus ``role`` and ``title`` (slug) or ``episode`` (id).

    The source is validated at once (size, extension vs content vs declared type, probe
    limits): a rejected file gets a 4xx and nothing is stored. The transcode is queued.
    """
    target_title, target_episode = _target(title, episode)
    asset = services.asset_create_from_upload(
        upload=file, role=role, title=target_title, episode=target_episode, user=request.user
    )
    return Status(201, selectors.asset_get(asset_id=asset.pk))


@router.get("/assets", response=list[AssetOut], summary="Video assets", auth=staff_auth)
@paginate(PageNumber)
def asset_list(request: HttpRequest, filters: Query[AssetFilter]) -> Any:
    return selectors.asset_list(query=selectors.AssetQuery(**filters.model_dump()))


@router.get("/assets/{asset_id}", response={200: AssetOut, **ERRORS}, auth=staff_auth)
def asset_detail(request: HttpRequest, asset_id: int) -> Any:
    """Status, progress (percent) and, when failed, the error."""
    return selectors.asset_get(asset_id=asset_id)


class MarkersIn(Schema):
    intro_start: float | None = Field(None, ge=0, allow_inf_nan=False)
    intro_end: float | None = Field(None, ge=0, allow_inf_nan=False)
    credits_start: float | None = Field(None, ge=0, allow_inf_nan=False)


@router.put(
    "/assets/{asset_id}/markers",
    response={
        200: AssetOut,
        422: ValidationErrorOut,
        **{k: v for k, v in ERRORS.items() if k != 422},
    },
    summary="Set the intro and credits markers",
    auth=staff_auth,
)
def asset_markers_update(request: HttpRequest, asset_id: int, payload: MarkersIn) -> Any:
    """Intro start/end ("Skip intro") and credits start (reaching it counts as played), in
    seconds; ``null`` clears one. Each must lie within the video's duration, the intro must
    end after it starts and the credits come after it (422); 409 ``no_duration`` before the
    video is transcoded."""
    asset = selectors.asset_get(asset_id=asset_id)
    services.asset_markers_set(asset=asset, **payload.model_dump())
    return selectors.asset_get(asset_id=asset_id)


@router.post("/assets/{asset_id}/retry", response={202: AssetOut, **ERRORS}, auth=staff_auth)
def asset_retry(request: HttpRequest, asset_id: int) -> Status:
    """Queue a failed asset, or one whose run died (lease expired), again; 409
    ``asset_not_retryable`` while its run holds a live lease, or otherwise."""
    asset = services.asset_retry(asset=selectors.asset_get(asset_id=asset_id))
    return Status(202, selectors.asset_get(asset_id=asset.pk))


@router.delete("/assets/{asset_id}", response={204: None, **ERRORS}, auth=staff_auth)
def asset_delete(request: HttpRequest, asset_id: int) -> Status:
    """Delete the asset, its source and its published output."""
    services.asset_delete(asset=selectors.asset_get(asset_id=asset_id))
    return Status(204, None)


@router.post("/assets/{asset_id}/subtitles", response={201: SubtitleOut, **ERRORS}, auth=staff_auth)
def subtitle_add(
    request: HttpRequest,
    asset_id: int,
    file: File[UploadedFile],
    language: str = Form(..., min_length=2, max_length=20),
    name: Form[str | None] = None,
    default: Form[bool] = False,
) -> Status:
    """An SRT or WebVTT file for ``language`` (BCP 47), converted to WebVTT and added to the
    master playlist's subtitles group; replaces that language if it exists."""
    subtitle = services.subtitle_add(
        asset=selectors.asset_get(asset_id=asset_id),
        language=language,
        data=file.read(),
        name=name,
        default=default,
    )
    return Status(201, subtitle)


@router.post(
    "/assets/{asset_id}/audio-tracks", response={201: AudioTrackOut, **ERRORS}, auth=staff_auth
)
def audio_track_add(
    request: HttpRequest,
    asset_id: int,
    file: File[UploadedFile],
    language: str = Form(..., min_length=2, max_length=20),
    name: Form[str | None] = None,
    default: Form[bool] = False,
) -> Status:
    """An audio file (its first audio stream) for ``language`` (BCP 47), encoded once to AAC
    into the audio group of a ready video and listed in its master playlist and DASH
    manifest; replaces an earlier upload of that language. 422 ``invalid_audio`` for a bad
    language tag or a file without audio, 409 ``asset_not_ready`` before the video is ready."""
    asset = selectors.asset_get(asset_id=asset_id)
    with tempfile.TemporaryDirectory(prefix="streamflix-audio-upload-") as tmp:
        source = Path(tmp) / "source"
        with source.open("wb") as fh:
            for chunk in file.chunks():
                fh.write(chunk)
        track = services.audio_track_add(
            asset=asset, language=language, source=source, name=name, default=default
        )
    return Status(201, track)


@router.post(
    "/uploads",
    response={201: UploadOut, **ERRORS},
    summary="Start a direct upload",
    auth=staff_auth,
)
def upload_create(request: HttpRequest, payload: UploadIn) -> Status:
    """A presigned S3 POST (or, on local storage, a signed upload URL) for one source file,
    with content-type, size and expiry conditions. ``POST`` the ``fields`` and then the file
    as ``file`` (multipart) to ``url``, then call ``/uploads/{id}/complete``."""
    from ..conf import settings

    target_title, target_episode = _target(payload.title, payload.episode)
    session, upload = services.upload_session_create(
        role=payload.role,
        filename=payload.filename,
        content_type=payload.content_type,
        size=payload.size,
        title=target_title,
        episode=target_episode,
        user=request.user,
        upload_url_for=lambda session_id: request.build_absolute_uri(
            reverse("media:upload", kwargs={"session_id": session_id})
        ),
    )
    return Status(
        201,
        {
            "id": session.id,
            "url": upload["url"],
            "fields": upload["fields"],
            "expires_at": session.expires_at,
            "max_bytes": settings().MAX_UPLOAD_BYTES,
        },
    )


@router.post(
    "/uploads/{upload_id}/complete",
    response={201: AssetOut, **ERRORS, 410: ErrorOut},
    auth=staff_auth,
)
def upload_complete(request: HttpRequest, upload_id: uuid.UUID) -> Status:
    """Check the uploaded file (declared size, type, probe, then its sha256) and create its
    asset; a rejected file is deleted (4xx). A resumable upload is assembled first: 409
    ``upload_incomplete`` (with ``missing`` part numbers, or the local ``offset``) until
    every part has arrived, 410 ``upload_expired`` once it has expired. Only the user who
    started an upload sees it (404 otherwise)."""
    asset = services.upload_session_complete(
        session=selectors.upload_session_get(session_id=upload_id, user=request.user),
        user=request.user,
    )
    return Status(201, selectors.asset_get(asset_id=asset.pk))


class ResumableUploadOut(Schema):
    id: uuid.UUID
    mode: Literal["chunks", "multipart"] = Field(
        ...,
        description=(
            "``multipart``: ask for presigned part URLs (``/parts``) and PUT each part to S3; "
            "``chunks``: PUT the bytes to ``/chunks`` with a Content-Range."
        ),
    )
    size: int
    part_size: int = Field(..., description="Bytes per part (the last one may be shorter).")
    part_count: int
    multipart_upload_id: str | None = Field(None, description="The S3 multipart upload's id.")
    expires_at: dt.datetime = Field(
        ..., description="Moves forward with each part, part-URL and status request."
    )
    max_bytes: int


class PartOut(Schema):
    part_number: int
    size: int
    etag: str


class UploadStatusOut(ResumableUploadOut):
    status: str
    received_bytes: int
    offset: int = Field(
        ...,
        description=(
            "Where the next chunk starts (local), or the bytes of the parts received without "
            "a gap from part 1 (S3)."
        ),
    )
    parts: list[PartOut] = Field(..., description="The parts S3 holds (empty for chunks).")


class PartsIn(Schema):
    part_numbers: list[int] = Field(..., min_length=1, max_length=100)


class PartUrlOut(Schema):
    part_number: int
    method: Literal["PUT"] = "PUT"
    url: str


class PartUrlsOut(Schema):
    parts: list[PartUrlOut]
    expires_at: dt.datetime


RESUMABLE_ERRORS: dict[int, Any] = {**ERRORS, 410: ErrorOut}


def _resumable_out(session: Any, progress: Any = None) -> dict[str, Any]:
    from ..conf import settings

    out: dict[str, Any] = {
        "id": session.id,
        "mode": session.mode,
        "size": session.size,
        "part_size": session.part_size,
        "part_count": session.part_count,
        "multipart_upload_id": session.multipart_id or None,
        "expires_at": session.expires_at,
        "max_bytes": settings().MAX_UPLOAD_BYTES,
    }
    if progress is not None:
        out |= {
            "status": session.status,
            "received_bytes": progress.received_bytes,
            "offset": progress.offset,
            "parts": progress.parts,
        }
    return out


@router.post(
    "/uploads/resumable",
    response={201: ResumableUploadOut, **ERRORS},
    summary="Start a resumable upload",
    auth=staff_auth,
)
def upload_resumable_create(request: HttpRequest, payload: UploadIn) -> Status:
    """A large file in parts, resumable after a dropped connection: on S3 a multipart
    upload (``POST /uploads/{id}/parts`` for presigned part URLs), on local storage chunked
    ``PUT /uploads/{id}/chunks``. ``GET /uploads/{id}`` says what has arrived; then
    ``/uploads/{id}/complete``, or ``DELETE /uploads/{id}`` to abort."""
    target_title, target_episode = _target(payload.title, payload.episode)
    session = services.upload_resumable_create(
        role=payload.role,
        filename=payload.filename,
        content_type=payload.content_type,
        size=payload.size,
        title=target_title,
        episode=target_episode,
        user=request.user,
    )
    return Status(201, _resumable_out(session))


@router.get(
    "/uploads/{upload_id}",
    response={200: UploadStatusOut, **RESUMABLE_ERRORS},
    summary="What has arrived of a resumable upload",
    auth=staff_auth,
)
def upload_status(request: HttpRequest, upload_id: uuid.UUID) -> Any:
    """The offset to resume at (chunks) or the parts S3 holds (multipart, from
    ``ListParts``); 410 ``upload_expired`` once expired, 409 once closed."""
    session = selectors.upload_session_get(session_id=upload_id, user=request.user)
    progress = services.upload_progress(session=session)
    return _resumable_out(session, progress)


@router.post(
    "/uploads/{upload_id}/parts",
    response={200: PartUrlsOut, **RESUMABLE_ERRORS},
    summary="Presigned URLs of S3 upload parts",
    auth=staff_auth,
)
def upload_part_urls(request: HttpRequest, upload_id: uuid.UUID, payload: PartsIn) -> Any:
    """A presigned ``PUT`` URL per part number (1 to ``part_count``, up to 100 at a time);
    each part but the last is exactly ``part_size`` bytes. 409 ``not_multipart`` for an
    upload in chunks."""
    session = selectors.upload_session_get(session_id=upload_id, user=request.user)
    urls, expires_at = services.upload_part_urls(session=session, part_numbers=payload.part_numbers)
    return {
        "parts": [{"part_number": number, "url": url} for number, url in urls],
        "expires_at": expires_at,
    }


@router.put(
    "/uploads/{upload_id}/chunks",
    response={200: UploadStatusOut, 400: ErrorOut, **RESUMABLE_ERRORS},
    summary="Send a chunk of a resumable upload",
    auth=staff_auth,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
            "required": True,
        }
    },
)
def upload_chunk(
    request: HttpRequest,
    upload_id: uuid.UUID,
    content_range: str = Header(..., alias="Content-Range", max_length=80),
) -> Any:
    """The raw bytes of one chunk (at most ``part_size``), ``Content-Range: bytes
    <first>-<last>/<size>``. It must start at the current offset: 409 ``wrong_offset``
    with ``offset`` otherwise. A body cut short keeps what arrived (400
    ``chunk_incomplete`` with the new ``offset``); resume from ``GET /uploads/{id}``'s
    ``offset``. 413 ``chunk_too_large``, 422 ``invalid_content_range``."""
    session = selectors.upload_session_get(session_id=upload_id, user=request.user)
    length = request.META.get("CONTENT_LENGTH") or ""
    progress = services.upload_chunk_write(
        session=session,
        content_range=content_range,
        content_length=int(length) if length.isdigit() else None,
        body=request,
    )
    return _resumable_out(session, progress)


@router.delete(
    "/uploads/{upload_id}",
    response={204: None, **ERRORS},
    summary="Abort an upload",
    auth=staff_auth,
)
def upload_abort(request: HttpRequest, upload_id: uuid.UUID) -> Status:
    """Abort an open upload and delete what it stored (S3: ``AbortMultipartUpload``); 409
    ``upload_closed`` once completing or completed."""
    services.upload_session_abort(
        session=selectors.upload_session_get(session_id=upload_id, user=request.user)
    )
    return Status(204, None)
