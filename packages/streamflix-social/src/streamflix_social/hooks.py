"""The social plugin's hook providers (``PluginSpec.hooks``), registered when Django is ready."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import prefetch_related_objects

from streamflix_core.dashboard import DashboardCard
from streamflix_core.hooks import HomeRow, admin_dashboard_cards, home_rows, title_viewer_marks

from .conf import settings
from .selectors import engagement_marks
from .selectors.discovery import GENRES, because_you_watched, top_picks, trending


@title_viewer_marks.register
def engagement_viewer_marks(profile_id: int) -> Mapping[str, Any]:
    """``title_viewer_marks`` provider: the profile's ``liked``, ``in_list`` and
    ``my_rating``, as subqueries media puts into its one query per page."""
    return engagement_marks(profile_id=profile_id)


@admin_dashboard_cards.register
def social_dashboard_cards() -> list[DashboardCard]:
    """Comments to moderate and ratings and likes per day (the admin is imported only when
    the dashboard asks)."""
    from .admin.dashboard import social_cards

    return social_cards()


@home_rows.register
def discovery_home_rows(viewer: Any) -> list[HomeRow]:
    """``home_rows`` provider: "Trending" for everyone; for a signed-in profile also "Top
    picks" and its "Because you watched X" rows. Two queries signed out, four with a
    profile (trending, picks, because rows, and every row's genres at once)."""
    size = settings().DISCOVERY_ROW_SIZE
    rows = [
        HomeRow(
            "trending", "Trending now", list(trending(viewer=viewer).prefetch_related(None)[:size])
        )
    ]
    if viewer.profile is not None:
        picks = list(top_picks(viewer=viewer).prefetch_related(None)[:size])
        rows.append(HomeRow("top_picks", "Top picks for you", picks))
        for anchor, titles in because_you_watched(viewer=viewer):
            rows.append(HomeRow(f"because:{anchor.slug}", f"Because you watched {anchor.name}",
                                titles))  # fmt: skip
    everything = {id(title): title for row in rows for title in row.titles}
    if everything:
        prefetch_related_objects(list(everything.values()), GENRES)
    return [row for row in rows if row.titles]
