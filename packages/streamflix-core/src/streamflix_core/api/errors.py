"""One error body for every plugin: ``{"detail": "...", "code": "..."}`` (+ ``errors`` on 422)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.errors import AuthorizationError as NinjaAuthorizationError


class ErrorOut(Schema):
    """The error body of every Streamflix endpoint."""

    detail: str
    code: str


class ThrottledOut(ErrorOut):
    """The 429 body: the error body plus the seconds to wait (also in ``Retry-After``)."""

    retry_after: int | None = None


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldErrorOut]


class ApiError(Exception):
    """Raise from a service or an operation to answer ``status`` with a stable ``code``."""

    status = 400
    code = "bad_request"

    def __init__(
        self, detail: str, *, code: str | None = None, status: int | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.extra = extra


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class Forbidden(ApiError):
    status = 403
    code = "permission_denied"


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "throttled",
    502: "bad_gateway",
    503: "service_unavailable",
}


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, detail: str, code: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    """Route every known exception to the shared error body."""

    def on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        extra = dict(exc.extra)
        if exc.status == 422:
            # every 422 has the same shape, whether Pydantic or a service refused the input
            extra.setdefault("errors", [])
        return error_response(api, request, exc.status, exc.detail, exc.code, **extra)

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = [
            {
                "loc": [str(part) if not isinstance(part, int) else part for part in e["loc"]],
                "msg": e.get("msg", ""),
                "type": e.get("type", ""),
            }
            for e in exc.errors
        ]
        first = errors[0] if errors else None
        detail = (
            f"Invalid input at {'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
            if first
            else "Invalid input."
        )
        return error_response(api, request, 422, detail, "validation_error", errors=errors)

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc.__cause__, ApiError):
            # Ninja wraps whatever the body parser raises in a bare 400 "Cannot parse request
            # body"; the parser's own error says what was wrong.
            return on_api_error(request, exc.__cause__)
        status = exc.status_code
        return error_response(api, request, status, str(exc), _HTTP_CODES.get(status, "error"))

    def on_not_authenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api,
            request,
            401,
            "Authentication credentials were not provided or are invalid.",
            "not_authenticated",
        )

    def on_forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = str(exc) or "You do not have permission to do this."
        return error_response(api, request, 403, detail, "permission_denied")

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = str(exc) if str(exc) and "matches the given query" not in str(exc) else ""
        return error_response(api, request, 404, detail or "Not found.", "not_found")

    def on_throttled(request: HttpRequest, exc: Any) -> HttpResponse:
        response = error_response(
            api,
            request,
            429,
            "Too many requests; try again later.",
            "throttled",
            retry_after=exc.wait,
        )
        if exc.wait is not None:
            response["Retry-After"] = str(int(exc.wait))
        return response

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(Throttled, on_throttled)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(AuthenticationError, on_not_authenticated)
    api.add_exception_handler(NinjaAuthorizationError, on_forbidden)
    api.add_exception_handler(PermissionDenied, on_forbidden)
    api.add_exception_handler(Http404, on_not_found)
