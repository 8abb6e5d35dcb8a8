"""The discovery admin: curators pin and exclude titles per row; refreshes are read-only and
"Refresh now" queues one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from streamflix_social.admin.discovery import RefreshRunAdmin
from streamflix_social.models import RefreshRun, RowCuration

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user(email="admin@example.com", is_staff=True, is_superuser=True))
    return client


def test_a_curator_pins_a_title_to_a_row(admin_client, make_title):
    title = make_title("Pinned Film")
    url = reverse("admin:streamflix_social_rowcuration_add")
    response = admin_client.post(
        url, {"row": "trending", "title": title.pk, "action": "pin", "position": 1}
    )
    assert response.status_code == 302
    assert RowCuration.objects.filter(row="trending", title=title, action="pin").exists()
    changelist = admin_client.get(reverse("admin:streamflix_social_rowcuration_changelist"))
    assert changelist.status_code == 200 and b"Pinned Film" in changelist.content


def test_a_title_is_curated_once_per_row(admin_client, make_title):
    title = make_title("Twice")
    RowCuration.objects.create(row="trending", title=title, action="pin")
    response = admin_client.post(
        reverse("admin:streamflix_social_rowcuration_add"),
        {"row": "trending", "title": title.pk, "action": "exclude", "position": 0},
    )
    assert response.status_code == 200  # the form again, with the error
    assert RowCuration.objects.count() == 1


def test_refresh_runs_are_listed_read_only(admin_client):
    run = RefreshRun.objects.create(mode="full", status="finished", profile_coverage=0.5)
    changelist = reverse("admin:streamflix_social_refreshrun_changelist")
    response = admin_client.get(changelist)
    assert response.status_code == 200 and b"Refresh now" in response.content
    change = admin_client.post(
        reverse("admin:streamflix_social_refreshrun_change", args=[run.pk]), {"mode": "incremental"}
    )
    assert change.status_code in (200, 403)
    run.refresh_from_db()
    assert run.mode == "full"


@pytest.mark.parametrize(
    ("url_path", "mode"), [("refresh-now", "incremental"), ("refresh-full", "full")]
)
def test_refresh_now_queues_a_refresh(admin_client, url_path, mode):
    """The test settings run django-q2 synchronously: the queued refresh has run."""
    RefreshRun.objects.create(mode="full", status="finished")
    changelist = reverse("admin:streamflix_social_refreshrun_changelist")
    response = admin_client.get(changelist + url_path + "/")
    assert response.status_code == 302 and response.url == changelist
    latest = RefreshRun.objects.order_by("-id").first()
    assert (latest.mode, latest.status) == (mode, "finished")


def test_the_refresh_admin_has_both_buttons():
    assert RefreshRunAdmin.actions_list == ("refresh_now", "refresh_full")
