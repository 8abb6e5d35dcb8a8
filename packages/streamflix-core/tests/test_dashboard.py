import datetime as dt
import json
import logging

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from streamflix_core import hooks
from streamflix_core.dashboard import (
    Chart,
    DashboardCard,
    Dataset,
    Metric,
    Table,
    collect_cards,
    file_size,
)


def _card(title, order=100, **fields):
    return DashboardCard(title=title, plugin="test", order=order, **fields)


def test_cards_are_sorted_by_order_and_stable(temporary_hook):
    def first():
        return [_card("B", order=50), _card("A", order=50)]

    def second():
        return [_card("C", order=5)]

    with temporary_hook(hooks.admin_dashboard_cards, first, second, replace_existing=True):
        assert [c.title for c in collect_cards(cache_seconds=0)] == ["C", "B", "A"]


def test_a_failing_provider_becomes_an_error_card(temporary_hook, caplog):
    def broken():
        raise RuntimeError("boom")

    def wrong_type():
        return ["not a card"]

    hook = hooks.admin_dashboard_cards
    with (
        temporary_hook(hook, broken, wrong_type, replace_existing=True),
        caplog.at_level(logging.ERROR, logger="streamflix_core.dashboard"),
    ):
        cards = collect_cards(cache_seconds=0)
    assert [c.error for c in cards] == [True, True]
    assert "broken" in cards[0].empty
    assert "boom" in caplog.text


@pytest.mark.django_db
def test_answers_are_cached_for_the_setting(temporary_hook):
    calls = []

    def counting():
        calls.append(1)
        return [_card("X")]

    with temporary_hook(hooks.admin_dashboard_cards, counting, replace_existing=True):
        collect_cards(cache_seconds=30)
        collect_cards(cache_seconds=30)
        assert len(calls) == 1
        collect_cards(cache_seconds=0)
        assert len(calls) == 2


def test_chart_json_is_what_unfold_reads():
    chart = Chart(labels=("Dec 1", "Dec 2"), datasets=(Dataset("Views", (1, 2)),), type="bar")
    data = json.loads(chart.as_json())
    assert data["labels"] == ["Dec 1", "Dec 2"]
    assert data["datasets"][0]["data"] == [1, 2]
    assert data["datasets"][0]["borderColor"].startswith("var(--color-primary")


def test_table_links_the_first_cell_and_escapes():
    card = _card(
        "T", kind="table", table=Table(("Title", "Views"), (("<b>x</b>", "3"),), links=("/a/",))
    )
    cell = str(card.table_data["rows"][0][0])
    assert 'href="/a/"' in cell
    assert "&lt;b&gt;" in cell


def test_file_size():
    assert file_size(512) == "512 B"
    assert file_size(1536) == "1.5 KiB"
    assert file_size(3 * 1024**3) == "3.0 GiB"


@pytest.mark.django_db
def test_accounts_cards(make_user, make_profile):
    from streamflix_core.admin.dashboard import accounts_cards

    user = make_user()
    make_profile(user, name="One")
    make_profile(user, name="Two")
    make_user(is_active=False)
    old = make_user()
    get_user_model().objects.filter(pk=old.pk).update(
        date_joined=timezone.now() - dt.timedelta(days=30)
    )
    accounts, signups = accounts_cards()
    figures = {m.label: m.value for m in accounts.metrics}
    assert figures["Active accounts"] == "2"
    assert figures["Viewer profiles"] == "2"
    assert accounts.metrics[0].hint == "1 inactive"
    assert signups.kind == "chart"
    data = json.loads(signups.chart_json)
    assert len(data["labels"]) == 14
    assert data["datasets"][0]["data"][-1] == 2  # the old account is outside the window
    assert {m.label: m.value for m in signups.metrics}["Last 14 days"] == "2"


@pytest.mark.django_db
def test_admin_index_shows_the_cards_in_bounded_queries(superuser_client, make_user):
    make_user()
    with CaptureQueriesContext(connection) as queries:
        response = superuser_client.get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="streamflix-dashboard"' in page
    assert 'data-dashboard-card="core"' in page
    assert "Sign-ups per day" in page
    assert 'class="chart"' in page
    # The application list stays on the page below the cards.
    assert "/admin/streamflix_core/user/" in page
    # The session, the user, the accounts cards (three aggregates) and recent actions.
    assert len(queries) <= 6, [q["sql"] for q in queries]


@pytest.mark.django_db
def test_a_failing_provider_does_not_break_the_index(superuser_client, temporary_hook):
    def broken():
        raise RuntimeError("boom")

    with temporary_hook(hooks.admin_dashboard_cards, broken):
        response = superuser_client.get("/admin/")
    assert response.status_code == 200
    assert b'data-card-error="1"' in response.content
    assert b"Sign-ups per day" in response.content


@pytest.mark.django_db
def test_non_staff_is_sent_to_the_login_page(make_user):
    client = Client()
    assert client.get("/admin/").status_code == 302
    client.force_login(make_user())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_metric_links_render(superuser_client, temporary_hook):
    def provider():
        return [_card("Mine", metrics=(Metric("Things", "3", link="/admin/things/"),))]

    with temporary_hook(hooks.admin_dashboard_cards, provider, replace_existing=True):
        response = superuser_client.get("/admin/")
    assert b'href="/admin/things/"' in response.content
