"""The API's URL patterns nested by their leading path segments.

Django Ninja gives one flat list of patterns (about 130 with every plugin), and Django's
resolver tries them in order, recording each miss: a path near the end of the list paid
for every pattern before it. Nested under ``include()``s by segment (``media/`` →
``titles/`` → ...), a request tries a handful at each level. Only runs of neighbouring
patterns with the same literal segment are nested, so the order in which patterns are tried
— which decides between two that match the same path — stays as Ninja gave it; names,
converters and default arguments are kept, so ``reverse()`` and ``resolver_match.route``
give what they gave.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from django.urls.resolvers import RoutePattern

#: A run shorter than this stays flat: nesting one or two patterns saves nothing.
MIN_RUN = 3


def nested_by_segment(patterns: list[Any]) -> list[Any]:
    """``patterns`` with each run of at least ``MIN_RUN`` neighbouring patterns under the
    same literal first segment moved into ``path("<segment>/", include([...]))`` (nested
    again by their next segment)."""
    nested: list[Any] = []
    run: list[tuple[str, Any]] = []
    segment: str | None = None

    def close_run() -> None:
        if segment is not None and len(run) >= MIN_RUN:
            inner = [_rerouted(pattern, rest) for rest, pattern in run]
            nested.append(SegmentResolver(segment, nested_by_segment(inner)))
        else:
            nested.extend(pattern for _, pattern in run)
        run.clear()

    for pattern in patterns:
        split = _split(pattern)
        head = split[0] if split else None
        if head is None or head != segment:
            close_run()
            segment = head
        if split is None:
            nested.append(pattern)
        else:
            run.append((split[1], pattern))
    close_run()
    return nested


class SegmentResolver(URLResolver):
    """``path("<segment>/", include(patterns))`` that passes a path outside its segment
    with a string comparison, as a plain pattern passes a path it does not match, instead
    of matching the route and raising ``Resolver404`` for its parent to catch."""

    def __init__(self, segment: str, patterns: list[Any]) -> None:
        self.prefix = f"{segment}/"
        super().__init__(RoutePattern(self.prefix, is_endpoint=False), patterns)

    def resolve(self, path: Any) -> Any:
        if not str(path).startswith(self.prefix):
            return None
        return super().resolve(path)


def _split(pattern: Any) -> tuple[str, str] | None:
    """``(segment, rest)`` of a plain pattern's route ``segment/rest``; ``None`` for a
    pattern that is not a route, has no second segment or starts with a converter."""
    if type(pattern) is not URLPattern or not isinstance(pattern.pattern, RoutePattern):
        return None
    head, slash, rest = str(pattern.pattern).partition("/")
    if not slash or not rest or not head or "<" in head:
        return None
    return head, rest


def _rerouted(pattern: URLPattern, route: str) -> URLPattern:
    found = path(route, pattern.callback, pattern.default_args, pattern.name)
    assert isinstance(found, URLPattern)
    return found
