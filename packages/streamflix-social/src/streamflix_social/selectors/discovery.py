"""Discovery reads: trending, "More like this", a profile's top picks and its "Because you
watched" rows, served from the rows the refresh stored, each in a fixed number of queries.

Every read goes through media's ``visible_titles`` (published, within the viewer's maturity
limit) and the curators' decisions for its row (``RowCuration``): excluded titles never
come back, pinned ones come first. A profile's own reads also leave out what it finished or
rated since the last refresh.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from streamflix_core.errors import NotFound
from streamflix_media.models import Genre, Title, WatchProgress
from streamflix_media.selectors import visible_titles

from ..conf import settings
from ..models import ProfilePick, Rating, RowCuration, TitleNeighbour, TrendingTitle
from .engagement import viewer_profile_id

Row = RowCuration.Row
GENRES = Prefetch("genres", queryset=Genre.objects.order_by("name"))


def _curated(titles: QuerySet[Title], row: str) -> QuerySet[Title]:
    """``titles`` without the row's excluded titles, annotated with ``pin`` (the pin's
    position, ``None`` when not pinned)."""
    curations = RowCuration.objects.filter(row=row, title_id=OuterRef("pk"))
    return titles.exclude(Exists(curations.filter(action=RowCuration.Action.EXCLUDE))).annotate(
        pin=Subquery(curations.filter(action=RowCuration.Action.PIN).values("position")[:1])
    )


def _not_done_by(titles: QuerySet[Title], profile_id: int) -> QuerySet[Title]:
    """``titles`` the profile has neither finished (a played movie or episode) nor rated."""
    return titles.exclude(
        Exists(
            WatchProgress.objects.filter(
                profile_id=profile_id, title_id=OuterRef("pk"), played=True
            )
        )
    ).exclude(Exists(Rating.objects.filter(profile_id=profile_id, title_id=OuterRef("pk"))))


def trending(*, viewer: Any) -> QuerySet[Title]:
    """Titles by recent engagement (pins first); with genres prefetched: two queries."""
    rank = TrendingTitle.objects.filter(title_id=OuterRef("pk")).values("rank")[:1]
    return (
        _curated(visible_titles(viewer), Row.TRENDING)
        .annotate(trend_rank=Subquery(rank))
        .filter(Q(trend_rank__isnull=False) | Q(pin__isnull=False))
        .order_by(F("pin").asc(nulls_last=True), F("trend_rank").asc(nulls_last=True), "id")
        .prefetch_related(GENRES)
    )


def more_like_this(*, viewer: Any, slug: str) -> list[Title]:
    """Titles like the one at ``slug`` the viewer may see, best first (pins first): its
    stored neighbours, or, before any refresh knows it, the most viewed titles sharing a
    genre. Three queries; 404 when the viewer may not see the title."""
    through = Title.genres.through
    found = (
        visible_titles(viewer)
        .filter(slug=slug)
        .annotate(has_neighbours=Exists(TitleNeighbour.objects.filter(title_id=OuterRef("pk"))))
        .values_list("pk", "has_neighbours")
        .first()
    )
    if found is None:
        raise NotFound(f"No title {slug!r}.")
    title_id, has_neighbours = found
    titles = _curated(visible_titles(viewer).exclude(pk=title_id), Row.MORE_LIKE_THIS)
    if has_neighbours:
        rank = TitleNeighbour.objects.filter(title_id=title_id, neighbour_id=OuterRef("pk"))
        titles = titles.annotate(similar=Subquery(rank.values("rank")[:1])).filter(
            Q(similar__isnull=False) | Q(pin__isnull=False)
        )
        order: tuple[Any, ...] = (F("similar").asc(nulls_last=True), "id")
    else:
        genres = through.objects.filter(title_id=title_id).values("genre_id")
        titles = titles.filter(
            Exists(through.objects.filter(title_id=OuterRef("pk"), genre_id__in=genres))
            | Q(pin__isnull=False)
        )
        order = ("-views", "id")
    size = settings().DISCOVERY_ROW_SIZE
    return list(
        titles.order_by(F("pin").asc(nulls_last=True), *order).prefetch_related(GENRES)[:size]
    )


def top_picks(*, viewer: Any) -> QuerySet[Title]:
    """The profile's top picks (pins first), then what trends, then the most viewed: every
    title it may see and has neither finished nor rated. 403 ``profile_required`` without a
    profile. A page costs three queries (count, page, genres)."""
    profile_id = viewer_profile_id(viewer)
    pick = ProfilePick.objects.filter(profile_id=profile_id, slot=0, title_id=OuterRef("pk"))
    trend = TrendingTitle.objects.filter(title_id=OuterRef("pk"))
    return (
        _not_done_by(_curated(visible_titles(viewer), Row.TOP_PICKS), profile_id)
        .annotate(
            pick_rank=Subquery(pick.values("rank")[:1]),
            trend_rank=Subquery(trend.values("rank")[:1]),
        )
        .order_by(
            F("pin").asc(nulls_last=True),
            F("pick_rank").asc(nulls_last=True),
            F("trend_rank").asc(nulls_last=True),
            "-views",
            "id",
        )
        .prefetch_related(GENRES)
    )


def because_you_watched(*, viewer: Any) -> list[tuple[Title, list[Title]]]:
    """The profile's "Because you watched X" rows: ``(X, titles)``, most recent X first.
    One query (genres are the caller's to prefetch); excluded titles, titles it may not
    see and titles it finished or rated are left out, and so is a row whose X it may no
    longer see."""
    profile_id = viewer_profile_id(viewer)
    visible = visible_titles(viewer)
    allowed = _not_done_by(_curated(visible, Row.BECAUSE_YOU_WATCHED), profile_id)
    picks = (
        ProfilePick.objects.filter(
            profile_id=profile_id,
            slot__gt=0,
            title__in=allowed.values("pk"),
            because_title__in=visible.values("pk"),
        )
        .select_related("title", "because_title")
        .order_by("slot", "rank")
    )
    rows: dict[int, tuple[Title, list[Title]]] = {}
    size = settings().DISCOVERY_ROW_SIZE
    for chosen in picks:
        anchor = chosen.because_title
        assert anchor is not None
        entry = rows.setdefault(chosen.slot, (anchor, []))
        if len(entry[1]) < size:
            entry[1].append(chosen.title)
    return list(rows.values())
