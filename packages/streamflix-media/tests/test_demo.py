"""The demo seed's catalogue."""

from __future__ import annotations

import io

import pytest

from streamflix_media.demo import seed
from streamflix_media.models import Credit, Episode, Genre, Season, Title

pytestmark = pytest.mark.django_db


def test_demo_seed_fills_a_catalog_once(monkeypatch):
    monkeypatch.setenv("STREAMFLIX_DEMO_TITLES", "60")
    monkeypatch.setenv("STREAMFLIX_DEMO_VIDEOS", "0")  # test_demo_videos.py covers them
    out = io.StringIO()
    seed(out)
    assert "60 titles" in out.getvalue()
    assert Title.objects.filter(status="published").count() == 60
    assert not Title.objects.filter(poster="").exists()
    assert "art: 60/60" in out.getvalue()
    assert Genre.objects.count() >= 15
    assert Season.objects.exists() and Episode.objects.exists() and Credit.objects.exists()
    seed(io.StringIO())
    assert Title.objects.count() == 60
