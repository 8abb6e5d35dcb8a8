"""Plain Django views of assets: signed HLS files and the local direct-upload endpoint."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from streamflix_core.api.errors import status_for
from streamflix_core.errors import DomainError

from . import services
from .conf import settings
from .delivery import SessionAccess, serve_hls_file
from .session_state import session_record, session_renewed
from .storage import hls_base_url, output_storage


def session_access(session_id: str) -> SessionAccess | None:
    """A playback session as HLS serving sees it: ``None`` once ended."""
    record = session_record(session_id)
    if record is None or record.ended:
        return None
    return SessionAccess(
        renewed=session_renewed(record.id),
        # A player does not fetch a VOD playlist again, so a presigned segment URL lives
        # as long as the video plays through (revocation acts at the next playlist fetch).
        presign_seconds=int(record.duration) + settings().PLAYBACK_URL_TTL_SECONDS,
    )


def hls_file(request: HttpRequest, path: str) -> HttpResponseBase:
    """A published playlist, segment, subtitle or image, for a request carrying a signed
    grant (403 otherwise), of a live playback session when the grant names one. Sources are
    outside every grant's scope, so never served."""
    return serve_hls_file(
        request,
        storage=output_storage(),
        path=path,
        base_url=hls_base_url(),
        sessions=session_access,
    )


@csrf_exempt
def upload(request: HttpRequest, session_id: str) -> HttpResponseBase:
    """The local-storage stand-in for a presigned S3 POST: multipart ``Content-Type`` field
    and ``file``; the signed ``token`` carries the session and its expiry."""
    if request.method != "POST":
        return JsonResponse(
            {"detail": "Use POST.", "code": "method_not_allowed"},
            status=405,
            headers={"Allow": "POST"},
        )
    try:
        fields, files = request.POST, request.FILES
    except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent, RequestDataTooBig):
        # Django would answer these with its HTML 400 page; keep the JSON error body.
        return JsonResponse(
            {
                "detail": "The multipart/form-data body could not be read.",
                "code": "invalid_multipart",
            },
            status=400,
        )
    try:
        services.upload_receive(
            session_id=str(session_id),
            token=request.GET.get("token", ""),
            content_type=fields.get("Content-Type", ""),
            file=files.get("file"),
        )
    except DomainError as exc:
        return JsonResponse({"detail": exc.detail, "code": exc.code}, status=status_for(exc))
    return HttpResponse(status=204)
