"""Media's hook providers (``PluginSpec.hooks``): the admin dashboard cards."""

from __future__ import annotations

from streamflix_core import hooks
from streamflix_core.dashboard import DashboardCard


@hooks.admin_dashboard_cards.register
def media_dashboard_cards() -> list[DashboardCard]:
    """Catalog, transcoding, watching, top titles and active streams (the admin is imported
    only when the dashboard asks)."""
    from .admin.dashboard import media_cards

    return media_cards()
