"""Starting playback: a playback session and its short-lived signed URLs, for a title's
feature (or trailer) or an episode; the staff preview of any asset."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from streamflix_core.api.errors import ErrorOut
from streamflix_core.auth import optional_auth, staff_auth
from streamflix_core.viewer import current_viewer

from .. import services
from ..models import VideoAsset
from ..selectors import object_or_404

router = Router()

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class SubtitleTrackOut(Schema):
    language: str
    name: str
    default: bool
    url: str


class AudioTrackOut(Schema):
    language: str = Field(description='BCP 47 tag ("en", "de"); "und" when the source names none.')
    name: str = Field(description='What a player shows ("English", "Deutsch").')
    default: bool
    channels: int = Field(description="1 (mono), 2 (stereo) or 6 (5.1).")
    origin: Literal["source", "upload"] = Field(
        description="A stream of the source file, or an audio file added afterwards."
    )


class LimitsOut(Schema):
    max_video_height: int | None
    max_concurrent_streams: int | None


class MarkersOut(Schema):
    intro_start: float | None = Field(None, description="Where the intro starts (seconds).")
    intro_end: float | None = Field(None, description='Where "Skip intro" jumps to.')
    credits_start: float | None = Field(
        None, description="Where the credits start; reaching them counts as played."
    )


class NextEpisodeOut(Schema):
    id: int
    season: int
    number: int
    name: str
    playable: bool


class PlaybackOut(Schema):
    session_id: str | None = Field(
        description="The playback session (send its heartbeats); none for a trailer."
    )
    asset_id: int
    url: str = Field(description="The signed HLS master playlist.")
    dash_url: str | None = Field(
        None,
        description="The signed DASH manifest (MPD) over the same segments, with the same "
        "limits; null for a video published as MPEG-TS segments.",
    )
    expires_at: dt.datetime
    duration: float | None
    max_height: int
    renditions: list[int]
    subtitles: list[SubtitleTrackOut]
    audio_tracks: list[AudioTrackOut] = Field(
        default_factory=list,
        description="The audio languages, all in both manifests (the player switches).",
    )
    trickplay_url: str | None
    poster_url: str | None
    resume_position: float = Field(description="Where to start (seconds); 0 starts over.")
    markers: MarkersOut
    limits: LimitsOut
    next_episode: NextEpisodeOut | None = None


class ActiveSessionOut(Schema):
    id: str
    device: str
    profile: str
    title: str
    episode: str | None
    since: dt.datetime
    last_seen_at: dt.datetime


class StreamLimitOut(ErrorOut):
    """409 ``concurrent_stream_limit``: the sessions that hold the account's slots (stop one
    with ``DELETE /api/media/sessions/{id}``). Other 409s (``no_playable_video``) carry
    only ``detail`` and ``code``."""

    sessions: list[ActiveSessionOut] = []


class PlaybackIn(Schema):
    device: str = Field(
        "Unknown device",
        min_length=1,
        max_length=100,
        description='What the viewer calls this device ("Living room TV"); shown in the '
        "account's list of active streams.",
    )


class TitlePlaybackIn(PlaybackIn):
    video: Literal["feature", "trailer"] = "feature"


def _out(playback: services.Playback) -> dict[str, Any]:
    nxt = playback.next_episode
    return {
        "session_id": str(playback.session.pk) if playback.session is not None else None,
        "asset_id": playback.asset.pk,
        "url": playback.url,
        "dash_url": playback.dash_url,
        "expires_at": playback.expires_at,
        "duration": playback.duration,
        "max_height": playback.max_height,
        "renditions": playback.renditions,
        "subtitles": playback.subtitles,
        "audio_tracks": playback.audio_tracks,
        "trickplay_url": playback.trickplay_url,
        "poster_url": playback.poster_url,
        "resume_position": playback.resume_position,
        "markers": playback.markers,
        "limits": playback.limits,
        "next_episode": (
            {"id": nxt.pk, "season": nxt.season.number, "number": nxt.number,
             "name": nxt.name, "playable": nxt.playable}
            if nxt is not None else None
        ),
    }  # fmt: skip


@router.post(
    "/titles/{slug}/playback",
    response={201: PlaybackOut, 409: StreamLimitOut, **ERRORS},
    summary="Play a title",
    auth=optional_auth,
)
def title_playback_start(request: HttpRequest, slug: str, payload: TitlePlaybackIn) -> Status:
    """Open a playback session for a movie's feature and return its signed master playlist
    (``video=trailer``: the trailer, for any signed-in viewer, without a session).

    Checks, in order: signed in (401), published (404), maturity limit (403
    ``maturity_restricted``), entitlement (403 with the decision's reason; staff always
    pass), a chosen profile (403 ``profile_required``), a ready video (409
    ``no_playable_video``), the concurrent-stream limit (409 ``concurrent_stream_limit``
    with the active sessions). Renditions above the decision's max height are left out.
    The URLs are bound to the session: heartbeats keep them alive, stopping ends them.
    """
    playback = services.playback_start_title(
        viewer=current_viewer(request), slug=slug, device=payload.device, video=payload.video
    )
    return Status(201, _out(playback))


@router.post(
    "/episodes/{episode_id}/playback",
    response={201: PlaybackOut, 409: StreamLimitOut, **ERRORS},
    summary="Play an episode",
    auth=optional_auth,
)
def episode_playback_start(request: HttpRequest, episode_id: int, payload: PlaybackIn) -> Status:
    """Like the title playback, for one episode (checks run on its series); the answer
    names the next episode."""
    playback = services.playback_start_episode(
        viewer=current_viewer(request), episode_id=episode_id, device=payload.device
    )
    return Status(201, _out(playback))


@router.post(
    "/assets/{asset_id}/preview",
    response={200: PlaybackOut, 409: ErrorOut, **ERRORS},
    summary="Preview a video (staff)",
    auth=staff_auth,
)
def asset_preview(request: HttpRequest, asset_id: int) -> Any:
    """Signed URLs for any ready asset, draft or not, with no session, limit or view."""
    return _out(services.asset_preview(asset=object_or_404(VideoAsset, pk=asset_id)))
