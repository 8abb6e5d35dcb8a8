"""Reviews: a title's reviews, one per profile, and "helpful" votes."""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from streamflix_core.api.errors import ErrorOut
from streamflix_core.api.pagination import PageNumber
from streamflix_core.auth import jwt_auth, optional_auth
from streamflix_core.viewer import current_viewer

from .. import selectors, services
from .schemas_talk import HelpfulOut, ReviewIn, ReviewOut, ReviewPatch

router = Router()


class ReviewListQuery(Schema):
    ordering: Literal["newest", "helpful"] = "newest"


@router.get(
    "/titles/{slug}/reviews",
    response={200: list[ReviewOut], 401: ErrorOut, 404: ErrorOut},
    summary="A title's reviews",
    auth=optional_auth,
)
@paginate(PageNumber)
def review_list(request: HttpRequest, slug: str, filters: Query[ReviewListQuery]) -> Any:
    """Newest first, or most helpful first (``ordering=helpful``), with each author's
    profile name, the helpful count and whether the current profile voted. 404 for a title
    the viewer may not see (unknown, unpublished, above a kids profile's limit)."""
    return selectors.review_list(
        viewer=current_viewer(request), slug=slug, ordering=filters.ordering
    )


@router.post(
    "/titles/{slug}/reviews",
    response={201: ReviewOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Review a title",
    auth=jwt_auth,
)
def review_create(request: HttpRequest, slug: str, payload: ReviewIn) -> Status:
    """One review per profile and title: 409 ``already_reviewed`` for a second one (edit
    the first). 403 ``profile_required`` until a profile is chosen."""
    review = services.review_create(
        viewer=current_viewer(request),
        slug=slug,
        text=payload.text,
        rating=payload.rating,
        spoiler=payload.spoiler,
    )
    return Status(201, review)


@router.patch(
    "/reviews/{review_id}",
    response={200: ReviewOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Edit one's review",
    auth=jwt_auth,
)
def review_update(request: HttpRequest, review_id: int, payload: ReviewPatch) -> Any:
    """Only the fields sent change (``rating: null`` clears the rating). 404 for another
    profile's review."""
    viewer = current_viewer(request)
    services.review_update(
        viewer=viewer, review_id=review_id, changes=payload.dict(exclude_unset=True)
    )
    return selectors.review_detail(viewer=viewer, review_id=review_id)


@router.delete(
    "/reviews/{review_id}",
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Delete one's review",
    auth=jwt_auth,
)
def review_delete(request: HttpRequest, review_id: int) -> Status:
    """404 for another profile's review."""
    services.review_delete(viewer=current_viewer(request), review_id=review_id)
    return Status(204, None)


def _helpful(request: HttpRequest, review_id: int, *, helpful: bool) -> Any:
    viewer = current_viewer(request)
    services.review_vote(viewer=viewer, review_id=review_id, helpful=helpful)
    review = selectors.review_detail(viewer=viewer, review_id=review_id)
    # review_detail annotates the count and the caller's vote.
    return {
        "review_id": review.pk,
        "helpful_count": review.helpful_count,  # type: ignore[attr-defined]
        "voted": review.voted,  # type: ignore[attr-defined]
    }


@router.put(
    "/reviews/{review_id}/helpful",
    response={200: HelpfulOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Mark a review helpful",
    auth=jwt_auth,
)
def review_helpful_set(request: HttpRequest, review_id: int) -> Any:
    """Idempotent: a second vote counts once. 403 ``own_review`` on one's own review."""
    return _helpful(request, review_id, helpful=True)


@router.delete(
    "/reviews/{review_id}/helpful",
    response={200: HelpfulOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Withdraw a helpful vote",
    auth=jwt_auth,
)
def review_helpful_clear(request: HttpRequest, review_id: int) -> Any:
    """Idempotent: withdrawing a vote that is not there changes nothing."""
    return _helpful(request, review_id, helpful=False)
