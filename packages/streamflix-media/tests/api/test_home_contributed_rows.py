"""Rows other plugins add to the home screen through core's ``home_rows`` hook: where they go,
and that the profile's own state is merged into their cards."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Value, prefetch_related_objects

from streamflix_core.hooks import HomeRow, home_rows, title_viewer_marks
from streamflix_media.models import Title

pytestmark = pytest.mark.django_db


def staff_picks(viewer: Any) -> list[HomeRow]:
    visible = Title.objects.filter(status=Title.Status.PUBLISHED)
    titles = list(visible.filter(maturity_rating__lte=viewer.maturity_limit).order_by("name"))
    prefetch_related_objects(titles, "genres")
    return [HomeRow("staff_picks", "Staff picks", titles), HomeRow("empty", "Nothing", [])]


def test_contributed_rows_come_first_for_a_signed_out_viewer(api, make_title):
    make_title("Alpha")
    with home_rows.temporarily(staff_picks):
        rows = api.get("/api/media/home").json()["rows"]
    assert rows[0]["key"] == "staff_picks" and rows[0]["titles"][0]["slug"] == "alpha"
    assert "empty" not in [row["key"] for row in rows]  # empty rows are dropped
    assert rows[0]["titles"][0]["progress"] is None


def test_contributed_rows_follow_the_profiles_own_and_carry_its_state(viewer_api, make_title):
    make_title("Alpha")

    def all_liked(profile_id: int) -> dict[str, Any]:
        return {"liked": Value(True)}

    with home_rows.temporarily(staff_picks), title_viewer_marks.temporarily(all_liked):
        rows = viewer_api.get("/api/media/home").json()["rows"]
    keys = [row["key"] for row in rows]
    assert keys.index("staff_picks") < keys.index("featured")
    assert all(key in ("continue_watching", "next_up") for key in keys[: keys.index("staff_picks")])
    assert rows[keys.index("staff_picks")]["titles"][0]["liked"] is True


def test_without_providers_the_home_screen_is_unchanged(api, make_title):
    make_title("Alpha")
    with home_rows.temporarily(replace_existing=True):
        keys = [row["key"] for row in api.get("/api/media/home").json()["rows"]]
    assert keys[0] == "featured"
