"""Catalog writes. Each is atomic; committed changes bump the catalog version."""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, F, FloatField, Value, When
from django.db.models.functions import Cast, Greatest
from django.utils import timezone
from django.utils.text import slugify

from streamflix_core.errors import Conflict, InvalidInput
from streamflix_core.signals import title_published

from ..conf import settings
from ..images import image_validate, image_variants
from ..models import Credit, Episode, Genre, Person, Season, Title

logger = logging.getLogger(__name__)

TITLE_FIELDS = {
    "kind", "name", "original_name", "slug", "synopsis", "year", "release_date",
    "runtime_minutes", "maturity_rating", "original_language", "exclusive", "featured",
}  # fmt: skip


class UnknownReference(InvalidInput):
    code = "unknown_reference"


class NotASeries(Conflict):
    code = "not_a_series"


def _slug_for(value: str | None, name: str) -> str:
    slug = slugify(value or name)
    if not slug:
        raise InvalidInput("A slug cannot be made from this name.", code="invalid_slug")
    return slug


def _save(instance: Any, conflict: str) -> None:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise Conflict(conflict, code="duplicate") from exc


def _apply(instance: Any, data: dict[str, Any], allowed: set[str]) -> None:
    for name, value in data.items():
        if name in allowed:
            setattr(instance, name, value)


def genre_create(*, name: str, slug: str | None = None) -> Genre:
    """A new genre; 409 when the name or slug is taken."""
    genre = Genre(name=name, slug=_slug_for(slug, name))
    with transaction.atomic():
        _save(genre, f"A genre named {name!r} or with slug {genre.slug!r} exists.")
    return genre


def genre_update(*, genre: Genre, data: dict[str, Any]) -> Genre:
    """Rename a genre or change its slug."""
    _apply(genre, data, {"name", "slug"})
    with transaction.atomic():
        _save(genre, "Another genre has this name or slug.")
    return genre


def genre_delete(*, genre: Genre) -> None:
    with transaction.atomic():
        genre.delete()


def person_create(*, name: str, slug: str | None = None, bio: str = "") -> Person:
    """A new person; 409 when the slug is taken."""
    person = Person(name=name, slug=_slug_for(slug, name), bio=bio)
    with transaction.atomic():
        _save(person, f"A person with slug {person.slug!r} exists.")
    return person


def person_update(*, person: Person, data: dict[str, Any]) -> Person:
    _apply(person, data, {"name", "slug", "bio"})
    with transaction.atomic():
        _save(person, "Another person has this slug.")
    return person


def person_delete(*, person: Person) -> None:
    with transaction.atomic():
        person.delete()


def _genres_by_slug(slugs: list[str]) -> list[Genre]:
    genres = list(Genre.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {g.slug for g in genres})
    if missing:
        raise UnknownReference(f"Unknown genre(s): {', '.join(missing)}.")
    return genres


def title_create(*, data: dict[str, Any]) -> Title:
    """A new draft title from ``data`` (model fields, ``countries`` and genre slugs)."""
    data = dict(data)
    genre_slugs = data.pop("genres", None) or []
    countries = data.pop("countries", None) or []
    title = Title()
    _apply(title, data, TITLE_FIELDS)
    title.slug = _slug_for(data.get("slug"), data.get("name", ""))
    title.countries = countries
    with transaction.atomic():
        genres = _genres_by_slug(genre_slugs)
        _save(title, f"A title with slug {title.slug!r} exists.")
        title.genres.set(genres)
    return title


def title_update(*, title: Title, data: dict[str, Any]) -> Title:
    """Change the fields given in ``data``; ``genres`` replaces the title's genres."""
    data = dict(data)
    genre_slugs = data.pop("genres", None)
    if "countries" in data:
        title.countries = data.pop("countries") or []
    if (
        data.get("kind") == Title.Kind.MOVIE
        and title.kind == Title.Kind.SERIES
        and title.seasons.exists()
    ):
        raise NotASeries("Delete the seasons before making this series a movie.")
    _apply(title, data, TITLE_FIELDS)
    with transaction.atomic():
        if genre_slugs is not None:
            title.genres.set(_genres_by_slug(genre_slugs))
        _save(title, f"A title with slug {title.slug!r} exists.")
    return title


def title_delete(*, title: Title) -> None:
    with transaction.atomic():
        title.delete()


def title_publish(*, title: Title) -> Title:
    """Make ``title`` visible to viewers; sends ``title_published`` after commit."""
    if title.status == Title.Status.PUBLISHED:
        return title
    title_id = title.pk
    with transaction.atomic():
        title.status = Title.Status.PUBLISHED
        title.published_at = timezone.now()
        title.save(update_fields=["status", "published_at", "updated_at"])
        transaction.on_commit(lambda: title_published.send_robust(sender=Title, title_id=title_id))
    return title


def title_unpublish(*, title: Title) -> Title:
    """Hide ``title`` from viewers again (back to draft)."""
    if title.status != Title.Status.PUBLISHED:
        return title
    with transaction.atomic():
        title.status = Title.Status.DRAFT
        title.save(update_fields=["status", "updated_at"])
    return title


def title_image_set(*, title: Title, field: str, upload: Any) -> Title:
    """Store a poster or backdrop after checking it with Pillow, with resized variants."""
    if field not in ("poster", "backdrop"):
        raise InvalidInput(f"Unknown image {field!r}.", code="invalid_image")
    config = settings()
    image_validate(upload, max_bytes=config.MAX_IMAGE_BYTES, max_pixels=config.MAX_IMAGE_PIXELS)
    with transaction.atomic():
        getattr(title, field).save(upload.name or f"{title.slug}.jpg", upload, save=False)
        title_images_refresh(title=title, fields=(field,))
    return title


def title_images_refresh(*, title: Title, fields: tuple[str, ...] = ("poster", "backdrop")) -> None:
    """Regenerate the resized variants of ``fields`` and save them on the title."""
    config = settings()
    widths = {"poster": config.POSTER_WIDTHS, "backdrop": config.BACKDROP_WIDTHS}
    for field in fields:
        name = getattr(title, field).name
        setattr(title, f"{field}_variants", image_variants(name, widths[field]) if name else {})
    title.save()


def season_create(*, title: Title, number: int, name: str = "") -> Season:
    """A new season of a series; 409 for a movie or a taken number."""
    if title.kind != Title.Kind.SERIES:
        raise NotASeries("Only a series has seasons.")
    season = Season(title=title, number=number, name=name)
    with transaction.atomic():
        _save(season, f"Season {number} exists.")
    return season


def season_update(*, season: Season, data: dict[str, Any]) -> Season:
    _apply(season, data, {"number", "name"})
    with transaction.atomic():
        _save(season, f"Season {season.number} exists.")
    return season


def season_delete(*, season: Season) -> None:
    with transaction.atomic():
        season.delete()


EPISODE_FIELDS = {"number", "name", "synopsis", "runtime_minutes", "air_date"}


def episode_create(*, season: Season, data: dict[str, Any]) -> Episode:
    """A new episode in ``season``; 409 when its number is taken."""
    episode = Episode(season=season)
    _apply(episode, data, EPISODE_FIELDS)
    with transaction.atomic():
        _save(episode, f"Episode {episode.number} exists in this season.")
    return episode


def episode_update(*, episode: Episode, data: dict[str, Any]) -> Episode:
    _apply(episode, data, EPISODE_FIELDS)
    with transaction.atomic():
        _save(episode, f"Episode {episode.number} exists in this season.")
    return episode


def episode_delete(*, episode: Episode) -> None:
    with transaction.atomic():
        episode.delete()


CREDIT_FIELDS = {"role", "character_name", "billing_order"}


def credit_create(*, title: Title, person_slug: str, data: dict[str, Any]) -> Credit:
    """Credit a person on a title; 422 for an unknown person, 409 for a duplicate."""
    person = Person.objects.filter(slug=person_slug).first()
    if person is None:
        raise UnknownReference(f"Unknown person: {person_slug}.")
    credit = Credit(title=title, person=person)
    _apply(credit, data, CREDIT_FIELDS)
    with transaction.atomic():
        _save(credit, "This person already has this credit on this title.")
    return credit


def credit_update(*, credit: Credit, data: dict[str, Any]) -> Credit:
    _apply(credit, data, CREDIT_FIELDS)
    with transaction.atomic():
        _save(credit, "This person already has this credit on this title.")
    return credit


def credit_delete(*, credit: Credit) -> None:
    with transaction.atomic():
        credit.delete()


def title_counters_apply(
    *,
    title_id: int,
    views_delta: int = 0,
    likes_delta: int = 0,
    rating_sum_delta: int = 0,
    rating_count_delta: int = 0,
) -> bool:
    """Move a title's engagement counters in one atomic UPDATE; ``False`` if no such title.

    The social plugin calls this: a like is ``likes_delta=1`` (unlike ``-1``); a new rating
    of 4 is ``rating_sum_delta=4, rating_count_delta=1``; changing it to 2 is
    ``rating_sum_delta=-2``; removing it is ``rating_sum_delta=-2, rating_count_delta=-1``.
    Counters never go below zero. Counters do not change the catalog version.
    """
    new_sum = Greatest(F("rating_sum") + rating_sum_delta, Value(0))
    new_count = Greatest(F("rating_count") + rating_count_delta, Value(0))
    updates: dict[str, Any] = {
        "views": Greatest(F("views") + views_delta, Value(0)),
        "likes": Greatest(F("likes") + likes_delta, Value(0)),
    }
    if rating_sum_delta or rating_count_delta:
        updates["rating_sum"] = new_sum
        updates["rating_count"] = new_count
        updates["rating_average"] = Case(
            When(
                **{"rating_count__gt": -rating_count_delta},
                then=Cast(new_sum, FloatField()) / Cast(new_count, FloatField()),
            ),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return Title.objects.filter(pk=title_id).update(**updates) == 1


def title_views_increment(*, title_id: int, by: int = 1) -> bool:
    """Count ``by`` more views of a title (playback calls this)."""
    return title_counters_apply(title_id=title_id, views_delta=by)
