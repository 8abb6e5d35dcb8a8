"""The JSON request-body parser of every Streamflix API.

Ninja's default parser is a bare ``json.loads``: a body nested tens of thousands of levels
deep makes it raise ``RecursionError``, and one nested a few hundred levels deep parses but
can exhaust the stack later (validation, a JSON column, rendering). Bodies are refused
before any of that with ``400 body_too_deep``; a body that is not JSON is
``400 invalid_json``; a JSON body that is not an object (every Streamflix body is one) is a
``422 validation_error``.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

from ..errors import DomainError, InvalidInput

MAX_BODY_DEPTH = 32
"""The deepest nesting of arrays and objects a request body may have (no Streamflix
schema needs more than a handful of levels)."""


class BodyTooDeep(DomainError):
    code = "body_too_deep"


class BodyNotObject(InvalidInput):
    code = "validation_error"


class InvalidJson(DomainError):
    code = "invalid_json"


def body_depth_exceeds(text: str | bytes, limit: int) -> bool:
    """Whether the JSON ``text`` nests arrays/objects deeper than ``limit``, measured without
    parsing (so without recursion): brackets inside strings are skipped."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class StreamflixParser(Parser):
    """``json.loads`` behind a depth limit, with the shared error body for what it refuses."""

    max_depth = MAX_BODY_DEPTH

    def parse_body(self, request: HttpRequest) -> Any:
        body = request.body
        if body_depth_exceeds(body, self.max_depth):
            raise BodyTooDeep(
                f"The JSON body is nested more than {self.max_depth} levels deep.",
            )
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise InvalidJson("The request body is not valid JSON.") from exc
        if not isinstance(data, dict):
            # Ninja would read fields off a list as attributes, so `[null]` would pass as a
            # PATCH that changes nothing; every Streamflix body is an object.
            raise BodyNotObject(
                "The request body must be a JSON object.",
                errors=[{"loc": ["body"], "msg": "Input should be an object", "type": "dict_type"}],
            )
        return data
