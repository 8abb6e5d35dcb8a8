"""Email digests of unread notifications: the profile's choice and the scheduled run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from streamflix_social.models import Notification, NotificationDigest
from streamflix_social.services import digests_send, notifications_create
from streamflix_social.tasks import send_notification_digests

URL = "/api/social/notifications/digest"


def test_the_digest_is_off_until_chosen(make_viewer):
    _, _, client = make_viewer()
    assert client.get(URL).json() == {"frequency": "off"}
    assert client.put(URL, {"frequency": "weekly"}).json() == {"frequency": "weekly"}
    assert client.get(URL).json() == {"frequency": "weekly"}


@pytest.mark.parametrize("body", [{"frequency": "hourly"}, {}, {"frequency": None}])
def test_a_bad_frequency_is_422_and_changes_nothing(make_viewer, body):
    _, _, client = make_viewer()
    assert client.put(URL, body).status_code == 422
    assert not NotificationDigest.objects.exists()


def test_a_kids_profile_cannot_mail_the_account(make_viewer, api):
    _, _, kid = make_viewer(name="Kid", is_kids=True, maturity_limit=7)
    refused = kid.put(URL, {"frequency": "daily"})
    assert refused.status_code == 403 and refused.json()["code"] == "kids_profile"
    assert api.put(URL, {"frequency": "daily"}).status_code == 401


def _due(profile, frequency="daily", days=2):
    return NotificationDigest.objects.create(
        profile=profile,
        frequency=frequency,
        sent_up_to=timezone.now() - dt.timedelta(days=days),
    )


def test_a_due_digest_mails_the_unread_notifications_once(
    make_viewer, django_capture_on_commit_callbacks
):
    user, profile, _ = make_viewer("digest@example.com")
    _due(profile)
    notifications_create(
        profile_ids=[profile.pk], kind=Notification.Kind.NEW_EPISODE,
        data={"title_name": "Harbor", "season_number": 1, "episode_number": 2,
              "episode_name": "Tide"},
    )  # fmt: skip
    read = notifications_create(profile_ids=[profile.pk], kind=Notification.Kind.COMMENT_REPLY)
    Notification.objects.filter(pk=read[0].pk).update(read_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert send_notification_digests() == 1
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert "New episode of Harbor: S1E2 Tide" in message.body
    assert "replied" not in message.body  # read ones are not mailed
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send() == 0  # not due again yet
    assert len(mail.outbox) == 1


def test_nothing_unread_sends_nothing_and_off_or_not_due_are_skipped(make_viewer):
    _, quiet, _ = make_viewer("quiet@example.com")
    _, off, _ = make_viewer("off@example.com")
    _, weekly, _ = make_viewer("weekly@example.com")
    _due(quiet)
    _due(off, frequency="off")
    _due(weekly, frequency="weekly", days=3)
    for profile in (off, weekly):
        notifications_create(profile_ids=[profile.pk], kind=Notification.Kind.COMMENT_REPLY)
    assert digests_send() == 0
    assert NotificationDigest.objects.get(profile=quiet).sent_up_to > timezone.now() - dt.timedelta(
        minutes=1
    )


def test_switching_the_digest_on_starts_from_now(make_viewer):
    _, profile, client = make_viewer()
    notifications_create(profile_ids=[profile.pk], kind=Notification.Kind.COMMENT_REPLY)
    client.put(URL, {"frequency": "daily"})
    later = timezone.now() + dt.timedelta(days=2)
    assert digests_send(now=later) == 0
