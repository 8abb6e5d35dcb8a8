"""Starting playback: who may play what, at what limits; the playback session it opens;
the signed URLs bound to that session.

Entitlement comes from core's playback hook (billing registers a provider). A feature or an
episode opens a :class:`~streamflix_media.models.PlaybackSession`, counted against the
decision's concurrent-stream limit; trailers and the staff preview open none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from streamflix_core.errors import Conflict, NotAuthenticated, NotFound, NotPermitted
from streamflix_core.hooks import PlaybackDecision, PlaybackRequest, decide_playback
from streamflix_core.viewer import require_profile

from ..conf import settings
from ..delivery import Grant, grant, signed_url, url_builder
from ..models import Episode, PlaybackSession, Title, VideoAsset, WatchProgress
from ..session_state import session_record_store, session_seen
from ..storage import hls_base_url, output_storage
from ..transcoding import TranscodeResult
from ..watch_rules import active_sessions, completion_point, resume_position


class NotSignedIn(NotAuthenticated):
    code = "not_authenticated"


class ConcurrentStreamLimit(Conflict):
    """The account already watches on as many devices as its plan allows."""

    code = "concurrent_stream_limit"


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
    session: PlaybackSession | None
    url: str
    expires_at: dt.datetime
    duration: float | None
    max_height: int
    renditions: list[int]
    subtitles: list[dict[str, Any]]
    trickplay_url: str | None
    poster_url: str | None
    resume_position: float
    markers: dict[str, float | None]
    limits: dict[str, Any] = field(default_factory=dict)
    next_episode: Episode | None = None
    dash_url: str | None = None
    audio_tracks: list[dict[str, Any]] = field(default_factory=list)


def _visible(viewer: Any, title: Title) -> None:
    if title.status != Title.Status.PUBLISHED and not viewer.is_staff:
        raise NotFound("No such title.")
    if title.maturity_rating > viewer.maturity_limit:
        raise NotPermitted(
            "This title is above the profile's maturity limit.", code="maturity_restricted"
        )


FREE = PlaybackDecision(allowed=True)


def _decide(viewer: Any, title: Title, content_type: str, content_id: int) -> PlaybackDecision:
    _visible(viewer, title)
    if viewer.is_staff:
        # Staff preview anything, whatever their own subscription says.
        return FREE
    decision = decide_playback(
        PlaybackRequest(
            user=viewer.user, content_type=content_type, content_id=content_id,
            profile=viewer.profile,
        )
    )  # fmt: skip
    if not decision.allowed:
        raise NotPermitted("Playback is not allowed.", code=decision.reason or "playback_denied")
    return decision


def _ready(asset: VideoAsset | None) -> tuple[VideoAsset, TranscodeResult]:
    if asset is None or not asset.result:
        raise Conflict("There is no playable video for this yet.", code="no_playable_video")
    return asset, TranscodeResult.from_dict(asset.result)


def _signed(
    asset: VideoAsset,
    result: TranscodeResult,
    decision: PlaybackDecision,
    *,
    session: PlaybackSession | None,
    resume: float = 0.0,
    next_episode: Episode | None = None,
) -> Playback:
    heights = sorted({r.rung.short_side for r in result.renditions})
    cap = decision.max_video_height
    allowed = [h for h in heights if not cap or h <= cap] or heights[:1]
    ttl = settings().PLAYBACK_URL_TTL_SECONDS
    if session is None:
        # No heartbeats renew a trailer's URLs: they last the video's length and then some.
        ttl += int(result.duration or 0)
    # Baking the cap into the grant drops the taller rungs from the master and refuses
    # their files, whatever the client asks for.
    g: Grant = grant(
        asset.output_prefix,
        ttl=ttl,
        max_height=max(allowed) if cap else None,
        session=str(session.pk) if session is not None else None,
    )
    base = hls_base_url()
    url_for = url_builder(output_storage(), g, base)
    prefix = asset.output_prefix
    tracks = [
        {"language": t.language, "name": t.name, "default": t.default,
         "url": url_for(f"{prefix}/{t.vtt}")}
        for t in result.subtitles
    ]  # fmt: skip
    return Playback(
        asset=asset,
        session=session,
        url=signed_url(base, f"{prefix}/{result.master}", g),
        dash_url=signed_url(base, f"{prefix}/{result.dash}", g) if result.dash else None,
        audio_tracks=[track.describe() for track in result.audio_tracks],
        expires_at=dt.datetime.fromtimestamp(g.expires, tz=dt.UTC),
        duration=result.duration,
        max_height=max(allowed),
        renditions=allowed,
        subtitles=tracks,
        trickplay_url=url_for(f"{prefix}/{result.trickplay.vtt}") if result.trickplay else None,
        poster_url=url_for(f"{prefix}/{result.poster}") if result.poster else None,
        resume_position=resume,
        markers={
            "intro_start": asset.intro_start,
            "intro_end": asset.intro_end,
            "credits_start": asset.credits_start,
        },
        limits={
            "max_video_height": decision.max_video_height,
            "max_concurrent_streams": decision.max_concurrent_streams,
        },
        next_episode=next_episode,
    )


def _session_open(
    *,
    viewer: Any,
    title: Title,
    episode: Episode | None,
    asset: VideoAsset,
    duration: float,
    device: str,
    limit: int | None,
) -> tuple[PlaybackSession, WatchProgress]:
    """Open a session, or refuse with 409 ``concurrent_stream_limit`` (listing the account's
    active sessions) when the account already has ``limit`` of them.

    The new row is written first and the account row locked before counting, so two
    requests racing for the last slot in two processes are serialised: on PostgreSQL by
    the row lock, on SQLite by its single writer. The loser's row is rolled back.
    """
    now = timezone.now()
    with transaction.atomic():
        session = PlaybackSession.objects.create(
            user=viewer.user,
            profile=viewer.profile,
            asset=asset,
            title=title,
            episode=episode,
            device=device,
            duration=duration,
            complete_at=completion_point(duration, asset.credits_start),
            started_at=now,
            last_seen_at=now,
        )
        if limit:
            get_user_model().objects.select_for_update().filter(pk=viewer.user.pk).first()
            active = list(active_sessions(user_id=viewer.user.pk))
            if len(active) > limit:
                others = [s for s in active if s.pk != session.pk]
                raise ConcurrentStreamLimit(
                    f"This account already watches on {len(others)} device(s), the most its "
                    "plan allows. Stop one of them to watch here.",
                    sessions=[session_summary(s) for s in others],
                )
        progress, _ = WatchProgress.objects.get_or_create(
            profile=viewer.profile,
            title=title,
            episode=episode,
            defaults={"watched_at": now, "duration": duration},
        )
        PlaybackSession.objects.filter(pk=session.pk).update(progress=progress)
        session.progress = progress
    session_record_store(session)
    session_seen(str(session.pk))
    return session, progress


def session_summary(session: PlaybackSession) -> dict[str, Any]:
    """What the account is shown of one of its active sessions (a 409 body, the list)."""
    return {
        "id": str(session.pk),
        "device": session.device,
        "profile": session.profile.name,
        "title": session.title.name,
        "episode": session.episode.name if session.episode is not None else None,
        "since": session.started_at.isoformat(),
        "last_seen_at": session.last_seen_at.isoformat(),
    }


def next_episode_after(episode: Episode) -> Episode | None:
    """The episode after ``episode`` in its series (the next season's first after the last)."""
    season = episode.season
    return (
        Episode.objects.filter(season__title_id=season.title_id)
        .filter(
            Q(season__number=season.number, number__gt=episode.number)
            | Q(season__number__gt=season.number)
        )
        .select_related("season")
        .order_by("season__number", "number", "id")
        .first()
    )


def playback_start_title(
    *, viewer: Any, slug: str, device: str, video: str = "feature"
) -> Playback:
    """Play a title's feature (opens a session) or its trailer (no session).

    Checks, in order: signed in (401), published unless staff (404), maturity limit (403
    ``maturity_restricted``); for the feature also the ``playback_entitlement`` hook (403
    with its reason; staff are always allowed), a chosen profile (403 ``profile_required``),
    a ready video (409 ``no_playable_video``) and the concurrent-stream limit (409
    ``concurrent_stream_limit``). A trailer needs only a signed-in viewer it is suitable for;
    a staff account without a profile previews (no session).
    """
    if not viewer.is_authenticated:
        raise NotSignedIn("Sign in to watch.")
    title = Title.objects.filter(slug=slug).first()
    if title is None:
        raise NotFound(f"No title {slug!r}.")
    if video == VideoAsset.Role.TRAILER:
        _visible(viewer, title)
        asset, result = _ready(playable_asset(title=title, role=video))
        return _signed(asset, result, FREE, session=None)
    decision = _decide(viewer, title, "title", title.pk)
    if viewer.is_staff and viewer.profile is None:
        return asset_preview(asset=playable_asset(title=title, role=VideoAsset.Role.FEATURE))
    require_profile(viewer)
    asset, result = _ready(playable_asset(title=title, role=VideoAsset.Role.FEATURE))
    duration = float(result.duration or asset.duration or 0)
    session, progress = _session_open(
        viewer=viewer, title=title, episode=None, asset=asset, duration=duration,
        device=device, limit=decision.max_concurrent_streams,
    )  # fmt: skip
    resume = resume_position(progress.position, duration, session.complete_at)
    return _signed(asset, result, decision, session=session, resume=resume)


def playback_start_episode(*, viewer: Any, episode_id: int, device: str) -> Playback:
    """Play an episode (opens a session); the checks of :func:`playback_start_title`, run on
    its series. The answer names the next episode, for the player's "Next episode"."""
    if not viewer.is_authenticated:
        raise NotSignedIn("Sign in to watch.")
    episode = Episode.objects.select_related("season__title").filter(pk=episode_id).first()
    if episode is None:
        raise NotFound(f"No episode {episode_id}.")
    title = episode.season.title
    decision = _decide(viewer, title, "episode", episode.pk)
    if viewer.is_staff and viewer.profile is None:
        return asset_preview(asset=playable_asset(episode=episode))
    require_profile(viewer)
    asset, result = _ready(playable_asset(episode=episode))
    duration = float(result.duration or asset.duration or 0)
    session, progress = _session_open(
        viewer=viewer, title=title, episode=episode, asset=asset, duration=duration,
        device=device, limit=decision.max_concurrent_streams,
    )  # fmt: skip
    resume = resume_position(progress.position, duration, session.complete_at)
    return _signed(
        asset, result, decision, session=session, resume=resume,
        next_episode=next_episode_after(episode),
    )  # fmt: skip


def asset_preview(*, asset: VideoAsset | None) -> Playback:
    """A staff preview of any ready asset (no session, no subscription, no view counted);
    also what a staff account without a profile gets when it plays a title."""
    asset, result = _ready(asset if asset and asset.status == VideoAsset.Status.READY else None)
    return _signed(asset, result, FREE, session=None)
