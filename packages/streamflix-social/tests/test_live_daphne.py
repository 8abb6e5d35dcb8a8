"""A real daphne serving the live sockets.

- A comment posted over REST by one viewer reaches another viewer's socket (daphne serves
  both; the site's default in-memory channel layer is enough within one process).
- With ``REDIS_URL``: a ticket from daphne's REST API and one issued by another process both
  open a room, and a comment signal sent from a third process reaches both sockets through
  channels-redis (the in-memory layer cannot carry an event from one process to another).

The processes share a SQLite file of their own (whatever ``DATABASE_URL`` says) and one cache
and channel-layer prefix.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import urllib.request
import uuid
from pathlib import Path

import pytest

from streamflix_core.testing.net import free_port, stop, wait_until_listening

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs REDIS_URL: only channels-redis carries events between processes",
)

PACKAGE = Path(__file__).resolve().parent.parent

SETTINGS = """
import os
from tests.settings import *  # noqa: F403

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["LIVE_DB"]}}
CACHES["default"]["KEY_PREFIX"] = os.environ["LIVE_PREFIX"]  # noqa: F405
if "CONFIG" in CHANNEL_LAYERS["default"]:  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = os.environ["LIVE_PREFIX"]  # noqa: F405
"""

SEED = """
import json
from django.contrib.auth import get_user_model
from django.utils import timezone
from streamflix_core.models import Profile
from streamflix_core.testing.api_client import bearer_token
from streamflix_media.models import Title
from streamflix_social.services.tickets import ws_ticket_issue

title = Title.objects.create(
    name="Dune", slug="dune", status="published", published_at=timezone.now()
)
people = []
for email in ("alice@example.com", "bob@example.com"):
    user = get_user_model().objects.create_user(email=email, password="correct-horse-9")
    people.append((user, Profile.objects.create(user=user, name="Me", is_default=True)))
(alice, alice_profile), (bob, bob_profile) = people
print(json.dumps({
    "title_id": title.pk,
    "alice_profile": alice_profile.pk,
    "alice_token": bearer_token(alice, alice_profile),
    "bob_token": bearer_token(bob, bob_profile),
    "bob_ticket": ws_ticket_issue(user_id=bob.pk, profile_id=bob_profile.pk).ticket,
}))
"""

SEND = """
from streamflix_social.signals import comment_posted
comment_posted.send(
    sender=None, comment_id=41, title_id={title_id}, parent_id=None, profile_id={profile_id}
)
"""


@pytest.fixture
def live_env(tmp_path):
    (tmp_path / "live_daphne_settings.py").write_text(SETTINGS)
    paths = [str(tmp_path), str(PACKAGE), os.environ.get("PYTHONPATH", "")]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in paths if p),
        "DJANGO_SETTINGS_MODULE": "live_daphne_settings",
        "LIVE_DB": str(tmp_path / "db.sqlite3"),
        "LIVE_PREFIX": f"live-daphne-{uuid.uuid4().hex}",
    }
    env.pop("DATABASE_URL", None)
    return env


def django(env, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _post(port: int, path: str, token: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)


def _daphne(env, tmp_path) -> tuple[subprocess.Popen, int, object]:
    port = free_port()
    log = (tmp_path / "daphne.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "streamflix_core.testing.asgi:application"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_until_listening(port, server, name="daphne")
    return server, port, log


def test_a_comment_posted_over_rest_reaches_another_viewers_socket(live_env, tmp_path):
    from websockets.sync.client import connect

    django(live_env, "migrate", "--no-input")
    seed = json.loads(django(live_env, "shell", "-c", SEED).strip().splitlines()[-1])
    server, port, log = _daphne(live_env, tmp_path)
    try:
        bob_ticket = _post(port, "/api/social/ws-ticket", seed["bob_token"], {})["ticket"]
        with connect(f"ws://127.0.0.1:{port}/ws/social/titles/dune/?ticket={bob_ticket}") as bob:
            bob.send(json.dumps({"type": "ping"}))
            assert json.loads(bob.recv(timeout=10)) == {"type": "pong"}
            posted = _post(
                port, "/api/social/titles/dune/comments", seed["alice_token"], {"text": "Spice!"}
            )
            event = json.loads(bob.recv(timeout=10))
        assert event["type"] == "comment.posted"
        assert event["comment_id"] == posted["id"]
        assert event["profile_id"] == seed["alice_profile"]
    finally:
        stop(server)
        log.close()


@needs_redis
def test_a_comment_from_another_process_reaches_two_sockets_on_daphne(live_env, tmp_path):
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    django(live_env, "migrate", "--no-input")
    seed = json.loads(django(live_env, "shell", "-c", SEED).strip().splitlines()[-1])
    port = free_port()
    log = (tmp_path / "daphne.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "streamflix_core.testing.asgi:application",
        ],
        env=live_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_listening(port, server, name="daphne")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/social/ws-ticket",
            data=b"{}",
            method="POST",
            headers={
                "Authorization": f"Bearer {seed['alice_token']}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            alice_ticket = json.load(response)["ticket"]

        base = f"ws://127.0.0.1:{port}/ws/social/titles/dune/?ticket="
        with connect(base + alice_ticket) as alice, connect(base + seed["bob_ticket"]) as bob:
            for socket in (alice, bob):
                socket.send(json.dumps({"type": "ping"}))
                assert json.loads(socket.recv(timeout=10)) == {"type": "pong"}
            snippet = SEND.format(title_id=seed["title_id"], profile_id=seed["alice_profile"])
            django(live_env, "shell", "-c", textwrap.dedent(snippet))
            for socket in (alice, bob):
                event = json.loads(socket.recv(timeout=10))
                assert event["type"] == "comment.posted"
                assert event["comment_id"] == 41

        with connect(base + alice_ticket) as reused, pytest.raises(ConnectionClosed) as closed:
            reused.recv(timeout=10)
        assert closed.value.rcvd.code == 4401
    finally:
        stop(server)
        log.close()
