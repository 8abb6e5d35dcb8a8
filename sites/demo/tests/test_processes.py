"""Everything that must agree across processes, checked with a real gunicorn running two
workers (plus management commands in separate processes) over a fresh data directory:
the embedded SQLite database and cache by default, PostgreSQL and Redis when
``DATABASE_URL`` / ``REDIS_URL`` are set."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from streamflix_core.testing.net import ServerDidNotStart, free_port, stop, wait_until

from .run_demo import manage
from .worker_pid import HEADER

DEMO = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"
LOGIN_LIMIT = 10  # core's default LOGIN_THROTTLE_RATE, "10/min"
VISIBLE_WITHIN = 1.0

SEED = """
from streamflix_core.models import User
from streamflix_core.services.tokens import tokens_issue
from streamflix_media.models import Title
from streamflix_media import services

from django.contrib.auth.models import Permission

staff = User.objects.create_user(email="staff@example.com", password="pw-staff-1234",
                                 is_staff=True, is_active=True)
# Enough for the admin's title list and its publish/unpublish actions.
staff.user_permissions.add(Permission.objects.get(
    content_type__app_label="streamflix_media", codename="change_title"))
for name in ("Zephyr Lighthouse", "Quokka Parade"):
    services.title_publish(title=services.title_create(data={"name": name, "year": 2001}))
print(tokens_issue(user=staff).access)
"""

REPUBLISH = """
from streamflix_media.models import Title
from streamflix_media import services

services.title_publish(title=Title.objects.get(slug="zephyr-lighthouse"))
"""


@dataclass
class Answer:
    started: float
    status: int
    worker: str
    body: Any


@dataclass
class Site:
    base: str
    env: dict[str, str]
    staff_token: str

    def request(self, method: str, path: str, body: Any = None, token: str = "") -> Answer:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data, headers, method=method)  # noqa: S310
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, headers_in, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers_in, raw = error.code, error.headers, error.read()
        parsed = json.loads(raw) if raw.startswith((b"{", b"[")) else raw
        return Answer(started, status, headers_in.get(HEADER, ""), parsed)

    def many(self, method: str, path: str, count: int, body: Any = None) -> list[Answer]:
        # Concurrent requests on separate connections, so both workers accept some.
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(lambda _: self.request(method, path, body), range(count)))


@pytest.fixture(scope="module")
def fresh_database_url() -> Iterator[str | None]:
    """With ``DATABASE_URL`` set, a new PostgreSQL database for these processes only."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield None
        return
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_procs_{os.getpid()}"
    admin = {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(**admin) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, fresh_database_url: str | None
) -> Iterator[Site]:
    """A fresh demo (migrated, two published titles, a staff user) under gunicorn -w 2."""
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.process_settings",
        "DJANGO_SECRET_KEY": "streamflix-process-tests",
        "STREAMFLIX_DATA_DIR": str(tmp_path_factory.mktemp("site")),
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(DEMO), os.environ.get("PYTHONPATH", "")]),
    }
    if fresh_database_url:
        env["DATABASE_URL"] = fresh_database_url
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
        env["STREAMFLIX_TEST_CACHE_PREFIX"] = f"streamflix-procs-{secrets.token_hex(4)}"
    migrated = manage("migrate", "--noinput", env=env)
    assert migrated.returncode == 0, migrated.stderr
    seeded = manage("shell", "--no-imports", "-c", SEED, env=env)
    assert seeded.returncode == 0, seeded.stderr
    token = seeded.stdout.strip().splitlines()[-1]

    port = free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "streamflix_demo.wsgi:application"],
        env={**_inherited_env(), **env},
        cwd=DEMO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    site = Site(f"http://127.0.0.1:{port}", env, token)
    try:
        _wait_until_ready(site, server)
        yield site
    finally:
        stop(server, timeout=20)


def _inherited_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "STREAMFLIX_", "DATABASE_URL", "REDIS_URL"))
    }


def _wait_until_ready(site: Site, server: subprocess.Popen) -> None:
    try:
        wait_until(
            lambda: site.request("GET", "/api/plugins").status == 200,
            server,
            timeout=90,
            name="gunicorn",
        )
    except ServerDidNotStart as error:
        pytest.fail(f"{error}: {server.stderr.read() if server.poll() is not None else ''}")


class AdminSession:
    """A browser-like session in the Django admin: cookies kept, CSRF token sent back."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def _csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.site.base + path, timeout=30) as response:
            return response.status, response.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self._csrf()}).encode()
        url = self.site.base + path  # always the test's own http://127.0.0.1 server
        request = urllib.request.Request(url, data, {"Referer": url}, method="POST")  # noqa: S310
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.geturl(), response.read().decode()

    def sign_in(self, email: str, password: str) -> None:
        self.get("/admin/login/")
        _, landed, page = self.post(
            "/admin/login/?next=/admin/",
            {"username": email, "password": password, "next": "/admin/"},
        )
        assert urllib.parse.urlsplit(landed).path == "/admin/", page[:500]

    def title_action(self, action: str, search: str) -> None:
        changelist = "/admin/streamflix_media/title/"
        _, page = self.get(changelist + "?" + urllib.parse.urlencode({"q": search}))
        selected = re.findall(r'name="_selected_action"\s+value="(\d+)"', page)
        assert len(selected) == 1, selected
        status, _, page = self.post(
            changelist, {"action": action, "_selected_action": selected[0], "index": "0"}
        )
        assert status == 200 and "1 title(s)" in page, page[:500]


def _shows_zephyr(answer: Answer) -> bool:
    assert answer.status == 200, answer.body
    if "results" in answer.body:
        return any(hit["slug"] == "zephyr-lighthouse" for hit in answer.body["results"])
    return any(item["slug"] == "zephyr-lighthouse" for item in answer.body["items"])


READS = ["/api/media/search?q=zephir%20lighthouse", "/api/media/titles?page_size=50"]


def _every_worker_agrees(site: Site, written_at: float, *, visible: bool) -> dict[str, float]:
    """Poll both reads on both workers until each worker has answered several times more
    than VISIBLE_WITHIN after the write; every answer from then on must show the write.
    Returns, per worker, how long after the write its first right answer was asked for."""
    first_right: dict[str, float] = {}
    late: dict[str, int] = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answers = [a for path in READS for a in site.many("GET", path, 4)]
        for answer in answers:
            right = _shows_zephyr(answer) == visible
            since = answer.started - written_at
            if right:
                first_right.setdefault(answer.worker, since)
            if since >= VISIBLE_WITHIN:
                assert right, f"worker {answer.worker} is still stale {since:.2f} s after"
                late[answer.worker] = late.get(answer.worker, 0) + 1
        if len(late) >= 2 and min(late.values()) >= 3:
            return first_right
    pytest.fail(f"two workers did not both answer after the write (late answers: {late})")


def test_a_write_shows_in_every_worker_within_a_second(site: Site) -> None:
    # Both workers build their search index and the list page gets cached first, so a
    # stale copy exists in each process before the write.
    # A worker that is still importing the site answers nothing yet: wait for both.
    seen: set[str] = set()
    deadline = time.monotonic() + 30
    while len(seen) < 2 and time.monotonic() < deadline:
        answers = [a for path in READS for a in site.many("GET", path, 4)]
        assert all(_shows_zephyr(a) for a in answers)
        seen |= {a.worker for a in answers}
        if len(seen) < 2:
            time.sleep(0.2)
    assert len(seen) == 2, "every request went to one worker for 30 s"

    # A write through the API, served by one of the workers.
    written = site.request(
        "POST", "/api/media/titles/zephyr-lighthouse/unpublish", {}, token=site.staff_token
    )
    assert written.status == 200, written.body
    lag = _every_worker_agrees(site, time.monotonic(), visible=False)
    assert set(lag) == seen and max(lag.values()) < VISIBLE_WITHIN, lag

    # A write from another process entirely (a management command using the ORM).
    republished = manage("shell", "--no-imports", "-c", REPUBLISH, env=site.env)
    assert republished.returncode == 0, republished.stderr
    lag = _every_worker_agrees(site, time.monotonic(), visible=True)
    assert set(lag) == seen and max(lag.values()) < VISIBLE_WITHIN, lag

    # A write through the Django admin (a staff session, the title list's actions).
    admin = AdminSession(site)
    admin.sign_in("staff@example.com", "pw-staff-1234")
    admin.title_action("unpublish_selected", "Zephyr Lighthouse")
    lag = _every_worker_agrees(site, time.monotonic(), visible=False)
    assert set(lag) == seen and max(lag.values()) < VISIBLE_WITHIN, lag
    admin.title_action("publish_selected", "Zephyr Lighthouse")
    lag = _every_worker_agrees(site, time.monotonic(), visible=True)
    assert set(lag) == seen and max(lag.values()) < VISIBLE_WITHIN, lag


def test_wrong_logins_spread_over_workers_share_one_throttle(site: Site) -> None:
    body = {"email": "nobody@example.com", "password": "not-the-password"}
    answers = site.many("POST", "/api/auth/login", 30, body)
    statuses = [a.status for a in answers]
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) == LOGIN_LIMIT, statuses
    assert len({a.worker for a in answers}) == 2, "every login went to one worker"
    refused = next(a for a in answers if a.status == 429)
    assert refused.body["code"] == "throttled"


GROWN_UP = """
from streamflix_core.models import Profile, User
from streamflix_core.services.tokens import tokens_issue
from streamflix_media import services

user = User.objects.create_user(email="grown@example.com", password="pw-grown-1234",
                                is_active=True, email_verified=True)
profile = Profile.objects.create(user=user, name="Grown", maturity_limit=18, is_default=True)
services.title_publish(title=services.title_create(
    data={"name": "Velvet Midnight", "year": 2003, "maturity_rating": 18}))
print(profile.pk, tokens_issue(user=user, profile_id=profile.pk).access)
"""


def _lists_velvet(site: Site, token: str, count: int) -> list[tuple[str, bool]]:
    """(worker, whether the 18+ title is listed) for ``count`` concurrent signed-in reads."""

    def one(_: int) -> tuple[str, bool]:
        answer = site.request("GET", "/api/media/titles?page_size=50", token=token)
        assert answer.status == 200, answer.body
        return answer.worker, any(i["slug"] == "velvet-midnight" for i in answer.body["items"])

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, range(count)))


def test_a_lowered_maturity_limit_applies_at_once_in_every_worker(site: Site) -> None:
    # Signed-in reads take the account from the shared cache (no user or profile query):
    # a change made through one worker must reach the other at its next request.
    seeded = manage("shell", "--no-imports", "-c", GROWN_UP, env=site.env)
    assert seeded.returncode == 0, seeded.stderr
    profile_id, token = seeded.stdout.split()[-2:]
    workers: set[str] = set()
    deadline = time.monotonic() + 30
    while len(workers) < 2 and time.monotonic() < deadline:
        answers = _lists_velvet(site, token, 8)
        assert all(listed for _, listed in answers)
        workers |= {worker for worker, _ in answers}
    assert len(workers) == 2, "every request went to one worker for 30 s"

    lowered = site.request(
        "PATCH",
        f"/api/profiles/{profile_id}",
        {"maturity_limit": 13, "password": "pw-grown-1234"},
        token=token,
    )
    assert lowered.status == 200, lowered.body

    answers = _lists_velvet(site, token, 12)
    assert {worker for worker, _ in answers} == workers
    assert not any(listed for _, listed in answers), answers
