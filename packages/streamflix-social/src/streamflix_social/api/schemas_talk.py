"""Schemas of the reviews and comments API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

DELETED_ACCOUNT = "deleted account"


class AuthorOut(Schema):
    name: str = Field(description='The profile\'s name, or "deleted account".')
    avatar: str
    deleted: bool = Field(description="The author's profile or account no longer exists.")


def author_out(profile: Any) -> dict[str, Any]:
    if profile is None:
        return {"name": DELETED_ACCOUNT, "avatar": "", "deleted": True}
    return {"name": profile.name, "avatar": profile.avatar, "deleted": False}


class ReviewIn(Schema):
    text: str = Field(min_length=1, description="Length capped by REVIEW_MAX_LENGTH.")
    rating: int | None = Field(None, ge=1, le=5, description="Stars, 1-5 (optional).")
    spoiler: bool = False


class ReviewPatch(Schema):
    text: str | None = Field(None, min_length=1)
    rating: int | None = Field(None, ge=1, le=5, description="null clears the rating.")
    spoiler: bool | None = None


class ReviewOut(Schema):
    id: int
    author: AuthorOut
    text: str
    rating: int | None
    spoiler: bool
    helpful_count: int
    voted: bool = Field(description="The current profile found this review helpful.")
    mine: bool = Field(description="Written by the current profile.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Any) -> dict[str, Any]:
        return author_out(obj.profile)

    @staticmethod
    def resolve_helpful_count(obj: Any) -> int:
        return getattr(obj, "helpful_count", 0)

    @staticmethod
    def resolve_voted(obj: Any) -> bool:
        return bool(getattr(obj, "voted", False))

    @staticmethod
    def resolve_mine(obj: Any) -> bool:
        return bool(getattr(obj, "mine", True))


class HelpfulOut(Schema):
    review_id: int
    helpful_count: int
    voted: bool


class CommentIn(Schema):
    text: str = Field(min_length=1, description="Length capped by COMMENT_MAX_LENGTH.")
    parent_id: int | None = Field(
        None, description="Reply to this comment (a reply to a reply joins its root's thread)."
    )
    position: float | None = Field(
        None, ge=0, allow_inf_nan=False, description="Seconds into the video (optional)."
    )


class CommentPatch(Schema):
    text: str = Field(min_length=1)


class ReplyOut(Schema):
    id: int
    parent_id: int | None
    author: AuthorOut
    text: str = Field(description="Empty once the comment is deleted.")
    position: float | None
    removed: bool = Field(description="Deleted by its author (shown as deleted).")
    mine: bool
    created_at: dt.datetime
    edited_at: dt.datetime | None

    @staticmethod
    def resolve_author(obj: Any) -> dict[str, Any]:
        return author_out(obj.profile)

    @staticmethod
    def resolve_removed(obj: Any) -> bool:
        return obj.is_removed

    @staticmethod
    def resolve_text(obj: Any) -> str:
        return "" if obj.is_removed else obj.text

    @staticmethod
    def resolve_mine(obj: Any) -> bool:
        return bool(getattr(obj, "mine", True))


class CommentOut(ReplyOut):
    replies: list[ReplyOut] = Field(description="Oldest first; threads are one level deep.")

    @staticmethod
    def resolve_replies(obj: Any) -> list[Any]:
        return list(getattr(obj, "thread_replies", []))


class ReportIn(Schema):
    reason: str = Field("", max_length=200)


class ReportOut(Schema):
    comment_id: int
    reported: bool = Field(description="Always true: the profile's report is on record.")
    new: bool = Field(description="False when this profile had already reported it.")
