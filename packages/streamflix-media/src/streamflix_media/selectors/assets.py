"""Reads of video assets and upload sessions for staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from streamflix_core.errors import NotFound

from ..models import Subtitle, UploadSession, VideoAsset


@dataclass(frozen=True)
class AssetQuery:
    status: str | None = None
    role: str | None = None
    title: str | None = None
    episode: int | None = None
    q: str | None = None


def asset_list(*, query: AssetQuery) -> QuerySet[VideoAsset]:
    """Assets, newest first, filtered; a page costs two queries (rows + subtitles)."""
    assets = VideoAsset.objects.select_related("title", "episode__season__title").prefetch_related(
        Prefetch("subtitles", queryset=Subtitle.objects.order_by("language", "id"))
    )
    if query.status:
        assets = assets.filter(status=query.status)
    if query.role:
        assets = assets.filter(role=query.role)
    if query.title:
        assets = assets.filter(
            Q(title__slug=query.title) | Q(episode__season__title__slug=query.title)
        )
    if query.episode is not None:
        assets = assets.filter(episode_id=query.episode)
    if query.q:
        assets = assets.filter(original_filename__icontains=query.q)
    return assets.order_by("-created_at", "-id")


def asset_get(*, asset_id: int) -> VideoAsset:
    asset = asset_list(query=AssetQuery()).filter(pk=asset_id).first()
    if asset is None:
        raise NotFound(f"No video asset {asset_id}.")
    return asset


def upload_session_get(*, session_id: Any, user: Any = None) -> UploadSession:
    """An upload session; with ``user``, only one that user started (404 otherwise)."""
    sessions = UploadSession.objects.select_related("title", "episode").filter(pk=session_id)
    if user is not None:
        sessions = sessions.filter(created_by_id=getattr(user, "pk", None))
    session = sessions.first()
    if session is None:
        raise NotFound(f"No upload {session_id}.")
    return session
