"""The discovery API: the signed-in profile's top picks, and "More like this" of a title.

Both answer title cards with the profile's own state on them (progress, liked, on its
list, its rating), merged by media as on its own lists.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from streamflix_core.api.errors import ErrorOut, ValidationErrorOut
from streamflix_core.api.pagination import PageNumber
from streamflix_core.auth import jwt_auth, optional_auth
from streamflix_core.viewer import current_viewer
from streamflix_media.api.catalog import json_body, merge_viewer_state
from streamflix_media.api.schemas.catalog import TitleCardOut

from .. import selectors, services
from ..services import MAX_CHOSEN_GENRES

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


class ChosenGenreOut(Schema):
    slug: str
    name: str


class GenrePreferencesOut(Schema):
    genres: list[ChosenGenreOut]


GenreSlug = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")]


class GenrePreferencesIn(Schema):
    genres: list[GenreSlug] = Field(
        max_length=MAX_CHOSEN_GENRES, description="Genre slugs; an empty list clears them."
    )


def _json(data: dict[str, Any], viewer: Any, lists: tuple[str, ...]) -> HttpResponse:
    if viewer.profile is not None:
        data = merge_viewer_state(data, viewer, lists=lists)
    return HttpResponse(json_body(data), content_type="application/json; charset=utf-8")


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


@router.get(
    "/genre-preferences",
    response={200: GenrePreferencesOut, 401: ErrorOut, 403: ErrorOut},
    summary="Genres the current profile likes",
    auth=jwt_auth,
)
def genre_preference_list(request: HttpRequest) -> Any:
    """The genres the current profile chose ("What do you like to watch?"), by name."""
    return {"genres": list(selectors.genre_preferences(viewer=current_viewer(request)))}


@router.put(
    "/genre-preferences",
    response={200: GenrePreferencesOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Choose the genres the current profile likes",
    auth=jwt_auth,
)
def genre_preferences_set(request: HttpRequest, payload: GenrePreferencesIn) -> Any:
    """Replace the current profile's genres (slugs; at most 10; an unknown slug is 422 with
    nothing changed). Until the profile has watched, liked or rated a few titles, its top
    picks are what trends in these genres and the genres it watched, then what is popular;
    the next recommendations refresh applies them."""
    genres = services.genre_preferences_set(viewer=current_viewer(request), genres=payload.genres)
    return {"genres": genres}
