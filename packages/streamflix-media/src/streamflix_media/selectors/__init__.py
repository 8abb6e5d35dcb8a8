"""Media reads, query-count bounded; one module per topic (catalog, assets, playback).
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
from .playback import (
    NotSignedIn,
    Playback,
    episode_playback,
    playable_asset,
    title_playback,
)

__all__ = [
    "AssetQuery",
    "NotSignedIn",
    "Playback",
    "TitleQuery",
    "asset_get",
    "asset_list",
    "episode_playback",
    "genre_list",
    "home_rows",
    "object_or_404",
    "person_detail",
    "person_list",
    "playable_asset",
    "sitemap_titles",
    "title_detail",
    "title_for_staff",
    "title_list",
    "title_playback",
    "upload_session_get",
    "visible_titles",
    "within_limit",
]
