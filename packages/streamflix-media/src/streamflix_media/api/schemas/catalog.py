"""Schemas of the catalog API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator, model_validator

from streamflix_core.maturity import Maturity

from ...images import image_variant_urls
from ...services.inputs import EpisodeIn, Kind, SeasonIn, TitleIn, country_codes

__all__ = ["EpisodeIn", "SeasonIn", "TitleIn"]  # the services' input contract, as bodies

Role = Literal["director", "writer", "creator", "actor"]
ROLE_ORDER: tuple[str, ...] = ("director", "creator", "writer", "actor")
Ordering = Literal["newest", "oldest", "name", "views", "likes", "rating"]
StatusFilter = Literal["draft", "in_review", "published", "archived", "any"]


def _url(field: Any) -> str | None:
    return field.url if field else None


class GenreOut(Schema):
    id: int
    name: str
    slug: str


class GenreIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    slug: str | None = Field(None, max_length=80, pattern=r"^[-a-z0-9_]+$")


class GenrePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=80)
    slug: str | None = Field(None, min_length=1, max_length=80, pattern=r"^[-a-z0-9_]+$")


class PersonOut(Schema):
    id: int
    name: str
    slug: str
    photo: str | None

    @staticmethod
    def resolve_photo(obj: Any) -> str | None:
        return _url(obj.photo)


class PersonIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(None, max_length=200, pattern=r"^[-a-z0-9_]+$")
    bio: str = ""


class PersonPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    slug: str | None = Field(None, min_length=1, max_length=200, pattern=r"^[-a-z0-9_]+$")
    bio: str | None = None


class ProgressOut(Schema):
    """Where the signed-in profile is in a movie or an episode."""

    episode_id: int | None = Field(description="For a series: the episode it is about.")
    position: float
    duration: float
    resume_position: float = Field(description="Where playback resumes; 0 starts over.")
    played: bool = Field(description="Watched to the end at least once.")
    watched_at: dt.datetime


class TitleCardOut(Schema):
    """A title in a list or a row: enough to draw a card. ``progress`` is the signed-in
    profile's (for a series, on its most recently watched episode); ``liked``, ``in_list``
    and ``my_rating`` are its own too, given by the plugins that keep them (core's
    ``title_viewer_marks`` hook; the social plugin), else ``null``."""

    id: int
    slug: str
    name: str
    original_name: str
    kind: Kind
    year: int | None
    maturity_rating: int
    countries: list[str]
    exclusive: bool
    featured: bool
    status: str
    published_at: dt.datetime | None
    poster: str | None
    poster_variants: dict[str, str]
    backdrop: str | None
    backdrop_variants: dict[str, str]
    genres: list[GenreOut]
    views: int
    likes: int
    rating_average: float
    rating_count: int
    playable: bool = Field(description="A video is ready to play.")
    progress: ProgressOut | None = None
    liked: bool | None = None
    in_list: bool | None = None
    my_rating: int | None = None

    @staticmethod
    def resolve_progress(obj: Any) -> Any:
        return getattr(obj, "viewer_progress", None)

    @staticmethod
    def resolve_liked(obj: Any) -> bool | None:
        return getattr(obj, "viewer_state", {}).get("liked")

    @staticmethod
    def resolve_in_list(obj: Any) -> bool | None:
        return getattr(obj, "viewer_state", {}).get("in_list")

    @staticmethod
    def resolve_my_rating(obj: Any) -> int | None:
        return getattr(obj, "viewer_state", {}).get("my_rating")

    @staticmethod
    def resolve_poster(obj: Any) -> str | None:
        return _url(obj.poster)

    @staticmethod
    def resolve_backdrop(obj: Any) -> str | None:
        return _url(obj.backdrop)

    @staticmethod
    def resolve_poster_variants(obj: Any) -> dict[str, str]:
        return image_variant_urls(obj.poster_variants)

    @staticmethod
    def resolve_backdrop_variants(obj: Any) -> dict[str, str]:
        return image_variant_urls(obj.backdrop_variants)

    @staticmethod
    def resolve_genres(obj: Any) -> list[Any]:
        return list(obj.genres.all())


class EpisodeOut(Schema):
    id: int
    number: int
    name: str
    synopsis: str
    runtime_minutes: int | None
    air_date: dt.date | None
    playable: bool
    views: int
    progress: ProgressOut | None = None

    @staticmethod
    def resolve_progress(obj: Any) -> Any:
        return getattr(obj, "viewer_progress", None)


class SeasonOut(Schema):
    id: int
    number: int
    name: str
    episodes: list[EpisodeOut]

    @staticmethod
    def resolve_episodes(obj: Any) -> list[Any]:
        return list(obj.episodes.all())


class SeasonSummaryOut(Schema):
    id: int
    number: int
    name: str


class CreditOut(Schema):
    id: int
    person: PersonOut
    role: Role
    character_name: str
    billing_order: int


class TitleOut(TitleCardOut):
    """A title's page: seasons with episodes, credits grouped by role, genres, counters."""

    synopsis: str
    release_date: dt.date | None
    runtime_minutes: int | None
    original_language: str
    seasons: list[SeasonOut]
    credits: dict[str, list[CreditOut]]

    @staticmethod
    def resolve_seasons(obj: Any) -> list[Any]:
        return list(obj.seasons.all())

    @staticmethod
    def resolve_credits(obj: Any) -> dict[str, list[Any]]:
        grouped: dict[str, list[Any]] = {role: [] for role in ROLE_ORDER}
        for credit in obj.credits.all():
            grouped.setdefault(credit.role, []).append(credit)
        return grouped


class TitlePatch(Schema):
    kind: Kind | None = None
    name: str | None = Field(None, min_length=1, max_length=255)
    original_name: str | None = Field(None, max_length=255)
    slug: str | None = Field(None, min_length=1, max_length=255, pattern=r"^[-a-z0-9_]+$")
    synopsis: str | None = None
    year: int | None = Field(None, ge=1870, le=2100)
    release_date: dt.date | None = None
    runtime_minutes: int | None = Field(None, ge=1, le=10_000)
    maturity_rating: Maturity | None = None
    countries: list[str] | None = Field(None, max_length=30)
    original_language: str | None = Field(None, max_length=12)
    exclusive: bool | None = None
    featured: bool | None = None
    genres: list[str] | None = Field(None, max_length=30)

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else country_codes(value)


class TitleFilter(Schema):
    """Filters and ordering of ``GET /api/media/titles``."""

    genre: str | None = Field(None, max_length=80, description="Genre slug.")
    person: str | None = Field(None, max_length=200, description="Person slug.")
    role: Role | None = Field(None, description="With ``person``: only credits in this role.")
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 code.")
    year_from: int | None = Field(None, ge=1870, le=2100)
    year_to: int | None = Field(None, ge=1870, le=2100)
    kind: Kind | None = None
    exclusive: bool | None = None
    playable: bool | None = Field(None, description="Only titles with (or without) a video.")
    q: str | None = Field(None, min_length=1, max_length=100, description="Substring.")
    status: StatusFilter | None = Field(None, description="Staff only, except ``published``.")
    ordering: Ordering = "newest"

    @model_validator(mode="after")
    def _years(self) -> TitleFilter:
        if (
            self.year_from is not None
            and self.year_to is not None
            and self.year_from > self.year_to
        ):
            raise ValueError("year_from must not be after year_to")
        return self


class SeasonPatch(Schema):
    number: int | None = Field(None, ge=0, le=1000)
    name: str | None = Field(None, max_length=255)


class EpisodePatch(Schema):
    number: int | None = Field(None, ge=0, le=10_000)
    name: str | None = Field(None, min_length=1, max_length=255)
    synopsis: str | None = None
    runtime_minutes: int | None = Field(None, ge=1, le=10_000)
    air_date: dt.date | None = None


class CreditIn(Schema):
    person: str = Field(min_length=1, max_length=200, description="Person slug.")
    role: Role
    character_name: str = Field("", max_length=255)
    billing_order: int = Field(0, ge=0, le=10_000)


class CreditPatch(Schema):
    role: Role | None = None
    character_name: str | None = Field(None, max_length=255)
    billing_order: int | None = Field(None, ge=0, le=10_000)


class TitleRefOut(Schema):
    id: int
    slug: str
    name: str
    kind: Kind
    year: int | None
    maturity_rating: int
    poster_variants: dict[str, str]

    @staticmethod
    def resolve_poster_variants(obj: Any) -> dict[str, str]:
        return image_variant_urls(obj.poster_variants)


class FilmographyItemOut(Schema):
    title: TitleRefOut
    role: Role
    character_name: str


class PersonDetailOut(PersonOut):
    bio: str
    filmography: list[FilmographyItemOut]


class SearchResultOut(Schema):
    type: Literal["title", "person"]
    score: float
    id: int
    slug: str
    name: str
    kind: Kind | None = None
    year: int | None = None
    maturity_rating: int | None = None


class SearchOut(Schema):
    query: str
    results: list[SearchResultOut]


class EpisodeRefOut(Schema):
    id: int
    season: int
    number: int
    name: str
    playable: bool


class WatchItemOut(Schema):
    """A card of "Continue watching" or "Next up": the title, the episode for a series, and
    where to resume."""

    title: TitleCardOut
    episode: EpisodeRefOut | None
    position: float
    duration: float
    resume_position: float
    watched_at: dt.datetime | None


class HomeRowOut(Schema):
    key: str
    name: str
    genre: GenreOut | None
    titles: list[TitleCardOut]
    items: list[WatchItemOut] = Field(
        default_factory=list,
        description='The personal rows ("continue_watching", "next_up"): per title, the '
        "episode and where to resume.",
    )


class HomeOut(Schema):
    rows: list[HomeRowOut]
