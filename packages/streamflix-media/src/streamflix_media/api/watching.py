"""Watching: heartbeats, the account's active streams, a profile's history, "Continue
watching" and "Next up"."""

import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from streamflix_core.api.errors import ErrorOut
from streamflix_core.api.pagination import PageNumber
from streamflix_core.auth import jwt_auth, token_identity_auth
from streamflix_core.viewer import current_viewer, require_profile

from .. import selectors, services
from .playback import ActiveSessionOut
from .schemas.watching import HistoryItemOut, WatchItemOut, watch_item_out

router = Router()


class HeartbeatIn(Schema):
    position: float = Field(
        ge=0, allow_inf_nan=False, description="The player's position in seconds."
    )
    state: Literal["playing", "paused", "ended"]
    sequence: int = Field(
        ge=0,
        le=2**53,
        description="Increases with each heartbeat of the session; a heartbeat whose "
        "sequence is not above the last one applied changes nothing.",
    )


class HeartbeatOut(Schema):
    session_id: str
    applied: bool = Field(description="False for a repeated or late heartbeat.")
    position: float
    state: str
    view_counted: bool


class ClearedOut(Schema):
    removed: int


def _profile_id(request: HttpRequest) -> int:
    return int(require_profile(current_viewer(request)).pk)


@router.put(
    "/sessions/{session_id}/progress",
    response={200: HeartbeatOut, 401: ErrorOut, 404: ErrorOut, 410: ErrorOut, 422: ErrorOut},
    summary="Send a playback heartbeat",
    auth=token_identity_auth,
)
def session_progress_update(
    request: HttpRequest, session_id: uuid.UUID, payload: HeartbeatIn
) -> Any:
    """The player's position and state, about every 10 s while the session lives.

    404 for another account's session, 410 (``session_ended``, ``session_expired``) once it
    is over (open a new one), 422 for a position that is negative, not a number or past the
    duration. Idempotent: the same heartbeat twice, or an older one arriving late, answers
    ``applied: false``. At 90 % (or the credits marker) the view is counted, once.
    """
    beat = services.session_heartbeat(
        user_id=request.auth.user_id,  # type: ignore[attr-defined]
        session_id=session_id,
        position=payload.position,
        state=payload.state,
        sequence=payload.sequence,
    )
    return {
        "session_id": beat.session_id,
        "applied": beat.applied,
        "position": beat.position,
        "state": beat.state,
        "view_counted": beat.view_counted,
    }


@router.delete(
    "/sessions/{session_id}",
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Stop a playback session",
    auth=jwt_auth,
)
def session_stop(request: HttpRequest, session_id: uuid.UUID) -> Status:
    """End one of the account's sessions: the player's own when it closes, or another
    device's to free a stream (not from a kids profile: 403 ``kids_profile``). Its URLs stop
    working at once. Stopping an ended session is a no-op (204)."""
    services.session_stop(viewer=current_viewer(request), session_id=session_id)
    return Status(204, None)


@router.get(
    "/sessions",
    response={200: list[ActiveSessionOut], 401: ErrorOut},
    summary="Active streams of the account",
    auth=jwt_auth,
)
def session_list(request: HttpRequest) -> Any:
    """The account's active sessions, oldest first (a kids profile sees only its own)."""
    return [
        services.session_summary(s)
        for s in selectors.account_sessions(viewer=current_viewer(request))
    ]


@router.get(
    "/history",
    response={200: list[HistoryItemOut], 401: ErrorOut, 403: ErrorOut},
    summary="Watch history",
    auth=jwt_auth,
)
@paginate(PageNumber)
def history_list(request: HttpRequest) -> Any:
    """What the current profile watched, newest first, with each item's resume point."""
    return selectors.history(profile_id=_profile_id(request))


@router.delete(
    "/history/{item_id}",
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Remove a history item",
    auth=jwt_auth,
)
def history_item_delete(request: HttpRequest, item_id: int) -> Status:
    """Remove one item (and its resume point) from the current profile's history."""
    services.history_remove(profile_id=_profile_id(request), item_id=item_id)
    return Status(204, None)


@router.delete(
    "/history",
    response={200: ClearedOut, 401: ErrorOut, 403: ErrorOut},
    summary="Clear the watch history",
    auth=jwt_auth,
)
def history_clear(request: HttpRequest) -> Any:
    """Remove every item of the current profile's history."""
    return {"removed": services.history_clear(profile_id=_profile_id(request))}


@router.get(
    "/continue-watching",
    response={200: list[WatchItemOut], 401: ErrorOut, 403: ErrorOut},
    summary="Continue watching",
    auth=jwt_auth,
)
def continue_watching_list(request: HttpRequest) -> Any:
    """Movies and episodes the current profile is part-way through, newest first, one per
    title, within its maturity limit."""
    _profile_id(request)
    return [watch_item_out(i) for i in selectors.continue_watching(viewer=current_viewer(request))]


@router.get(
    "/next-up",
    response={200: list[WatchItemOut], 401: ErrorOut, 403: ErrorOut},
    summary="Next up",
    auth=jwt_auth,
)
def next_up_list(request: HttpRequest) -> Any:
    """For each series the current profile watches: the episode after the last one it
    finished (or the first it has not finished)."""
    _profile_id(request)
    return [watch_item_out(i) for i in selectors.next_up(viewer=current_viewer(request))]
