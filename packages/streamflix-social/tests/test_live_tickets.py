"""``POST /api/social/ws-ticket`` and the ticket service."""

from __future__ import annotations

import time

from streamflix_social.services.tickets import ws_ticket_issue, ws_ticket_redeem

URL = "/api/social/ws-ticket"


def test_a_viewer_gets_a_ticket_bound_to_user_and_profile(make_viewer):
    user, profile, api = make_viewer()
    response = api.post(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["expires_in"] == 30
    bound = ws_ticket_redeem(ticket=body["ticket"])
    assert (bound.user_id, bound.profile_id) == (str(user.pk), profile.pk)


def test_a_ticket_works_once(make_viewer):
    user, profile, _ = make_viewer()
    issued = ws_ticket_issue(user_id=user.pk, profile_id=profile.pk)
    assert ws_ticket_redeem(ticket=issued.ticket) is not None
    assert ws_ticket_redeem(ticket=issued.ticket) is None


def test_forged_and_oversized_tickets_are_refused(db):
    assert ws_ticket_redeem(ticket="forged") is None
    assert ws_ticket_redeem(ticket="") is None
    assert ws_ticket_redeem(ticket="x" * 10_000) is None


def test_a_ticket_expires(make_viewer, settings):
    settings.STREAMFLIX_SOCIAL = {"WS_TICKET_SECONDS": 1}
    user, profile, _ = make_viewer()
    issued = ws_ticket_issue(user_id=user.pk, profile_id=profile.pk)
    assert issued.expires_in == 1
    time.sleep(1.2)
    assert ws_ticket_redeem(ticket=issued.ticket) is None


def test_anonymous_gets_401(api):
    response = api.post(URL)
    assert response.status_code == 401
    assert response.json()["code"]


def test_a_session_without_a_chosen_profile_gets_403(make_user, make_profile, api):
    user = make_user()
    make_profile(user, name="Locked", pin_hash="x")
    response = api.as_user(user).post(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "profile_required"
