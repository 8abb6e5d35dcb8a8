"""Schemas of the engagement API: likes, My List and ratings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from streamflix_media.api.schemas.catalog import TitleCardOut

from ..models import RATING_MAX, RATING_MIN


class LikeOut(Schema):
    liked: bool = Field(description="The current profile likes the title.")
    likes: int = Field(description="How many profiles like the title.")


class ListEntryOut(Schema):
    in_list: bool
    added_at: dt.datetime | None = Field(description="When it was put on the list.")


class RatingIn(Schema):
    rating: int = Field(
        ge=RATING_MIN, le=RATING_MAX, strict=True, description="Stars, a whole number 1 to 5."
    )


class RatingOut(Schema):
    my_rating: int | None = Field(description="The current profile's rating; null: none.")
    rating_average: float
    rating_count: int


class MyListItemOut(TitleCardOut):
    """A title card on My List, with when it was added. ``in_list`` is true, and ``liked``
    and ``my_rating`` are the profile's own."""

    added_at: dt.datetime

    @staticmethod
    def resolve_liked(obj: Any) -> bool | None:
        return bool(obj.viewer_liked)

    @staticmethod
    def resolve_in_list(obj: Any) -> bool | None:
        return True

    @staticmethod
    def resolve_my_rating(obj: Any) -> int | None:
        return obj.viewer_rating
