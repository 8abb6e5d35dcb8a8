import pytest
from django.db import OperationalError
from django.test import Client


class UnreachableDatabase:
    """Stands in for ``django.db.connections`` when the server refuses connections."""

    class Connection:
        def cursor(self):
            raise OperationalError("connection refused")

    def all(self, initialized_only=False):
        return [self.Connection()]


def break_database(monkeypatch):
    monkeypatch.setattr("streamflix_core.health.connections", UnreachableDatabase())


@pytest.fixture
def client(db):
    return Client()


def test_all_parts_healthy(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert [p["name"] for p in body["parts"]] == ["database", "cache", "task_broker", "storage"]
    assert all(p["ok"] and p["error"] is None for p in body["parts"])


def test_unreachable_database_is_named(client, monkeypatch):
    break_database(monkeypatch)
    response = client.get("/api/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert "database" in body["failed"]
    database = next(p for p in body["parts"] if p["name"] == "database")
    assert database == {**database, "ok": False, "error": "unavailable"}


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


def test_staff_see_the_error_text(client, monkeypatch, staff_user):
    break_database(monkeypatch)
    client.force_login(staff_user)
    body = client.get("/api/health").json()
    database = next(p for p in body["parts"] if p["name"] == "database")
    assert "connection refused" in database["error"]
