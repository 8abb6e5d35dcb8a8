"""The social plugin's hook providers (``PluginSpec.hooks``), registered when Django is ready."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from streamflix_core.dashboard import DashboardCard
from streamflix_core.hooks import admin_dashboard_cards, title_viewer_state

from .selectors import engagement_state


@title_viewer_state.register
def engagement_viewer_state(
    profile_id: int, title_ids: list[int]
) -> Mapping[int, Mapping[str, Any]]:
    """``title_viewer_state`` provider: the profile's ``liked``, ``in_list`` and
    ``my_rating`` on each title of a page, in three queries (one per kind of mark)."""
    if profile_id is None or not title_ids:
        return {}
    return engagement_state(profile_id=profile_id, title_ids=title_ids)


@admin_dashboard_cards.register
def social_dashboard_cards() -> list[DashboardCard]:
    """Comments to moderate and ratings and likes per day (the admin is imported only when
    the dashboard asks)."""
    from .admin.dashboard import social_cards

    return social_cards()
