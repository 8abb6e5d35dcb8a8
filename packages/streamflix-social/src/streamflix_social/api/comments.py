"""Comments: a title's threads, timestamped comments near a playback position, posting,
editing, deleting and reporting."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from streamflix_core.api.errors import ErrorOut
from streamflix_core.api.pagination import PageNumber
from streamflix_core.auth import jwt_auth, optional_auth
from streamflix_core.throttles import SettingRateThrottle
from streamflix_core.viewer import current_viewer

from .. import selectors, services
from ..conf import settings
from .schemas_talk import CommentIn, CommentOut, CommentPatch, ReplyOut, ReportIn, ReportOut

router = Router()


def comment_post_throttle() -> SettingRateThrottle:
    """``COMMENT_RATE_LIMIT`` comments per account, counted in the shared cache across
    processes (a fixed window, as core's throttles count)."""
    return SettingRateThrottle(
        "streamflix_social_comment", per="user", rate_of=lambda: settings().COMMENT_RATE_LIMIT
    )


class AroundQuery(Schema):
    position: float = Field(ge=0, allow_inf_nan=False, description="Seconds into the video.")
    window: float = Field(
        30, gt=0, allow_inf_nan=False, description="Seconds either side of the position."
    )


@router.get(
    "/titles/{slug}/comments",
    response={200: list[CommentOut], 401: ErrorOut, 404: ErrorOut},
    summary="A title's comments",
    auth=optional_auth,
)
@paginate(PageNumber)
def comment_list(request: HttpRequest, slug: str) -> Any:
    """Root comments newest first, each with its replies (oldest first). Comments hidden by
    moderators are left out; a deleted comment with replies shows as deleted (no text); an
    author whose account is gone shows as "deleted account". 404 for a title the viewer may
    not see (unknown, unpublished, above a kids profile's limit)."""
    return selectors.comment_threads(viewer=current_viewer(request), slug=slug)


@router.get(
    "/titles/{slug}/comments/around",
    response={200: list[ReplyOut], 401: ErrorOut, 404: ErrorOut},
    summary="Comments near a playback position",
    auth=optional_auth,
)
def comment_around_list(request: HttpRequest, slug: str, query: Query[AroundQuery]) -> Any:
    """The timestamped comments within ``window`` seconds of ``position``, in playback order
    (the player shows them as it reaches them). A ``window`` wider than
    ``COMMENT_AROUND_MAX_WINDOW_SECONDS`` is narrowed to it."""
    window = min(query.window, settings().COMMENT_AROUND_MAX_WINDOW_SECONDS)
    return selectors.comments_around(
        viewer=current_viewer(request), slug=slug, position=query.position, window=window
    )


@router.post(
    "/titles/{slug}/comments",
    response={201: CommentOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Post a comment",
    auth=jwt_auth,
    throttle=[comment_post_throttle()],
)
def comment_create(request: HttpRequest, slug: str, payload: CommentIn) -> Status:
    """Post as the current profile (never as a profile named in the body). ``parent_id``
    replies (a reply to a reply joins the root's thread), ``position`` pins the comment to
    a moment of the video. 403 ``profile_required`` / ``banned_from_comments``, 422 for an
    empty or too long text or an unknown parent, 429 over ``COMMENT_RATE_LIMIT``."""
    comment = services.comment_post(
        viewer=current_viewer(request),
        slug=slug,
        text=payload.text,
        parent_id=payload.parent_id,
        position=payload.position,
    )
    return Status(201, comment)


@router.patch(
    "/comments/{comment_id}",
    response={200: CommentOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Edit one's comment",
    auth=jwt_auth,
)
def comment_update(request: HttpRequest, comment_id: int, payload: CommentPatch) -> Any:
    """Within ``COMMENT_EDIT_WINDOW_SECONDS`` of posting (then 409 ``edit_window_closed``);
    404 for another profile's comment or a deleted or hidden one."""
    return services.comment_edit(
        viewer=current_viewer(request), comment_id=comment_id, text=payload.text
    )


@router.delete(
    "/comments/{comment_id}",
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Delete one's comment",
    auth=jwt_auth,
)
def comment_delete(request: HttpRequest, comment_id: int) -> Status:
    """The text is removed and the comment shows as deleted, so its replies stay. 404 for
    another profile's comment."""
    services.comment_remove(viewer=current_viewer(request), comment_id=comment_id)
    return Status(204, None)


@router.post(
    "/comments/{comment_id}/report",
    response={200: ReportOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Report a comment to the moderators",
    auth=jwt_auth,
)
def comment_report(request: HttpRequest, comment_id: int, payload: ReportIn) -> Any:
    """One report per profile: reporting again is a no-op (``new: false``). 403
    ``own_comment`` for one's own comment."""
    new = services.comment_report(
        viewer=current_viewer(request),
        comment_id=comment_id,
        reason=payload.reason,
    )
    return {"comment_id": comment_id, "reported": True, "new": new}
