"""Media reads, query-count bounded; one module per topic (catalog, assets, watching).
Every public selector is importable from here."""

from .assets import (
    AssetQuery,
    asset_get,
    asset_list,
    upload_session_get,
)
from .catalog import (
    TitleQuery,
    genre_list,
    home_rows,
    object_or_404,
    person_detail,
    person_list,
    sitemap_titles,
    title_detail,
    title_for_staff,
    title_list,
    visible_titles,
    within_limit,
)
from .watching import (
    WatchItem,
    account_sessions,
    continue_watching,
    history,
    next_up,
    progress_on_title,
    progress_by_title,
)

__all__ = [
    "WatchItem",
    "account_sessions",
    "continue_watching",
    "history",
    "next_up",
    "progress_on_title",
    "progress_by_title",
    "AssetQuery",
    "TitleQuery",
    "asset_get",
    "asset_list",
    "genre_list",
    "home_rows",
    "object_or_404",
    "person_detail",
    "person_list",
    "sitemap_titles",
    "title_detail",
    "title_for_staff",
    "title_list",
    "upload_session_get",
    "visible_titles",
    "within_limit",
]
