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
    progress_by_title,
    progress_on_title,
)

__all__ = [
    "AssetQuery",
    "TitleQuery",
    "WatchItem",
    "account_sessions",
    "asset_get",
    "asset_list",
    "continue_watching",
    "genre_list",
    "history",
    "home_rows",
    "next_up",
    "object_or_404",
    "person_detail",
    "person_list",
    "progress_by_title",
    "progress_on_title",
    "sitemap_titles",
    "title_detail",
    "title_for_staff",
    "title_list",
    "upload_session_get",
    "visible_titles",
    "within_limit",
]
