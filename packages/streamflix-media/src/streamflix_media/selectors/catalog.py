"""Catalog reads, each a fixed number of queries whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber

from streamflix_core.errors import NotFound, NotPermitted
from streamflix_core.maturity import Maturity

from ..conf import settings
from ..models import Credit, Episode, Genre, Person, Season, Title

ORDERINGS: dict[str, tuple[Any, ...]] = {
    # Plain column orderings, so the (status, published_at, id) index serves them.
    "newest": ("-published_at", "-id"),
    "oldest": ("published_at", "id"),
    "name": ("name", "id"),
    "views": ("-views", "id"),
    "likes": ("-likes", "id"),
    "rating": ("-rating_average", "-rating_count", "id"),
}


@dataclass(frozen=True)
class TitleQuery:
    genre: str | None = None
    person: str | None = None
    role: str | None = None
    country: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    kind: str | None = None
    exclusive: bool | None = None
    playable: bool | None = None
    q: str | None = None
    status: str | None = None
    ordering: str = "newest"


def within_limit(queryset: QuerySet[Any], viewer: Any, prefix: str = "") -> QuerySet[Any]:
    """``queryset`` cut to the viewer's maturity limit; no condition at the top of the scale,
    which lets the database use its ordering indexes."""
    if viewer.maturity_limit >= max(Maturity.values):
        return queryset
    return queryset.filter(**{f"{prefix}maturity_rating__lte": viewer.maturity_limit})


def _cards(queryset: QuerySet[Title]) -> QuerySet[Title]:
    return queryset.prefetch_related(Prefetch("genres", queryset=Genre.objects.order_by("name")))


def visible_titles(viewer: Any) -> QuerySet[Title]:
    """Published titles within the viewer's maturity limit."""
    return within_limit(Title.objects.filter(status=Title.Status.PUBLISHED), viewer)


def title_list(*, viewer: Any, query: TitleQuery) -> QuerySet[Title]:
    """Titles matching ``query`` that ``viewer`` may see, in a stable order."""
    status = query.status or Title.Status.PUBLISHED
    if status != Title.Status.PUBLISHED and not viewer.is_staff:
        raise NotPermitted("Only staff can list titles that are not published.")
    titles = within_limit(Title.objects.all(), viewer)
    if status != "any":
        titles = titles.filter(status=status)
    if query.genre:
        titles = titles.filter(
            Exists(
                Title.genres.through.objects.filter(
                    title_id=OuterRef("pk"), genre__slug=query.genre
                )
            )
        )
    if query.person or query.role:
        credits = Credit.objects.filter(title_id=OuterRef("pk"))
        if query.person:
            credits = credits.filter(person__slug=query.person)
        if query.role:
            credits = credits.filter(role=query.role)
        titles = titles.filter(Exists(credits))
    if query.country:
        titles = titles.filter(countries_field__contains=f",{query.country.upper()},")
    if query.year_from is not None:
        titles = titles.filter(year__gte=query.year_from)
    if query.year_to is not None:
        titles = titles.filter(year__lte=query.year_to)
    if query.kind:
        titles = titles.filter(kind=query.kind)
    if query.exclusive is not None:
        titles = titles.filter(exclusive=query.exclusive)
    if query.playable is not None:
        titles = titles.filter(playable=query.playable)
    if query.q:
        titles = titles.filter(
            Q(name__icontains=query.q)
            | Q(original_name__icontains=query.q)
            | Q(synopsis__icontains=query.q)
        )
    return _cards(titles.order_by(*ORDERINGS[query.ordering]))


def title_detail(*, viewer: Any, slug: str) -> Title:
    """One title with seasons, episodes, credits and genres; 404 when the viewer may not see
    it (unknown, not published for non-staff, or above the maturity limit)."""
    titles = within_limit(Title.objects.filter(slug=slug), viewer)
    if not viewer.is_staff:
        titles = titles.filter(status=Title.Status.PUBLISHED)
    title = (
        titles.prefetch_related(
            Prefetch("genres", queryset=Genre.objects.order_by("name")),
            Prefetch(
                "seasons",
                queryset=Season.objects.order_by("number").prefetch_related(
                    Prefetch("episodes", queryset=Episode.objects.order_by("number"))
                ),
            ),
            Prefetch(
                "credits",
                queryset=Credit.objects.select_related("person").order_by("billing_order", "id"),
            ),
        )
    ).first()
    if title is None:
        raise NotFound(f"No title {slug!r}.")
    return title


def title_for_staff(*, slug: str) -> Title:
    title = Title.objects.filter(slug=slug).first()
    if title is None:
        raise NotFound(f"No title {slug!r}.")
    return title


def object_or_404(model: Any, **lookup: Any) -> Any:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        label = model._meta.verbose_name
        raise NotFound(f"No {label} {next(iter(lookup.values()))!r}.")
    return obj


def genre_list() -> QuerySet[Genre]:
    return Genre.objects.order_by("name", "id")


def person_list(*, q: str | None = None) -> QuerySet[Person]:
    people = Person.objects.order_by("name", "id")
    if q:
        people = people.filter(name__icontains=q)
    return people


def person_detail(*, viewer: Any, slug: str) -> tuple[Person, list[Credit]]:
    """A person and their credits on titles the viewer may see (newest first)."""
    person = Person.objects.filter(slug=slug).first()
    if person is None:
        raise NotFound(f"No person {slug!r}.")
    credits = list(
        within_limit(
            Credit.objects.filter(person=person, title__status=Title.Status.PUBLISHED),
            viewer,
            "title__",
        )
        .select_related("title")
        .order_by(F("title__release_date").desc(nulls_last=True), "title_id", "role", "id")
    )
    return person, credits


def home_rows(*, viewer: Any) -> list[dict[str, Any]]:
    """Featured, new, most viewed and one row per top genre (six queries in all)."""
    config = settings()
    size = config.HOME_ROW_SIZE
    visible = visible_titles(viewer)
    rows: list[dict[str, Any]] = [
        {"key": "featured", "name": "Featured", "genre": None,
         "titles": list(visible.filter(featured=True).order_by("-views", "id")[:size])},
        {"key": "new", "name": "New on Streamflix", "genre": None,
         "titles": list(visible.order_by(*ORDERINGS["newest"])[:size])},
        {"key": "most_viewed", "name": "Most viewed", "genre": None,
         "titles": list(visible.order_by("-views", "id")[:size])},
    ]  # fmt: skip
    top_genres = list(
        Genre.objects.annotate(
            published=Count(
                "titles",
                filter=Q(
                    titles__status=Title.Status.PUBLISHED,
                    titles__maturity_rating__lte=viewer.maturity_limit,
                ),
            )
        )
        .filter(published__gt=0)
        .order_by("-published", "name", "id")[: config.HOME_GENRE_ROWS]
    )
    if top_genres:
        through = Title.genres.through
        ranked = (
            through.objects.filter(
                genre_id__in=[g.pk for g in top_genres],
                title__status=Title.Status.PUBLISHED,
                title__maturity_rating__lte=viewer.maturity_limit,
            )
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("genre_id")],
                    order_by=[F("title__views").desc(), F("title_id").asc()],
                )
            )
            .filter(rank__lte=size)  # type: ignore[misc]
            .select_related("title")
            .order_by("genre_id", "rank")
        )
        by_genre: dict[int, list[Title]] = {g.pk: [] for g in top_genres}
        for link in ranked:
            by_genre[link.genre_id].append(link.title)
        for genre in top_genres:
            rows.append(
                {"key": f"genre:{genre.slug}", "name": genre.name, "genre": genre,
                 "titles": by_genre[genre.pk]}
            )  # fmt: skip
    from django.db.models import prefetch_related_objects

    everything = {id(t): t for row in rows for t in row["titles"]}
    prefetch_related_objects(
        list(everything.values()), Prefetch("genres", queryset=Genre.objects.order_by("name"))
    )
    return rows


def sitemap_titles() -> QuerySet[Title]:
    """Published titles that play (a ready feature, or a ready episode of a series) for the
    video sitemap, newest first, each with ``video_duration``: the seconds of its ready
    feature (``None`` for a series)."""
    from ..models import VideoAsset

    feature = VideoAsset.objects.filter(
        title_id=OuterRef("pk"), role=VideoAsset.Role.FEATURE, status=VideoAsset.Status.READY
    ).exclude(output_prefix="")
    return (
        Title.objects.filter(status=Title.Status.PUBLISHED, playable=True)
        .annotate(
            video_duration=Subquery(feature.order_by("-ready_at", "-id").values("duration")[:1])
        )
        .order_by(*ORDERINGS["newest"])[: settings().SITEMAP_MAX_TITLES]
    )
