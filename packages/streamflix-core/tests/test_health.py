"""``GET /api/health`` against parts that are really broken: a SQLite file another connection
holds locked, a read-only database, an unreachable server, a broker that cannot take a task,
a check that hangs."""

import sqlite3
import threading
import time
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django_q.conf import Conf
from django_q.models import OrmQ

from streamflix_core import health

# Every health test lets the checks' own threads open their own connections: no test
# transaction may hold the (shared in-memory SQLite) database's write lock meanwhile.
pytestmark = pytest.mark.django_db(transaction=True)

PART_NAMES = ["database", "cache", "task_broker", "task_worker", "storage"]


@pytest.fixture
def client():
    return Client()


@pytest.fixture(autouse=True)
def _roomy_deadline(settings):
    # Two cores shared with other test runs: a healthy part must not miss the deadline by
    # a cold start. Tests about the deadline set their own.
    settings.STREAMFLIX_CORE = {"HEALTH_CHECK_TIMEOUT_SECONDS": 10.0}


@contextmanager
def extra_database(settings_dict, *, tables=()):
    """A second database alias ("probe") the health check will find, for this block only."""
    configured = connections.configure_settings(
        {"default": connections["default"].settings_dict, "probe": settings_dict}
    )["probe"]
    connections.settings["probe"] = configured
    # The test case refuses connections to aliases the test did not declare (and pytest-django
    # to any outside a database test); this alias exists only inside the block, so it may
    # connect the way Django's own ensure_connection does.
    guarded = BaseDatabaseWrapper.ensure_connection

    def ensure_connection(wrapper):
        if wrapper.alias != "probe":
            return guarded(wrapper)
        if wrapper.connection is None:
            with wrapper.wrap_database_errors:
                wrapper.connect()
        return None

    patch = mock.patch.object(BaseDatabaseWrapper, "ensure_connection", ensure_connection)
    patch.start()
    try:
        if tables:
            with connections["probe"].schema_editor() as editor:
                for model in tables:
                    editor.create_model(model)
            connections["probe"].close()
        yield configured
    finally:
        if hasattr(connections._connections, "probe"):
            connections["probe"].close()
            del connections["probe"]
        del connections.settings["probe"]
        patch.stop()


def vendor():
    return connections["default"].vendor


def sqlite_file(tmp_path, *, mode=""):
    path = tmp_path / "probe.sqlite3"
    suffix = f"?mode={mode}" if mode else ""
    return path, {"ENGINE": "django.db.backends.sqlite3", "NAME": f"file:{path}{suffix}"}


def postgres_alias(**options):
    main = connections["default"].settings_dict
    keys = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")
    return {**{key: main[key] for key in keys}, "OPTIONS": options}


@contextmanager
def database_with_tables_locked_by_another_connection(tmp_path, tables):
    """A database (alias "probe") holding ``tables`` that another connection keeps locked for
    writing: on SQLite the whole file (``BEGIN IMMEDIATE`` takes its write lock), on
    PostgreSQL the tables themselves (the alias is the test database)."""
    if vendor() == "sqlite":
        path, settings_dict = sqlite_file(tmp_path)
        with extra_database(settings_dict, tables=tables) as configured:
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            try:
                yield configured
            finally:
                holder.execute("ROLLBACK")
                holder.close()
    else:
        import psycopg

        main = connections["default"].settings_dict
        holder = psycopg.connect(
            dbname=main["NAME"],
            user=main["USER"],
            password=main["PASSWORD"],
            host=main["HOST"],
            port=main["PORT"] or 5432,
        )
        with extra_database(postgres_alias()) as configured:
            for model in tables:
                holder.execute(f"LOCK TABLE {model._meta.db_table} IN ACCESS EXCLUSIVE MODE")
            try:
                yield configured
            finally:
                holder.rollback()
                holder.close()


def read_only_database(tmp_path):
    """A database alias ("probe") that answers reads and refuses writes."""
    if vendor() == "sqlite":
        path, _ = sqlite_file(tmp_path)
        sqlite3.connect(path).close()
        with extra_database({"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}):
            MigrationRecorder(connections["probe"]).ensure_schema()
        return sqlite_file(tmp_path, mode="ro")[1]
    return postgres_alias(options="-c default_transaction_read_only=on")


def part(body, name):
    return next(p for p in body["parts"] if p["name"] == name)


def publish_worker_status(status=Conf.IDLE):
    """What a running django-q2 cluster's sentinel publishes every half second."""
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage
    from django_q.status import Stat, Status

    stat = Status(pid=4242, cluster_id="health-test-cluster")
    stat.status = status
    get_broker().set_stat(Stat.get_key(stat.cluster_id), SignedPackage.dumps(stat, True), 3)


def test_working_parts_without_a_worker_answer_200_degraded(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["failed"] == [] and body["degraded"] == ["task_worker"]
    assert [p["name"] for p in body["parts"]] == PART_NAMES
    worker = part(body, "task_worker")
    assert worker["ok"] is False and worker["critical"] is False
    assert all(p["ok"] and p["error"] is None for p in body["parts"] if p["name"] != "task_worker")


def test_a_worker_seen_recently_makes_every_part_ok(client):
    publish_worker_status()
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body == {**body, "status": "ok", "failed": [], "degraded": []}
    assert all(p["ok"] for p in body["parts"])


def test_a_stopped_worker_is_not_counted(client):
    publish_worker_status(Conf.STOPPED)
    body = client.get("/api/health").json()
    assert body["degraded"] == ["task_worker"]


def test_health_check_writes_nothing_that_stays(client):
    migrations_before = MigrationRecorder.Migration.objects.count()
    queued_before = OrmQ.objects.count()
    client.get("/api/health")
    assert MigrationRecorder.Migration.objects.count() == migrations_before
    assert OrmQ.objects.count() == queued_before


def test_unreachable_database_is_named(client, tmp_path):
    if vendor() == "sqlite":
        gone = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "no-dir" / "x.db")}
    else:
        gone = {**postgres_alias(connect_timeout=1), "HOST": "127.0.0.1", "PORT": "1"}
    with extra_database(gone):
        response = client.get("/api/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failed"] == ["database"]
    assert part(body, "database") == {**part(body, "database"), "ok": False, "error": "unavailable"}


def test_locked_database_is_named_within_the_deadline(client, tmp_path, settings):
    settings.STREAMFLIX_CORE = {"HEALTH_CHECK_TIMEOUT_SECONDS": 2.0}
    with database_with_tables_locked_by_another_connection(tmp_path, [MigrationRecorder.Migration]):
        started = time.monotonic()
        response = client.get("/api/health")
        elapsed = time.monotonic() - started
        parts = {p.name: p for p in health.run_checks()}
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    # Lock waits are cut to half the check's time, so the write fails before the deadline.
    assert "TimeoutError" not in parts["database"].error
    assert "probe: OperationalError" in parts["database"].error
    assert "lock" in parts["database"].error
    assert elapsed < 2.0


def test_read_only_database_is_named(client, tmp_path):
    with extra_database(read_only_database(tmp_path)):
        response = client.get("/api/health")
        parts = {p.name: p for p in health.run_checks()}
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    assert "read" in parts["database"].error and "only" in parts["database"].error


def test_a_replica_listed_as_read_only_is_only_read(client, tmp_path, settings):
    settings.STREAMFLIX_CORE = {"HEALTH_CHECK_READ_ONLY_DATABASES": ("probe",)}
    with extra_database(read_only_database(tmp_path)):
        response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["failed"] == []


def test_orm_broker_that_cannot_take_a_task_is_named(client, tmp_path, settings, monkeypatch):
    # Readable (so the database part passes) but its queue table locked for writing.
    settings.STREAMFLIX_CORE = {"HEALTH_CHECK_READ_ONLY_DATABASES": ("probe",)}
    monkeypatch.setattr(Conf, "BROKER_CLASS", None)
    monkeypatch.setattr(Conf, "ORM", "probe")
    with database_with_tables_locked_by_another_connection(tmp_path, [OrmQ]):
        response = client.get("/api/health")
        parts = {p.name: p for p in health.run_checks()}
    assert response.status_code == 503
    assert response.json()["failed"] == ["task_broker"]
    assert "lock" in parts["task_broker"].error


def test_unreachable_redis_broker_is_named(client, monkeypatch):
    monkeypatch.setattr(Conf, "BROKER_CLASS", None)
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "DJANGO_REDIS", None)
    monkeypatch.setattr(Conf, "REDIS", "redis://127.0.0.1:1/0")
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["failed"] == ["task_broker"]


def test_unreachable_cache_is_named(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


def test_unwritable_storage_is_named(client, settings, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocked)},
        },
    }
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]


def test_a_hanging_part_is_named_within_the_deadline_and_not_probed_twice(
    client, settings, monkeypatch
):
    settings.STREAMFLIX_CORE = {"HEALTH_CHECK_TIMEOUT_SECONDS": 0.5}
    release = threading.Event()
    calls = []

    def hanging_storage(timeout):
        calls.append(timeout)
        release.wait(30)

    monkeypatch.setitem(health.CHECKS, "storage", hanging_storage)
    try:
        started = time.monotonic()
        first = client.get("/api/health")
        first_elapsed = time.monotonic() - started
        started = time.monotonic()
        second = client.get("/api/health")
        second_elapsed = time.monotonic() - started
        parts = {p.name: p for p in health.run_checks()}
    finally:
        release.set()
    assert first.status_code == second.status_code == 503
    assert first.json()["failed"] == second.json()["failed"] == ["storage"]
    assert first_elapsed < 2.0 and second_elapsed < 2.0
    assert calls == [0.5]
    assert "has not answered" in parts["storage"].error


def test_staff_see_the_error_text(client, staff_user, tmp_path):
    client.force_login(staff_user)
    with extra_database(read_only_database(tmp_path)):
        body = client.get("/api/health").json()
    assert "probe:" in part(body, "database")["error"]
