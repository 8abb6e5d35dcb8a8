from __future__ import annotations

import ast

import pytest
from django.core import mail
from django_q.models import Schedule, Task

from streamflix_core import emails, tasks
from streamflix_core.models import User
from tests.conftest import STRONG, last_mail_to, link_parts

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


PLAIN = {"kind": "plain", "to": "a@example.com", "subject": "Hi", "body": "Body"}


def test_a_failed_email_is_retried_later(settings):
    settings.EMAIL_BACKEND = "tests.test_throttles_and_emails.BrokenBackend"
    tasks.send_email(PLAIN, 1)
    retry = Schedule.objects.get()
    assert retry.func == "streamflix_core.tasks.send_email"
    assert retry.schedule_type == Schedule.ONCE
    with pytest.raises(ConnectionError):
        tasks.send_email(PLAIN, 3)
    assert Schedule.objects.count() == 1


def test_an_email_task_sends_the_mail():
    tasks.send_email(PLAIN)
    assert [(m.to, m.subject) for m in mail.outbox] == [(["a@example.com"], "Hi")]


def test_queue_email_sends_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        emails.queue_email(to="b@example.com", subject="Your gift", body="Enjoy.")
        assert mail.outbox == []
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["b@example.com"], "Your gift", "Enjoy.")
    ]


def _stored_task_data() -> str:
    rows = [repr((t.func, t.args, t.kwargs)) for t in Task.objects.all()]
    rows += [repr((s.func, s.args, s.kwargs)) for s in Schedule.objects.all()]
    return "\n".join(rows)


def test_account_email_tasks_carry_no_token(api, settings):
    settings.EMAIL_BACKEND = "tests.test_throttles_and_emails.RecordingBrokenBackend"
    RecordingBrokenBackend.sent.clear()
    body = {"email": "new@example.com", "password": STRONG, "password_confirm": STRONG}
    assert api.post("/api/auth/register", body).status_code == 201
    User.objects.filter(email="new@example.com").update(is_active=True, email_verified=True)
    api.post("/api/auth/password/reset", {"email": "new@example.com"})
    # Both sends failed, so both emails wait as retry schedules holding their arguments.
    specs = [ast.literal_eval(s.args)[0] for s in Schedule.objects.order_by("id")]
    assert specs == [
        {"kind": "activation", "user_id": User.objects.get().pk},
        {"kind": "password_reset", "address": "new@example.com"},
    ]
    assert len(RecordingBrokenBackend.sent) == 2
    stored = _stored_task_data()
    for message in RecordingBrokenBackend.sent:
        _, token = link_parts(message)
        assert token not in stored
        assert message.body not in stored


def test_an_account_email_is_built_when_the_task_runs(make_user):
    user = make_user(email="c@example.com", is_active=False)
    tasks.send_email({"kind": "activation", "user_id": user.pk})
    _, token = link_parts(last_mail_to("c@example.com"))
    assert emails.activation_tokens.check_token(user, token)
    tasks.send_email({"kind": "password_reset", "user_id": 999_999})
    assert len(mail.outbox) == 1


def test_an_email_change_link_goes_to_the_new_address_until_it_is_the_current_one(make_user):
    user = make_user(email="d@example.com", email_verified=True)
    for address in ("d@example.com", "e@example.com"):
        tasks.send_email(emails.account_email_spec(user=user, kind="email_change", address=address))
    assert [m.to for m in mail.outbox] == [["e@example.com"]]
    assert "confirm-email?token=" in mail.outbox[0].body


def test_an_email_change_task_sends_nothing_once_the_password_changed(make_user):
    user = make_user(email="d@example.com", email_verified=True)
    spec = emails.account_email_spec(user=user, kind="email_change", address="e@example.com")
    assert set(spec) == {"kind", "user_id", "address", "from", "pw"}
    user.set_password("another-horse-10")
    user.save()
    # A late run (say, a retry after the owner reacted to the warning) builds no link.
    tasks.send_email(spec)
    assert mail.outbox == []


def test_a_password_reset_task_needs_an_active_account_with_a_verified_email(make_user):
    make_user(email="v@example.com", email_verified=True)
    make_user(email="u@example.com", email_verified=False)
    make_user(email="i@example.com", email_verified=True, is_active=False)
    for address in ("u@example.com", "i@example.com", "ghost@example.com", "V@example.com"):
        tasks.send_email({"kind": "password_reset", "address": address})
    assert [m.to for m in mail.outbox] == [["v@example.com"]]


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP is down")


def test_rotating_x_forwarded_for_does_not_escape_the_login_throttle(api, settings):
    settings.STREAMFLIX_CORE = {"LOGIN_THROTTLE_RATE": "2/min"}
    body = {"email": "a@example.com", "password": "x"}
    statuses = [
        api.post("/api/auth/login", body, headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 429, 429]


def test_with_trusted_proxies_the_proxy_written_address_is_the_client(api, settings):
    settings.STREAMFLIX_CORE = {"LOGIN_THROTTLE_RATE": "2/min", "NUM_PROXIES": 1}
    body = {"email": "a@example.com", "password": "x"}

    def login(forwarded):
        return api.post("/api/auth/login", body, headers={"X-Forwarded-For": forwarded})

    # The client-written part (left of the proxy's entry) does not change the identity.
    assert [login(f"1.1.1.{n}, 203.0.113.7").status_code for n in range(3)] == [401, 401, 429]
    assert login("203.0.113.8").status_code == 401


class RecordingBrokenBackend:
    """Records what would be sent, then fails (so a retry is scheduled)."""

    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        type(self).sent.extend(messages)
        raise ConnectionError("SMTP is down")


class _Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    import time

    fake = _Clock()
    monkeypatch.setattr(time, "time", fake)
    return fake


def test_window_hit_counts_hits_in_one_window():
    from django.core.cache import cache

    from streamflix_core.throttles import window_hit

    assert [window_hit(cache, "t:count", seconds=60) for _ in range(4)] == [1, 2, 3, 4]
    assert window_hit(cache, "t:other", seconds=60) == 1


def test_window_hit_starts_over_once_the_window_is_gone():
    from django.core.cache import cache

    from streamflix_core.throttles import window_hit

    window_hit(cache, "t:gone", seconds=60)
    window_hit(cache, "t:gone", seconds=60)
    cache.delete("t:gone")  # what expiry does, in every backend
    assert window_hit(cache, "t:gone", seconds=60) == 1


def test_window_remaining_shrinks_as_the_window_runs(clock):
    from django.core.cache import cache

    from streamflix_core.throttles import window_hit, window_remaining

    assert window_remaining(cache, "t:rem", seconds=60) == 60.0  # no window yet
    window_hit(cache, "t:rem", seconds=60)
    assert window_remaining(cache, "t:rem", seconds=60) == 60.0
    clock.now += 45
    assert window_remaining(cache, "t:rem", seconds=60) == 15.0


def test_retry_after_is_what_is_left_of_the_window(api, settings, clock):
    settings.STREAMFLIX_CORE = {"LOGIN_THROTTLE_RATE": "2/min"}
    body = {"email": "a@example.com", "password": "x"}
    assert [api.post("/api/auth/login", body).status_code for _ in range(2)] == [401, 401]
    clock.now += 50
    refused = api.post("/api/auth/login", body)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) == 10


def test_retry_after_is_at_least_one_second_and_never_above_the_window(api, settings, clock):
    settings.STREAMFLIX_CORE = {"LOGIN_THROTTLE_RATE": "1/min"}
    body = {"email": "a@example.com", "password": "x"}
    assert api.post("/api/auth/login", body).status_code == 401
    refused_at_once = api.post("/api/auth/login", body)
    assert refused_at_once.status_code == 429
    assert int(refused_at_once["Retry-After"]) == 60
    clock.now += 59.99
    assert int(api.post("/api/auth/login", body)["Retry-After"]) == 1
