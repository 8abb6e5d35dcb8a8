"""Media reads, query-count bounded; one module per topic (catalog, assets, watching,
watch_stats, dashboard_stats). Every public selector is importable from here."""

from .assets import (
    AssetQuery,
    asset_get,
    asset_list,
    upload_session_get,
)
from .cards import TitleCards, genres_by_title, title_cards
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
from .dashboard_stats import (
    catalog_figures,
    running_transcodes,
    stream_figures,
    top_titles,
    transcode_figures,
    views_and_watch_time_per_day,
)
from .viewer_state import viewer_state_by_title
from .watch_stats import (
    active_now,
    sessions_for_staff,
    titles_with_watch_time,
    watch_time_per_day,
)
from .watching import (
    WatchItem,
    account_sessions,
    continue_watching,
    history,
    next_up,
    progress_on_title,
)

__all__ = [
    "AssetQuery",
    "TitleCards",
    "TitleQuery",
    "WatchItem",
    "account_sessions",
    "active_now",
    "asset_get",
    "asset_list",
    "catalog_figures",
    "continue_watching",
    "genre_list",
    "genres_by_title",
    "history",
    "home_rows",
    "next_up",
    "object_or_404",
    "person_detail",
    "person_list",
    "progress_on_title",
    "running_transcodes",
    "sessions_for_staff",
    "sitemap_titles",
    "stream_figures",
    "title_cards",
    "title_detail",
    "title_for_staff",
    "title_list",
    "titles_with_watch_time",
    "top_titles",
    "transcode_figures",
    "upload_session_get",
    "viewer_state_by_title",
    "views_and_watch_time_per_day",
    "visible_titles",
    "watch_time_per_day",
    "within_limit",
]
