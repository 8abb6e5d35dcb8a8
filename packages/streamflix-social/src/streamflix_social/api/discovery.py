"""The discovery API: the signed-in profile's top picks, and "More like this" of a title.

Both answer title cards with the profile's own state on them (progress, liked, on its
list, its rating), merged by media as on its own lists.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from streamflix_core.api.errors import ErrorOut, ValidationErrorOut
from streamflix_core.api.pagination import PageNumber
from streamflix_core.auth import jwt_auth, optional_auth
from streamflix_core.viewer import current_viewer
from streamflix_media.api.catalog import merge_viewer_state
from streamflix_media.api.schemas.catalog import TitleCardOut

from .. import selectors

router = Router()


class RecommendationPageOut(Schema):
    items: list[TitleCardOut]
    count: int
    page: int
    pages: int
    page_size: int
    next: int | None
    previous: int | None


class MoreLikeThisOut(Schema):
    items: list[TitleCardOut]


def _json(data: dict[str, Any], viewer: Any, lists: tuple[str, ...]) -> HttpResponse:
    if viewer.profile is not None:
        data = merge_viewer_state(data, viewer, lists=lists)
    return HttpResponse(
        json.dumps(data, separators=(",", ":")), content_type="application/json; charset=utf-8"
    )


@router.get(
    "/recommendations",
    response={200: RecommendationPageOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Top picks for the current profile",
    auth=jwt_auth,
)
def recommendation_list(request: HttpRequest, pagination: Query[PageNumber.Input]) -> Any:
    """The current profile's top picks, best first, then what trends, then the most viewed:
    never a title it finished or rated, above its maturity limit, or not published.
    Paginated like every list."""
    viewer = current_viewer(request)
    page = PageNumber().paginate_queryset(
        selectors.top_picks(viewer=viewer), pagination=pagination, request=request
    )
    data = RecommendationPageOut.model_validate(page).model_dump(mode="json")
    return _json(data, viewer, ("items",))


@router.get(
    "/titles/{slug}/more-like-this",
    response={200: MoreLikeThisOut, 404: ErrorOut},
    summary="More like this",
    auth=optional_auth,
)
def similar_title_list(request: HttpRequest, slug: str) -> Any:
    """Titles like this one (co-engagement blended with genres, people, kind and year),
    best first; 404 when the viewer may not see the title."""
    viewer = current_viewer(request)
    items = selectors.more_like_this(viewer=viewer, slug=slug)
    data = MoreLikeThisOut.model_validate({"items": items}).model_dump(mode="json")
    return _json(data, viewer, ("items",))
