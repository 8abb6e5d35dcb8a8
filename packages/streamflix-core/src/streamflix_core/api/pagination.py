"""Page-number pagination shared by every list endpoint.

The body is ``{"items": [...], "count": N, "page": p, "pages": P, "page_size": s,
"next": p+1 | null, "previous": p-1 | null}``. ``page_size`` is capped at
``STREAMFLIX_CORE["MAX_PAGE_SIZE"]``; a page past the end is an empty list, not an error.

A view may return a query set, a list, or any object with ``count()`` and slicing (a
:class:`Pageable`: for example one that turns a slice of rows into plain dictionaries).
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class Pageable(Protocol):
    """What the pagination reads besides query sets and lists: a count and a slice."""

    def count(self) -> int: ...

    def __getitem__(self, window: slice) -> list[Any]: ...


class PageNumber(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, description="1-based page number.")
        page_size: int | None = Field(
            None, ge=1, description="Items per page (capped at the site's maximum)."
        )

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        pages: int
        page_size: int
        next: int | None
        previous: int | None

    items_attribute = "items"

    def paginate_queryset(
        self,
        queryset: QuerySet | list | Pageable,
        pagination: Input,
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        from streamflix_core.conf import settings

        config = settings()
        size = min(pagination.page_size or config.DEFAULT_PAGE_SIZE, config.MAX_PAGE_SIZE)
        count = len(queryset) if isinstance(queryset, list | tuple) else queryset.count()
        pages = max(1, math.ceil(count / size))
        page = pagination.page
        offset = (page - 1) * size
        return {
            "items": list(queryset[offset : offset + size]) if offset < count else [],
            "count": count,
            "page": page,
            "pages": pages,
            "page_size": size,
            "next": page + 1 if page < pages else None,
            "previous": page - 1 if 1 < page <= pages + 1 else None,
        }
