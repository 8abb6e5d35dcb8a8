from __future__ import annotations

import pytest
from django.core import mail
from django_q.models import Schedule

from streamflix_core import tasks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("setting", "path", "body"),
    [
        ("LOGIN_THROTTLE_RATE", "/api/auth/login", {"email": "a@example.com", "password": "x"}),
        ("REGISTER_THROTTLE_RATE", "/api/auth/register", {"email": "bad"}),
        ("PASSWORD_RESET_THROTTLE_RATE", "/api/auth/password/reset", {"email": "a@example.com"}),
        ("ACTIVATION_THROTTLE_RATE", "/api/auth/activate", {"uid": "x", "token": "y"}),
        ("ACTIVATION_THROTTLE_RATE", "/api/auth/activation/resend", {"email": "a@example.com"}),
    ],
)
def test_sensitive_endpoints_are_throttled(api, settings, setting, path, body):
    settings.STREAMFLIX_CORE = {setting: "2/min"}
    statuses = [api.post(path, body).status_code for _ in range(3)]
    assert 429 not in statuses[:2] and statuses[2] == 429
    response = api.post(path, body)
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_a_throttle_can_be_turned_off(api, settings):
    settings.STREAMFLIX_CORE = {"LOGIN_THROTTLE_RATE": None}
    body = {"email": "a@example.com", "password": "x"}
    assert {api.post("/api/auth/login", body).status_code for _ in range(15)} == {401}


def test_a_failed_email_is_retried_later(settings):
    settings.EMAIL_BACKEND = "tests.test_throttles_and_emails.BrokenBackend"
    tasks.send_account_email("a@example.com", "Hi", "Body", 1)
    retry = Schedule.objects.get()
    assert retry.func == "streamflix_core.tasks.send_account_email"
    assert retry.schedule_type == Schedule.ONCE
    with pytest.raises(ConnectionError):
        tasks.send_account_email("a@example.com", "Hi", "Body", 3)
    assert Schedule.objects.count() == 1


def test_an_email_task_sends_the_mail():
    tasks.send_account_email("a@example.com", "Hi", "Body")
    assert [(m.to, m.subject) for m in mail.outbox] == [(["a@example.com"], "Hi")]


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP is down")
