"""The social API: one-time WebSocket tickets."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from streamflix_core.api.errors import ErrorOut
from streamflix_core.auth import jwt_auth
from streamflix_core.viewer import current_viewer, require_profile

from .. import services

router = Router()


class TicketOut(Schema):
    ticket: str = Field(description="Open a socket with `?ticket=<ticket>`; it works once.")
    expires_in: int = Field(description="Seconds the ticket stays valid.")


def chosen_profile_id(request: HttpRequest) -> int:
    """The profile the request watches as; 403 ``profile_required`` when none is chosen."""
    return int(require_profile(current_viewer(request)).pk)


@router.post(
    "/ws-ticket",
    auth=jwt_auth,
    response={200: TicketOut, 401: ErrorOut, 403: ErrorOut},
    summary="A one-time ticket for opening a WebSocket",
)
def ws_ticket_create(request: HttpRequest) -> TicketOut:
    """A ticket for `/ws/social/titles/<slug>/` or `/ws/social/notifications/`, bound to
    the signed-in user and chosen profile, valid once for `WS_TICKET_SECONDS`."""
    issued = services.ws_ticket_issue(
        user_id=request.user.pk, profile_id=chosen_profile_id(request)
    )
    return TicketOut(ticket=issued.ticket, expires_in=issued.expires_in)
