"""Completing the composed OpenAPI document with what every operation implies.

A plugin's decorator lists the statuses its own code answers; the statuses the machinery
around it answers — 401/403 from its authentication, 422 from input validation, 400 from an
unreadable body, 429 from a throttle — are added here, once for every plugin, so the spec
documents every status an operation can return. An operation whose authentication lets
anonymous requests through is declared with an empty security requirement beside the
bearer one (``[{}, {"<scheme>": []}]``): the token is optional, not required.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ninja import NinjaAPI
from ninja.operation import Operation
from pydantic import BaseModel

from .errors import ErrorOut, ThrottledOut, ValidationErrorOut

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_SOURCES = frozenset({"body", "form", "file"})

_DESCRIPTIONS = {
    400: "Bad Request: the body is not readable JSON (or is nested too deeply)",
    401: "Unauthorized: the access token is missing, invalid or expired",
    403: "Forbidden",
    422: "Unprocessable Content: the input does not validate",
    429: "Too Many Requests: throttled; see Retry-After",
}


def operations(api: NinjaAPI) -> Iterator[Operation]:
    """Every operation of ``api``, bound to its router (so with its inherited auth and
    throttles)."""
    for bound_router in api._get_bound_routers():
        for path_view in bound_router.path_operations.values():
            yield from path_view.operations


def implied_statuses(operation: Operation, method: str) -> dict[int, type[BaseModel]]:
    """The error statuses the machinery around ``operation`` can answer, with their body."""
    statuses: dict[int, type[BaseModel]] = {}
    auths = list(operation.auth_callbacks or [])
    if auths:
        statuses[401] = ErrorOut
        # a cookie-authenticated unsafe request without its CSRF token is 403, and some
        # authentications refuse a valid token (staff only, kids profile)
        if method.upper() in UNSAFE_METHODS or any(
            getattr(auth, "openapi_forbids", False) for auth in auths
        ):
            statuses[403] = ErrorOut
    sources = {getattr(model, "__ninja_param_source__", None) for model in operation.models}
    if operation.models:
        statuses[422] = ValidationErrorOut
    if sources & BODY_SOURCES:
        statuses[400] = ErrorOut
    if operation.throttle_objects:
        statuses[429] = ThrottledOut
    return statuses


def allows_anonymous(operation: Operation) -> bool:
    """Whether one of the operation's authentications lets a request without a token in."""
    return any(getattr(auth, "openapi_optional", False) for auth in operation.auth_callbacks or [])


def _component(schema: dict[str, Any], model: type[BaseModel]) -> dict[str, str]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if model.__name__ not in components:
        generated = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in generated.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components[model.__name__] = generated
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def complete_openapi(api: NinjaAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """Add to ``schema`` (ninja's document for ``api``) each operation's implied statuses
    (never replacing one the operation declares) and its optional security."""
    by_id = {
        operation.operation_id or api.get_openapi_operation_id(operation): operation
        for operation in operations(api)
    }
    media_type = api.renderer.media_type
    for path_item in schema.get("paths", {}).values():
        for method, details in path_item.items():
            operation = by_id.get(details.get("operationId"))
            if operation is None:
                continue
            responses = details.setdefault("responses", {})
            for status, model in sorted(implied_statuses(operation, method).items()):
                if str(status) in responses or status in responses:
                    continue
                responses[status] = {
                    "description": _DESCRIPTIONS[status],
                    "content": {media_type: {"schema": _component(schema, model)}},
                }
            security = details.get("security")
            if security and allows_anonymous(operation) and {} not in security:
                details["security"] = [{}, *security]
    return schema
