"""The social API: likes, My List and ratings of the current profile.

Every write is idempotent: the same PUT or DELETE twice leaves the same state and counts
once. A title the profile may not see (unknown, not published, above its maturity limit)
is 404.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from streamflix_core.api.errors import ErrorOut, ValidationErrorOut
from streamflix_core.api.pagination import PageNumber
from streamflix_core.auth import jwt_auth
from streamflix_core.viewer import current_viewer

from .. import selectors, services
from .schemas_engagement import LikeOut, ListEntryOut, MyListItemOut, RatingIn, RatingOut

router = Router()

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.put("/titles/{slug}/like", response={200: LikeOut, **ERRORS}, summary="Like", auth=jwt_auth)
def like_add(request: HttpRequest, slug: str) -> Any:
    """The current profile likes the title; liking it again changes nothing."""
    return services.like_add(viewer=current_viewer(request), slug=slug)


@router.delete(
    "/titles/{slug}/like", response={200: LikeOut, **ERRORS}, summary="Unlike", auth=jwt_auth
)
def like_remove(request: HttpRequest, slug: str) -> Any:
    """The current profile no longer likes the title (a title it never liked: no change)."""
    return services.like_remove(viewer=current_viewer(request), slug=slug)


@router.put(
    "/titles/{slug}/list",
    response={200: ListEntryOut, **ERRORS},
    summary="Add to My List",
    auth=jwt_auth,
)
def list_item_add(request: HttpRequest, slug: str) -> Any:
    """Put the title on the current profile's list; again: it keeps its place."""
    return services.list_item_add(viewer=current_viewer(request), slug=slug)


@router.delete(
    "/titles/{slug}/list",
    response={200: ListEntryOut, **ERRORS},
    summary="Remove from My List",
    auth=jwt_auth,
)
def list_item_remove(request: HttpRequest, slug: str) -> Any:
    """Take the title off the current profile's list (not on it: no change)."""
    return services.list_item_remove(viewer=current_viewer(request), slug=slug)


@router.get(
    "/list",
    response={200: list[MyListItemOut], 401: ErrorOut, 403: ErrorOut},
    summary="My List",
    auth=jwt_auth,
)
@paginate(PageNumber)
def list_item_list(request: HttpRequest) -> Any:
    """The current profile's list, most recently added first, as title cards."""
    return selectors.my_list(viewer=current_viewer(request))


@router.put(
    "/titles/{slug}/rating",
    response={200: RatingOut, **ERRORS, 422: ValidationErrorOut},
    summary="Rate",
    auth=jwt_auth,
)
def rating_set(request: HttpRequest, slug: str, payload: RatingIn) -> Any:
    """Rate the title from 1 to 5 stars (a whole number; else 422); rating again replaces
    the profile's rating. Answers the title's new average and count."""
    return services.rating_set(viewer=current_viewer(request), slug=slug, value=payload.rating)


@router.delete(
    "/titles/{slug}/rating",
    response={200: RatingOut, **ERRORS},
    summary="Remove my rating",
    auth=jwt_auth,
)
def rating_remove(request: HttpRequest, slug: str) -> Any:
    """Withdraw the current profile's rating of the title (none: no change)."""
    return services.rating_remove(viewer=current_viewer(request), slug=slug)
