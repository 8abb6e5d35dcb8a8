"""Title cards as plain data: the list pages' hot path.

A card page built from model instances spends most of its time making ``Title`` and
``Genre`` objects, a related manager per title for the prefetch, and running the schema's
resolvers on each; the database answers in a fraction of that. Here a page is two queries of
plain rows (the titles' columns; their genres) turned into the dictionaries
``TitleCardOut`` describes, in its field order, ready for JSON.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from typing import Any

from django.db.models import QuerySet

from streamflix_core.prepared import CompiledQueries, PreparedValues

from ..images import image_variant_urls
from ..models import Title

#: The title columns a card reads, in the order ``TitleCardOut`` declares its fields.
CARD_COLUMNS = (
    "id",
    "slug",
    "name",
    "original_name",
    "kind",
    "year",
    "maturity_rating",
    "countries_field",
    "exclusive",
    "featured",
    "status",
    "published_at",
    "poster",
    "poster_variants",
    "backdrop",
    "backdrop_variants",
    "views",
    "likes",
    "rating_average",
    "rating_count",
    "playable",
)


_PAGES = CompiledQueries(name="title card pages")


class TitleCards:
    """``titles`` read as cards: ``count()``, and a slice gives a page of card dictionaries
    (two queries). What the shared page-number pagination takes instead of a query set.

    ``key``, when given, must determine ``titles`` entirely (for example the list's filters
    and the viewer's maturity limit): the SQL compiled for a key is then reused, so a page
    costs the database's time and the rows' conversion, not the ORM's compilation again."""

    def __init__(self, titles: QuerySet[Title], *, key: Hashable | None = None) -> None:
        self.titles = titles.prefetch_related(None)
        self.key = key

    def count(self) -> int:
        if self.key is None:
            return self.titles.count()
        return _PAGES.count(self.key, lambda: self.titles)

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        page = self.titles[window]
        if self.key is None:
            return title_cards(page)
        key = (self.key, window.start, window.stop)
        return _cards_from_rows(_PAGES.values(key, lambda: page.values(*CARD_COLUMNS)))


def title_cards(titles: QuerySet[Title]) -> list[dict[str, Any]]:
    """The cards of ``titles`` (ordered and sliced by the caller), in their order: one query
    for the titles, one for their genres. Viewer fields are ``None``, as on a public page."""
    return _cards_from_rows(list(titles.values(*CARD_COLUMNS)))


def _cards_from_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    genres = genres_by_title([row["id"] for row in rows])
    return [_card(row, genres.get(row["id"], [])) for row in rows]


def _genre_rows(*, title_ids: list[int]) -> Any:
    return (
        Title.genres.through.objects.filter(title_id__in=title_ids)
        .order_by("genre__name", "genre_id")
        .values("title_id", "genre_id", "genre__name", "genre__slug")
    )


_GENRES = PreparedValues(_genre_rows, name="genres_by_title")


def genres_by_title(title_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Title id -> its genres (``id``, ``name``, ``slug``) by name: one query."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not title_ids:
        return found
    for row in _GENRES.rows(title_ids=title_ids):
        found[row["title_id"]].append(
            {"id": row["genre_id"], "name": row["genre__name"], "slug": row["genre__slug"]}
        )
    return found


_POSTER_STORAGE = Title._meta.get_field("poster").storage  # type: ignore[attr-defined]
_BACKDROP_STORAGE = Title._meta.get_field("backdrop").storage  # type: ignore[attr-defined]


def _card(row: dict[str, Any], genres: list[dict[str, Any]]) -> dict[str, Any]:
    poster = row["poster"]
    backdrop = row["backdrop"]
    return {
        "id": row["id"],
        "slug": row["slug"],
        "name": row["name"],
        "original_name": row["original_name"],
        "kind": row["kind"],
        "year": row["year"],
        "maturity_rating": row["maturity_rating"],
        "countries": [code for code in row["countries_field"].split(",") if code],
        "exclusive": row["exclusive"],
        "featured": row["featured"],
        "status": row["status"],
        "published_at": row["published_at"],
        "poster": _POSTER_STORAGE.url(poster) if poster else None,
        "poster_variants": image_variant_urls(row["poster_variants"]),
        "backdrop": _BACKDROP_STORAGE.url(backdrop) if backdrop else None,
        "backdrop_variants": image_variant_urls(row["backdrop_variants"]),
        "genres": genres,
        "views": row["views"],
        "likes": row["likes"],
        "rating_average": row["rating_average"],
        "rating_count": row["rating_count"],
        "playable": row["playable"],
        "progress": None,
        "liked": None,
        "in_list": None,
        "my_rating": None,
    }
