"""The playback policy: which asset a viewer may play, at what limits, and its signed URLs.

Entitlement comes from core's playback hook (billing registers a provider); this module
asks it, then signs a grant for the asset's published output."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from streamflix_core.errors import Conflict, NotAuthenticated, NotFound, NotPermitted
from streamflix_core.hooks import PlaybackDecision, PlaybackRequest, decide_playback

from ..conf import settings
from ..delivery import grant, signed_url, url_builder
from ..models import Episode, Title, VideoAsset
from ..storage import hls_base_url, output_storage
from ..transcoding import TranscodeResult


def playable_asset(
    *, title: Title | None = None, episode: Episode | None = None, role: str = "feature"
) -> VideoAsset | None:
    """The newest ready asset of a title (feature or trailer) or of an episode."""
    assets = VideoAsset.objects.filter(status=VideoAsset.Status.READY).exclude(output_prefix="")
    if episode is not None:
        assets = assets.filter(role=VideoAsset.Role.EPISODE, episode=episode)
    else:
        assets = assets.filter(role=role, title=title)
    return assets.order_by("-ready_at", "-id").first()


@dataclass(frozen=True)
class Playback:
    asset: VideoAsset
    url: str
    expires_at: dt.datetime
    duration: float | None
    max_height: int
    renditions: list[int]
    subtitles: list[dict[str, Any]]
    trickplay_url: str | None
    poster_url: str | None
    resume_position: float
    limits: dict[str, Any] = field(default_factory=dict)


class NotSignedIn(NotAuthenticated):
    code = "not_authenticated"


def _check(viewer: Any, title: Title, content_type: str, content_id: int) -> PlaybackDecision:
    if not viewer.is_authenticated:
        raise NotSignedIn("Sign in to watch.")
    if title.status != Title.Status.PUBLISHED and not viewer.is_staff:
        raise NotFound("No such title.")
    if title.maturity_rating > viewer.maturity_limit:
        raise NotPermitted(
            "This title is above the profile's maturity limit.", code="maturity_restricted"
        )
    decision = decide_playback(
        PlaybackRequest(
            user=viewer.user,
            content_type=content_type,
            content_id=content_id,
            profile=viewer.profile,
        )
    )
    if not decision.allowed:
        raise NotPermitted("Playback is not allowed.", code=decision.reason or "playback_denied")
    return decision


def _playback(asset: VideoAsset | None, decision: PlaybackDecision) -> Playback:
    if asset is None or not asset.result:
        raise Conflict("There is no playable video for this yet.", code="no_playable_video")
    result = TranscodeResult.from_dict(asset.result)
    heights = sorted(r.rung.height for r in result.renditions)
    cap = decision.max_video_height
    allowed = [h for h in heights if not cap or h <= cap] or heights[:1]
    # Baking the cap into the grant drops the taller rungs from the master and refuses
    # their files, whatever the client asks for.
    g = grant(
        asset.output_prefix,
        ttl=settings().PLAYBACK_URL_TTL_SECONDS,
        max_height=max(allowed) if cap else None,
    )
    base = hls_base_url()
    url_for = url_builder(output_storage(), g, base)
    prefix = asset.output_prefix
    tracks = [
        {
            "language": t.language,
            "name": t.name,
            "default": t.default,
            "url": url_for(f"{prefix}/{t.vtt}"),
        }
        for t in result.subtitles
    ]
    return Playback(
        asset=asset,
        url=signed_url(base, f"{prefix}/{result.master}", g),
        expires_at=dt.datetime.fromtimestamp(g.expires, tz=dt.UTC),
        duration=result.duration,
        max_height=max(allowed),
        renditions=allowed,
        subtitles=tracks,
        trickplay_url=url_for(f"{prefix}/{result.trickplay.vtt}") if result.trickplay else None,
        poster_url=url_for(f"{prefix}/{result.poster}") if result.poster else None,
        resume_position=0.0,
        limits={
            "max_video_height": decision.max_video_height,
            "max_concurrent_streams": decision.max_concurrent_streams,
        },
    )


def title_playback(*, viewer: Any, slug: str, role: str = "feature") -> Playback:
    """Playback of a title's feature (or trailer). Checks, in order: signed in (401),
    published unless staff (404), maturity limit (403 ``maturity_restricted``), the
    ``playback_entitlement`` hook (403 with its reason), a ready video (409)."""
    if not viewer.is_authenticated:
        raise NotSignedIn("Sign in to watch.")
    title = Title.objects.filter(slug=slug).first()
    if title is None:
        raise NotFound(f"No title {slug!r}.")
    decision = _check(viewer, title, "title", title.pk)
    return _playback(playable_asset(title=title, role=role), decision)


def episode_playback(*, viewer: Any, episode_id: int) -> Playback:
    """Playback of an episode; the same checks as :func:`title_playback`, on its series."""
    if not viewer.is_authenticated:
        raise NotSignedIn("Sign in to watch.")
    episode = Episode.objects.select_related("season__title").filter(pk=episode_id).first()
    if episode is None:
        raise NotFound(f"No episode {episode_id}.")
    decision = _check(viewer, episode.season.title, "episode", episode.pk)
    return _playback(playable_asset(episode=episode), decision)
