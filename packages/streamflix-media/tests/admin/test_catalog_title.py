"""The title admin publishes only through the catalog services: status is read-only, and
publish/unpublish are a list action or a button of the form."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from streamflix_core.errors import Conflict
from streamflix_media import services
from streamflix_media.models import Title

pytestmark = pytest.mark.django_db

PUBLISH = "streamflix_media_title_publish_on_save"
UNPUBLISH = "streamflix_media_title_unpublish_on_save"


@pytest.fixture
def admin_client(client, make_user):
    user = make_user(email="curator@example.com", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture
def published_signals(monkeypatch) -> list[int]:
    """The ids ``title_published`` was sent for (after commit)."""
    from streamflix_core.signals import title_published

    sent: list[int] = []

    def receiver(sender: Any, title_id: int, **kwargs: Any) -> None:
        sent.append(title_id)

    title_published.connect(receiver, weak=False)
    yield sent
    title_published.disconnect(receiver)


def change_data(title: Title, **overrides: Any) -> dict[str, Any]:
    """What the change form of a title without seasons or credits posts."""
    data: dict[str, Any] = {
        "kind": title.kind, "name": title.name, "original_name": title.original_name,
        "slug": title.slug, "synopsis": title.synopsis, "year": title.year or "",
        "release_date": "", "runtime_minutes": "", "maturity_rating": title.maturity_rating,
        "countries_field": title.countries_field, "original_language": "",
    }  # fmt: skip
    for prefix in ("seasons", "credits"):
        for field, value in (("TOTAL", "0"), ("INITIAL", "0"), ("MIN_NUM", "0"), ("MAX_NUM", "9")):
            data[f"{prefix}-{field}_FORMS"] = value
    data.update(overrides)
    return data


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_status_is_read_only_in_the_change_form(admin_client, make_title):
    title = make_title("Quiet Draft", published=False)
    url = reverse("admin:streamflix_media_title_change", args=[title.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    response = admin_client.post(url, change_data(title, name="Quiet Draft 2", status="published"))
    assert response.status_code == 302, response.content.decode()[:2000]
    title.refresh_from_db()
    assert title.name == "Quiet Draft 2"
    assert title.status == "draft" and title.published_at is None


def test_the_form_offers_the_button_that_applies(admin_client, make_title):
    draft = make_title("A Draft", published=False)
    live = make_title("Live One")
    draft_page = admin_client.get(reverse("admin:streamflix_media_title_change", args=[draft.pk]))
    live_page = admin_client.get(reverse("admin:streamflix_media_title_change", args=[live.pk]))
    add_page = admin_client.get(reverse("admin:streamflix_media_title_add"))
    assert f'name="{PUBLISH}"' in draft_page.content.decode()
    assert f'name="{UNPUBLISH}"' not in draft_page.content.decode()
    assert f'name="{UNPUBLISH}"' in live_page.content.decode()
    assert f'name="{PUBLISH}"' not in live_page.content.decode()
    assert f'name="{PUBLISH}"' in add_page.content.decode()


def test_save_and_publish_then_save_and_unpublish(
    admin_client, make_title, published_signals, django_capture_on_commit_callbacks
):
    title = make_title("Button Title", published=False)
    url = reverse("admin:streamflix_media_title_change", args=[title.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, change_data(title, synopsis="Now.", **{PUBLISH: ""}))
    assert response.status_code == 302
    title.refresh_from_db()
    assert title.status == "published" and title.published_at and title.synopsis == "Now."
    assert published_signals == [title.pk]
    assert "Published 1 title(s)." in texts(response)

    response = admin_client.post(url, change_data(title, **{UNPUBLISH: ""}))
    assert response.status_code == 302
    title.refresh_from_db()
    assert title.status == "draft"
    assert "Unpublished 1 title(s)." in texts(response)


def test_a_stale_button_reports_the_title_state(admin_client, make_title):
    title = make_title("Already Live")
    url = reverse("admin:streamflix_media_title_change", args=[title.pk])
    response = admin_client.post(url, change_data(title, **{PUBLISH: ""}))
    assert response.status_code == 302
    assert "Already Live: already published." in texts(response)
    title.refresh_from_db()
    assert title.status == "published"


def test_list_actions_report_per_title_errors(admin_client, make_title):
    draft = make_title("Draft One", published=False)
    live = make_title("Live Two")
    url = reverse("admin:streamflix_media_title_changelist")
    ids = [draft.pk, live.pk]

    response = admin_client.post(url, {"action": "publish_selected", "_selected_action": ids})
    assert response.status_code == 302
    admin_client.get(url)  # shows (and so clears) the messages
    assert set(Title.objects.values_list("status", flat=True)) == {"published"}
    assert texts(response) == ["Live Two: already published.", "Published 1 title(s)."]

    draft.refresh_from_db()
    services.title_unpublish(title=draft)
    response = admin_client.post(url, {"action": "unpublish_selected", "_selected_action": ids})
    assert set(Title.objects.values_list("status", flat=True)) == {"draft"}
    assert texts(response) == ["Draft One: not published.", "Unpublished 1 title(s)."]


def test_list_action_reports_a_service_refusal(admin_client, make_title, monkeypatch):
    good = make_title("Good", published=False)
    bad = make_title("Bad", published=False)
    real = services.title_publish

    def publish(*, title: Title) -> Title:
        if title.pk == bad.pk:
            raise Conflict("Not ready to publish.", code="not_ready")
        return real(title=title)

    monkeypatch.setattr(services, "title_publish", publish)
    response = admin_client.post(
        reverse("admin:streamflix_media_title_changelist"),
        {"action": "publish_selected", "_selected_action": [good.pk, bad.pk]},
    )
    assert response.status_code == 302
    assert "Bad: Not ready to publish." in texts(response)
    assert "Published 1 title(s)." in texts(response)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == "published" and bad.status == "draft"


def test_views_and_watch_time_per_title(admin_client, make_title, make_session):
    title = make_title("Night Owl", views=7)
    make_session(title, watched_seconds=5400)
    make_session(title, watched_seconds=1800, ended=True)
    page = admin_client.get(reverse("admin:streamflix_media_title_changelist"))
    assert page.status_code == 200
    row = next(t for t in page.context["cl"].result_list if t.pk == title.pk)
    assert row.views == 7 and row.watched_seconds_total == 7200
    assert "2.0" in page.content.decode()
    change = admin_client.get(reverse("admin:streamflix_media_title_change", args=[title.pk]))
    html = change.content.decode()
    assert change.status_code == 200 and "Watch time (h)" in html and "2.0" in html


def test_the_title_list_does_not_query_per_row(admin_client, make_title, make_session):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_of_the_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = admin_client.get(reverse("admin:streamflix_media_title_changelist"))
        assert page.status_code == 200
        return len(captured)

    for _ in range(2):
        make_session(make_title(), watched_seconds=600)
    with_two = queries_of_the_list()
    for _ in range(4):
        make_session(make_title(), watched_seconds=600)
    assert queries_of_the_list() == with_two
