"""The catalog's input contract: what a new title, season or episode must look like.

Services take these validated values; the API uses them as request bodies and the importer
as rows, so a title is held to the same rules however it arrives."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from streamflix_core.maturity import Maturity

Kind = Literal["movie", "series"]


def country_codes(value: list[str]) -> list[str]:
    """Upper-case two-letter ISO 3166 codes; ``ValueError`` naming the first bad one."""
    for code in value:
        if len(code) != 2 or not code.isalpha():
            raise ValueError(f"{code!r} is not a two-letter ISO 3166 country code")
    return [code.upper() for code in value]


class TitleIn(BaseModel):
    kind: Kind = "movie"
    name: str = Field(min_length=1, max_length=255)
    original_name: str = Field("", max_length=255)
    slug: str | None = Field(None, max_length=255, pattern=r"^[-a-z0-9_]+$")
    synopsis: str = ""
    year: int | None = Field(None, ge=1870, le=2100)
    release_date: dt.date | None = None
    runtime_minutes: int | None = Field(None, ge=1, le=10_000)
    maturity_rating: Maturity = Maturity.ALL
    countries: list[str] = Field(default_factory=list, max_length=30)
    original_language: str = Field("", max_length=12)
    exclusive: bool = False
    featured: bool = False
    genres: list[str] = Field(default_factory=list, max_length=30)

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        return country_codes(value)


class SeasonIn(BaseModel):
    number: int = Field(ge=0, le=1000)
    name: str = Field("", max_length=255)


class EpisodeIn(BaseModel):
    number: int = Field(ge=0, le=10_000)
    name: str = Field(min_length=1, max_length=255)
    synopsis: str = ""
    runtime_minutes: int | None = Field(None, ge=1, le=10_000)
    air_date: dt.date | None = None
