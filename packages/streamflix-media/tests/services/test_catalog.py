from __future__ import annotations

import pytest

from streamflix_media import services
from streamflix_media.models import Title
from streamflix_media.search import catalog_version

pytestmark = pytest.mark.django_db


def test_counters_apply_likes_and_ratings(make_title):
    title = make_title("Counted")
    assert services.title_counters_apply(title_id=title.pk, likes_delta=1)
    assert services.title_counters_apply(
        title_id=title.pk, rating_sum_delta=4, rating_count_delta=1
    )
    assert services.title_counters_apply(
        title_id=title.pk, rating_sum_delta=2, rating_count_delta=1
    )
    title.refresh_from_db()
    assert (title.likes, title.rating_sum, title.rating_count) == (1, 6, 2)
    assert title.rating_average == pytest.approx(3.0)
    services.title_counters_apply(title_id=title.pk, rating_sum_delta=-2)
    title.refresh_from_db()
    assert title.rating_average == pytest.approx(2.0)
    services.title_counters_apply(title_id=title.pk, rating_sum_delta=-4, rating_count_delta=-2)
    services.title_counters_apply(title_id=title.pk, likes_delta=-5)
    title.refresh_from_db()
    assert (title.likes, title.rating_sum, title.rating_count, title.rating_average) == (
        0, 0, 0, 0.0,
    )  # fmt: skip


def test_views_increment_and_unknown_title(make_title):
    title = make_title("Watched")
    assert services.title_views_increment(title_id=title.pk)
    assert services.title_views_increment(title_id=title.pk, by=3)
    title.refresh_from_db()
    assert title.views == 4
    assert services.title_views_increment(title_id=999_999) is False


def test_counters_do_not_bump_the_catalog_version(make_title, django_capture_on_commit_callbacks):
    title = make_title("Quiet")
    before = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        services.title_counters_apply(title_id=title.pk, views_delta=1)
    assert catalog_version() == before
    with django_capture_on_commit_callbacks(execute=True):
        services.title_update(title=title, data={"name": "Loud"})
    assert catalog_version() != before


def test_publish_twice_is_harmless(make_title):
    title = make_title("Once", published=False)
    services.title_publish(title=title)
    first = Title.objects.get().published_at
    services.title_publish(title=title)
    assert Title.objects.get().published_at == first


def _count_bumps(monkeypatch) -> list[int]:
    from streamflix_media import search

    bumps: list[int] = []
    monkeypatch.setattr(search, "catalog_version_bump", lambda: bumps.append(1))
    return bumps


def test_a_catalog_write_bumps_the_version_exactly_once(
    drama, monkeypatch, django_capture_on_commit_callbacks
):
    bumps = _count_bumps(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        title = services.title_create(data={"name": "Once", "genres": [drama.slug]})
    assert bumps == [1]  # a title row and its genre rows, one commit
    with django_capture_on_commit_callbacks(execute=True):
        services.title_update(title=title, data={"name": "Twice", "genres": []})
    assert bumps == [1, 1]


def test_a_rolled_back_write_leaves_the_next_write_its_bump(
    make_title, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import transaction

    title = make_title("Rollback")
    bumps = _count_bumps(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                services.title_update(title=title, data={"name": "Never"})
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        services.title_update(title=title, data={"name": "Kept"})
    assert bumps == [1]
