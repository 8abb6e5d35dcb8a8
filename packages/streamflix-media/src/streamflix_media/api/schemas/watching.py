"""Schemas of the watching API: history items and the "Continue watching" / "Next up" rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from ...selectors import WatchItem
from ...watch_rules import resume_position
from .catalog import EpisodeRefOut, TitleRefOut, WatchItemOut

__all__ = ["EpisodeRefOut", "HistoryItemOut", "WatchItemOut", "watch_item_out"]


def episode_ref(episode: Any) -> dict[str, Any] | None:
    if episode is None:
        return None
    return {
        "id": episode.pk,
        "season": episode.season.number,
        "number": episode.number,
        "name": episode.name,
        "playable": episode.playable,
    }


def watch_item_out(item: WatchItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "episode": episode_ref(item.episode),
        "position": item.position,
        "duration": item.duration,
        "resume_position": item.resume_position,
        "watched_at": item.watched_at,
    }


class HistoryItemOut(Schema):
    id: int
    title: TitleRefOut
    episode: EpisodeRefOut | None
    position: float
    duration: float
    resume_position: float
    played: bool
    play_count: int
    watched_at: dt.datetime
    progress_percent: float = Field(description="How far in, 0-100 (100 once played).")

    @staticmethod
    def resolve_episode(obj: Any) -> dict[str, Any] | None:
        return episode_ref(obj.episode)

    @staticmethod
    def resolve_resume_position(obj: Any) -> float:
        return resume_position(obj.position, obj.duration)

    @staticmethod
    def resolve_progress_percent(obj: Any) -> float:
        if obj.played and obj.position == 0:
            return 100.0
        return round(100 * obj.position / obj.duration, 1) if obj.duration else 0.0
