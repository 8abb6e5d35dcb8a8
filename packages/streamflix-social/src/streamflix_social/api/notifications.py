"""The social API: the chosen profile's notifications."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from streamflix_core.api.errors import ErrorOut
from streamflix_core.api.pagination import PageNumber
from streamflix_core.auth import account_auth, jwt_auth

from .. import selectors, services
from .live import chosen_profile_id

router = Router()


class NotificationOut(Schema):
    id: int
    kind: str
    title_id: int | None
    comment_id: int | None
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class UnreadCountOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


@router.get(
    "/notifications",
    auth=jwt_auth,
    response={200: list[NotificationOut], 401: ErrorOut, 403: ErrorOut},
)
@paginate(PageNumber)
def notification_list(request: HttpRequest) -> Any:
    """The chosen profile's notifications, newest first."""
    return selectors.notification_list(profile_id=chosen_profile_id(request))


@router.get(
    "/notifications/unread-count",
    auth=jwt_auth,
    response={200: UnreadCountOut, 401: ErrorOut, 403: ErrorOut},
)
def notification_unread_count(request: HttpRequest) -> UnreadCountOut:
    """How many of the chosen profile's notifications are unread."""
    profile_id = chosen_profile_id(request)
    return UnreadCountOut(unread=selectors.notification_unread_count(profile_id=profile_id))


@router.post(
    "/notifications/read-all",
    auth=jwt_auth,
    response={200: MarkedOut, 401: ErrorOut, 403: ErrorOut},
)
def notification_read_all(request: HttpRequest) -> MarkedOut:
    """Mark every notification of the chosen profile read."""
    marked = services.notifications_mark_all_read(profile_id=chosen_profile_id(request))
    return MarkedOut(marked=marked)


@router.post(
    "/notifications/{notification_id}/read",
    auth=jwt_auth,
    response={200: NotificationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def notification_read(request: HttpRequest, notification_id: int) -> Any:
    """Mark one notification read (again is fine); 404 for another profile's."""
    return services.notification_mark_read(
        profile_id=chosen_profile_id(request), notification_id=notification_id
    )


class DigestIn(Schema):
    frequency: Literal["off", "daily", "weekly"]


class DigestOut(Schema):
    frequency: Literal["off", "daily", "weekly"]


@router.get(
    "/notifications/digest",
    auth=jwt_auth,
    response={200: DigestOut, 401: ErrorOut, 403: ErrorOut},
)
def notification_digest_detail(request: HttpRequest) -> Any:
    """How often the chosen profile's unread notifications are emailed (``off`` by default)."""
    return {"frequency": selectors.digest_frequency(profile_id=chosen_profile_id(request))}


@router.put(
    "/notifications/digest",
    auth=account_auth,
    response={200: DigestOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
def notification_digest_update(request: HttpRequest, payload: DigestIn) -> Any:
    """Email the chosen profile's unread notifications to the account's address ``daily``
    or ``weekly``, or not (``off``). It mails the account holder, so a kids profile cannot
    change it (403 ``kids_profile``)."""
    digest = services.digest_set(profile_id=chosen_profile_id(request), frequency=payload.frequency)
    return {"frequency": digest.frequency}
