"""Catalog import from CSV or JSON: every row checked first, then all written or nothing.

JSON: ``{"genres": [{"name", "slug"?}], "people": [{"name", "slug"?, "bio"?}],
"titles": [{...title fields, "status"?, "genres": [slug], "credits": [{"person": slug,
"role", "character_name"?, "billing_order"?}], "seasons": [{"number", "name"?,
"episodes": [{"number", "name", ...}]}]}]}``.

CSV: one title per row with the title fields as columns; ``countries``, ``genres``,
``directors``, ``writers``, ``creators`` and ``actors`` hold ``|``-separated values; genres
and people are named (created when missing).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from pydantic import BaseModel, Field, ValidationError

from ..models import Credit, Episode, Genre, Person, Season, Title
from ..search import catalog_changed
from .inputs import EpisodeIn, SeasonIn, TitleIn


class ImportError_(Exception):
    """The input was rejected; ``errors`` lists every problem with its row."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class GenreRow(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    slug: str | None = Field(None, max_length=80)


class PersonRow(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(None, max_length=200)
    bio: str = ""


class CreditRow(BaseModel):
    person: str = Field(min_length=1)
    role: Literal["director", "writer", "creator", "actor"]
    character_name: str = Field("", max_length=255)
    billing_order: int = Field(0, ge=0)


class SeasonRow(SeasonIn):
    episodes: list[EpisodeIn] = Field(default_factory=list)


class TitleRow(TitleIn):
    status: Literal["draft", "in_review", "published", "archived"] = "draft"
    credits: list[CreditRow] = Field(default_factory=list)
    seasons: list[SeasonRow] = Field(default_factory=list)


@dataclass
class ImportReport:
    genres: int = 0
    people: int = 0
    titles: int = 0
    credits: int = 0
    seasons: int = 0
    episodes: int = 0
    errors: list[str] = field(default_factory=list)


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in error.errors()
    )


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def parse_csv(text: str) -> dict[str, Any]:
    """Turn CSV rows into the JSON shape (people and genres named, so created by name)."""
    genres: dict[str, dict[str, str]] = {}
    people: dict[str, dict[str, str]] = {}
    titles = []
    for row in csv.DictReader(io.StringIO(text)):
        data: dict[str, Any] = {
            k: v for k, v in row.items() if k and v not in (None, "") and k not in _LIST_COLUMNS
        }
        for flag in ("exclusive", "featured"):
            if flag in data:
                data[flag] = data[flag].strip().lower() in ("1", "true", "yes", "y")
        data["countries"] = _split(row.get("countries"))
        data["genres"] = []
        for name in _split(row.get("genres")):
            genres.setdefault(slugify(name), {"name": name, "slug": slugify(name)})
            data["genres"].append(slugify(name))
        data["credits"] = []
        for column, role in (("directors", "director"), ("writers", "writer"),
                             ("creators", "creator"), ("actors", "actor")):  # fmt: skip
            for order, name in enumerate(_split(row.get(column)), start=1):
                people.setdefault(slugify(name), {"name": name, "slug": slugify(name)})
                data["credits"].append(
                    {"person": slugify(name), "role": role, "billing_order": order}
                )
        titles.append(data)
    return {"genres": list(genres.values()), "people": list(people.values()), "titles": titles}


_LIST_COLUMNS = {"countries", "genres", "directors", "writers", "creators", "actors"}


def parse(text: str, *, fmt: str) -> dict[str, Any]:
    """``fmt`` is ``"json"`` or ``"csv"``."""
    if fmt == "csv":
        return parse_csv(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportError_([f"not valid JSON: {exc}"]) from exc
    if not isinstance(data, dict):
        raise ImportError_(["the JSON document must be an object with genres, people, titles"])
    return data


def catalog_import(*, data: dict[str, Any]) -> ImportReport:
    """Validate every row of ``data``, then write it all in one transaction.

    Raises :class:`ImportError_` listing every bad row; then nothing is saved. Existing
    genres and people (by slug) are reused; an existing title slug is an error.
    """
    errors: list[str] = []
    genre_rows: list[GenreRow] = []
    person_rows: list[PersonRow] = []
    title_rows: list[tuple[int, TitleRow]] = []
    for section, model, target in (
        ("genres", GenreRow, genre_rows),
        ("people", PersonRow, person_rows),
    ):
        for number, raw in enumerate(data.get(section) or [], start=1):
            try:
                target.append(model.model_validate(raw))  # type: ignore[attr-defined,arg-type]
            except ValidationError as exc:
                errors.append(f"{section} row {number}: {_describe(exc)}")
    for number, raw in enumerate(data.get("titles") or [], start=1):
        try:
            title_rows.append((number, TitleRow.model_validate(raw)))
        except ValidationError as exc:
            label = raw.get("slug") or raw.get("name") if isinstance(raw, dict) else None
            errors.append(f"titles row {number} ({label or '?'}): {_describe(exc)}")
    genre_slugs = {g.slug or slugify(g.name) for g in genre_rows}
    genre_slugs |= set(Genre.objects.values_list("slug", flat=True))
    person_slugs = {p.slug or slugify(p.name) for p in person_rows}
    person_slugs |= set(Person.objects.filter().values_list("slug", flat=True))
    existing = set(Title.objects.values_list("slug", flat=True))
    seen: set[str] = set()
    for number, row in title_rows:
        slug = row.slug or slugify(row.name)
        label = f"titles row {number} ({slug})"
        if not slug:
            errors.append(f"{label}: a slug cannot be made from the name")
        if slug in existing:
            errors.append(f"{label}: a title with slug {slug!r} already exists")
        if slug in seen:
            errors.append(f"{label}: slug {slug!r} appears twice in this file")
        seen.add(slug)
        for genre in row.genres:
            if genre not in genre_slugs:
                errors.append(f"{label}: unknown genre {genre!r}")
        for credit in row.credits:
            if credit.person not in person_slugs:
                errors.append(f"{label}: unknown person {credit.person!r}")
        if row.seasons and row.kind != "series":
            errors.append(f"{label}: only a series has seasons")
    if errors:
        raise ImportError_(errors)
    report = ImportReport()
    with transaction.atomic():
        for g in genre_rows:
            _, made = Genre.objects.get_or_create(
                slug=g.slug or slugify(g.name), defaults={"name": g.name}
            )
            report.genres += made
        for p in person_rows:
            _, made = Person.objects.get_or_create(
                slug=p.slug or slugify(p.name), defaults={"name": p.name, "bio": p.bio}
            )
            report.people += made
        genres = dict(Genre.objects.values_list("slug", "id"))
        people = dict(Person.objects.values_list("slug", "id"))
        for _, row in title_rows:
            fields = row.model_dump(exclude={"genres", "credits", "seasons", "countries"})
            fields["slug"] = row.slug or slugify(row.name)
            title = Title(**fields)
            title.countries = row.countries
            if title.status == Title.Status.PUBLISHED:
                title.published_at = timezone.now()
            title.save()
            title.genres.set([genres[s] for s in row.genres])
            report.titles += 1
            for credit in row.credits:
                Credit.objects.create(
                    title=title,
                    person_id=people[credit.person],
                    role=credit.role,
                    character_name=credit.character_name,
                    billing_order=credit.billing_order,
                )
                report.credits += 1
            for season_row in row.seasons:
                season = Season.objects.create(
                    title=title, number=season_row.number, name=season_row.name
                )
                report.seasons += 1
                for episode in season_row.episodes:
                    Episode.objects.create(season=season, **episode.model_dump())
                    report.episodes += 1
        catalog_changed()
    return report
