"""One error body for every plugin: ``{"detail": "...", "code": "..."}`` (+ ``errors`` on 422)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.errors import AuthorizationError as NinjaAuthorizationError

from .. import errors
from ..errors import DomainError


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


# The one place a domain error gets its HTTP status: the nearest class in its MRO decides.
STATUS_FOR_ERROR: dict[type[DomainError], int] = {
    errors.InvalidInput: 422,
    errors.InvalidLink: 400,
    errors.WrongCredentials: 400,
    errors.NotAuthenticated: 401,
    errors.PaymentFailed: 402,
    errors.NotPermitted: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Gone: 410,
    errors.TooLarge: 413,
    errors.UnsupportedType: 415,
    errors.UpstreamFailed: 502,
    errors.Unavailable: 503,
    DomainError: 400,
}
# Operations take their JSON body as ``payload``; a field error names its place the way
# Pydantic's own errors do.
BODY_LOCATION = ("body", "payload")


def status_for(error: DomainError) -> int:
    """The HTTP status that answers ``error``."""
    for klass in type(error).__mro__:
        if klass in STATUS_FOR_ERROR:
            return STATUS_FOR_ERROR[klass]
    return 400


def _field_errors(error: DomainError) -> list[dict[str, Any]]:
    fields = getattr(error, "fields", {})
    return [
        {"loc": [*BODY_LOCATION, field], "msg": message, "type": error.code}
        for field, messages in fields.items()
        for message in messages
    ]


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
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

    def on_domain_error(request: HttpRequest, exc: Any) -> HttpResponse:
        status = status_for(exc)
        extra = dict(exc.extra)
        if status == 422:
            # every 422 has the same shape, whether Pydantic or a service refused the input
            extra.setdefault("errors", _field_errors(exc))
        return error_response(api, request, status, exc.message, exc.code, **extra)

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
        if isinstance(exc.__cause__, DomainError):
            # Ninja wraps whatever the body parser raises in a bare 400 "Cannot parse request
            # body"; the parser's own error says what was wrong.
            return on_domain_error(request, exc.__cause__)
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

    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(Throttled, on_throttled)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(AuthenticationError, on_not_authenticated)
    api.add_exception_handler(NinjaAuthorizationError, on_forbidden)
    api.add_exception_handler(PermissionDenied, on_forbidden)
    api.add_exception_handler(Http404, on_not_found)
