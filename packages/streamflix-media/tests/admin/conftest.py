"""Fixtures of the admin tests: playback sessions built directly (no player involved)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from streamflix_media.models import PlaybackSession, Title, VideoAsset


@pytest.fixture
def make_session(
    make_user: Callable[..., Any], make_profile: Callable[..., Any]
) -> Callable[..., PlaybackSession]:
    """``make_session(title, watched_seconds=..., started_at=..., ended=False, **fields)``:
    a session of a new account on the title's ready feature (active unless ``ended`` or
    last seen long ago)."""
    assets: dict[int, VideoAsset] = {}

    def factory(title: Title, *, ended: bool = False, **fields: Any) -> PlaybackSession:
        asset = assets.get(title.pk)
        if asset is None:
            asset = assets[title.pk] = VideoAsset.objects.create(
                role="feature", title=title, status="ready", duration=3600.0,
                original_filename="feature.mp4", sha256=f"{title.pk:064d}",
            )  # fmt: skip
        user = make_user()
        now = timezone.now()
        fields.setdefault("started_at", now - dt.timedelta(minutes=30))
        fields.setdefault("last_seen_at", now)
        if ended:
            fields.update(ended_at=now, end_reason=PlaybackSession.EndReason.STOPPED)
        return PlaybackSession.objects.create(
            user=user, profile=make_profile(user), asset=asset, title=title,
            device=fields.pop("device", "Living room TV"), duration=3600.0,
            complete_at=3240.0, **fields,
        )  # fmt: skip

    return factory
