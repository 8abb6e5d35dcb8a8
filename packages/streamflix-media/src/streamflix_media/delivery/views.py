"""Serving published HLS output: signature checks, playlist rewriting, HTTP range requests.

``serve_hls_file`` is a plain function; the URL pattern that calls it (and decides the
storage and ``base_url``) is wired by the playback layer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Protocol

from django.core.files.storage import Storage
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)

from ..transcoding.hls import is_master
from ..transcoding.publish import content_type_for
from .links import is_local, storage_url, url_builder
from .playlists import filter_master, rewrite_mpd, rewrite_playlist, rewrite_trickplay_vtt
from .signing import SignatureError, verify

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$", re.ASCII)
_MAX_DIGITS = 18
_BEYOND_ANY_FILE = 10**_MAX_DIGITS


class SessionEndedError(SignatureError):
    code = "session_ended"


@dataclass(frozen=True)
class SessionAccess:
    """What serving needs to know of a live playback session."""

    renewed: bool
    """Heard from within the URL lifetime: its expired URLs still work."""
    presign_seconds: int
    """How long a presigned storage URL issued to it may live."""


class SessionGate(Protocol):
    def __call__(self, session_id: str) -> SessionAccess | None:
        """The access of a live session; ``None`` once it has ended (or never existed)."""
        ...


def forbidden(exc: SignatureError) -> JsonResponse:
    return JsonResponse({"detail": exc.detail, "code": exc.code}, status=403)


def serve_hls_file(
    request: HttpRequest,
    *,
    storage: Storage,
    path: str,
    base_url: str,
    sessions: SessionGate | None = None,
) -> HttpResponseBase:
    """Serve ``path`` of ``storage`` to a request carrying a signed grant.

    403 (``{"detail", "code"}``) when the signature is missing, tampered with, expired, for
    another asset, or for a rendition above the grant's max height, and ``session_ended``
    when the grant belongs to a playback session that ``sessions`` says has ended (a grant
    of a session is refused outright without ``sessions``). Playlists are filtered (master:
    rungs above the max height dropped) and every URI in them signed with the same grant.
    Other files: streamed with ``Range`` support on local storage, a redirect to a
    presigned URL on remote storage.
    """
    if request.method not in {"GET", "HEAD"}:
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    looked_up: dict[str, SessionAccess | None] = {}

    def access(session_id: str) -> SessionAccess | None:
        if session_id not in looked_up:
            looked_up[session_id] = sessions(session_id) if sessions is not None else None
        return looked_up[session_id]

    def renewed(session_id: str) -> bool:
        found = access(session_id)
        return found is not None and found.renewed

    try:
        grant = verify(path, request.GET, renewed=renewed)
        live = access(grant.session) if grant.session else None
        if grant.session and live is None:
            raise SessionEndedError("This playback session has ended.")
    except SignatureError as exc:
        return forbidden(exc)
    if not storage.exists(path):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    presign = live.presign_seconds if live is not None else None
    url_for = url_builder(storage, grant, base_url, presign_seconds=presign)
    if path.endswith((".m3u8", ".mpd")) or path.endswith("thumbnails.vtt"):
        with storage.open(path, "rb") as fh:
            text = fh.read().decode("utf-8")
        if path.endswith(".mpd"):
            body = rewrite_mpd(text, path=path, max_height=grant.max_height, url_for=url_for)
        elif path.endswith(".m3u8"):
            if is_master(text):
                text = filter_master(text, grant.max_height)
            body = rewrite_playlist(text, path=path, url_for=url_for)
        else:
            body = rewrite_trickplay_vtt(text, path=path, url_for=url_for)
        response = HttpResponse(
            b"" if request.method == "HEAD" else body.encode(),
            content_type=content_type_for(path),
        )
        response["Content-Length"] = str(len(body.encode()))
        response["Cache-Control"] = "private, no-store"
        return response
    if not is_local(storage):
        return HttpResponseRedirect(
            storage_url(storage, path, expire=presign or grant.seconds_left)
        )
    return range_response(request, storage, path, max_age=min(grant.seconds_left, 3600))


def range_response(
    request: HttpRequest, storage: Storage, path: str, *, max_age: int = 3600
) -> HttpResponseBase:
    """The file, whole (200) or one byte range (206; 416 when unsatisfiable)."""
    size = storage.size(path)
    start, end = 0, size - 1
    status = 200
    header = request.headers.get("Range", "")
    if header:
        match = _RANGE.match(header.strip())
        if not match or (not match.group(1) and not match.group(2)):
            return _unsatisfiable(size)
        first, last = _position(match.group(1)), _position(match.group(2))
        if first is not None:
            start = first
            end = min(last, size - 1) if last is not None else size - 1
        else:
            start = max(0, size - (last or 0))
        if start >= size or start > end:
            return _unsatisfiable(size)
        status = 206
    length = end - start + 1
    if request.method == "HEAD":
        response: HttpResponseBase = HttpResponse(status=status)
    else:
        fh = storage.open(path, "rb")
        fh.seek(start)
        response = StreamingHttpResponse(_chunks(fh, length), status=status)
    response["Content-Type"] = content_type_for(path)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = f"private, max-age={max(0, max_age)}"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


def _position(digits: str) -> int | None:
    """A byte position of a ``Range`` header; any number longer than ``_MAX_DIGITS`` is past
    the end of every file, so it is read as that bound rather than converted (``int()`` of a
    few thousand digits is slow, and refused outright beyond Python's digit limit)."""
    if not digits:
        return None
    if len(digits) > _MAX_DIGITS:
        return _BEYOND_ANY_FILE
    return int(digits)


def _unsatisfiable(size: int) -> HttpResponse:
    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    return response


def _chunks(fh: IO[bytes], length: int) -> Iterator[bytes]:
    try:
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        fh.close()
