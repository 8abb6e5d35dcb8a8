"""Pages kept in a process's memory beside the shared cache: served only while the catalog
version is current (whichever process changed it) and the shared copy has not expired."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from streamflix_media.api import page_cache
from streamflix_media.models import Title

pytestmark = pytest.mark.django_db

URL = "/api/media/titles"

# Another process of the site: its own interpreter, the same shared cache (the test run's
# SQLite file, or Redis under REDIS_URL), changing the catalog as a staff write would.
BUMP = """
import json, sys
import django
from django.conf import settings
settings.configure(CACHES=json.loads(sys.argv[1]))
django.setup()
from streamflix_media.search import catalog_version_bump
catalog_version_bump()
"""


def bump_in_another_process() -> None:
    caches = json.dumps({"default": settings.CACHES["default"]})
    subprocess.run([sys.executable, "-c", BUMP, caches], check=True, timeout=60)


def names(api: Any) -> list[str]:
    return [card["name"] for card in api.get(URL).json()["items"]]


def test_a_kept_page_is_dropped_once_another_process_changes_the_catalog(api, make_title):
    title = make_title("Before")
    assert names(api) == ["Before"]
    # Changed without telling anyone (an update() sends no signal): the page stays as it was.
    Title.objects.filter(pk=title.pk).update(name="After")
    with CaptureQueriesContext(connection) as queries:
        assert names(api) == ["Before"]
    assert len(queries) == 0
    assert any(key.startswith("streamflix_media:page:") for key in page_cache._kept)

    bump_in_another_process()

    assert names(api) == ["After"]


def test_a_kept_page_expires_with_its_shared_copy(api, make_title, monkeypatch):
    title = make_title("Before")
    assert names(api) == ["Before"]
    Title.objects.filter(pk=title.pk).update(name="After")
    assert names(api) == ["Before"]

    later = time.time() + page_cache.settings().LIST_CACHE_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)

    assert names(api) == ["After"]


def test_a_page_in_the_shared_cache_is_kept_by_a_process_that_did_not_build_it(api, make_title):
    make_title("Shared")
    first = api.send("get", URL).content
    page_cache._kept.clear()  # as in another worker: only the shared copy exists
    with CaptureQueriesContext(connection) as queries:
        assert api.send("get", URL).content == first
    assert len(queries) == 0
    assert any(key.startswith("streamflix_media:page:") for key in page_cache._kept)


def test_the_kept_pages_are_bounded(api, make_title, monkeypatch):
    monkeypatch.setattr(page_cache._kept, "max_entries", 3)
    make_title("Bounded")
    for size in range(1, 8):
        assert api.get(URL, {"page_size": size}).status_code == 200
        assert len(page_cache._kept) <= 3
