"""Playback endpoints: a short-lived signed master playlist for a title or an episode."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema

from streamflix_core.api.errors import ErrorOut
from streamflix_core.auth import optional_auth
from streamflix_core.viewer import current_viewer

from .. import selectors

router = Router()

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class SubtitleTrackOut(Schema):
    language: str
    name: str
    default: bool
    url: str


class LimitsOut(Schema):
    max_video_height: int | None
    max_concurrent_streams: int | None


class PlaybackOut(Schema):
    asset_id: int
    url: str
    expires_at: dt.datetime
    duration: float | None
    max_height: int
    renditions: list[int]
    subtitles: list[SubtitleTrackOut]
    trickplay_url: str | None
    poster_url: str | None
    resume_position: float
    limits: LimitsOut


def _out(playback: selectors.Playback) -> dict[str, Any]:
    return {
        "asset_id": playback.asset.pk,
        "url": playback.url,
        "expires_at": playback.expires_at,
        "duration": playback.duration,
        "max_height": playback.max_height,
        "renditions": playback.renditions,
        "subtitles": playback.subtitles,
        "trickplay_url": playback.trickplay_url,
        "poster_url": playback.poster_url,
        "resume_position": playback.resume_position,
        "limits": playback.limits,
    }


@router.get(
    "/titles/{slug}/playback",
    response={200: PlaybackOut, **ERRORS},
    summary="Play a title",
    auth=optional_auth,
)
def title_playback(
    request: HttpRequest, slug: str, video: Literal["feature", "trailer"] = "feature"
) -> Any:
    """A signed master-playlist URL for a movie's feature (``video=trailer``: the trailer).

    Checks, in order: signed in (401), published (404), maturity limit (403
    ``maturity_restricted``), entitlement (403 with the decision's reason), a ready video
    (409 ``no_playable_video``). Renditions above the decision's max height are left out.
    """
    return _out(selectors.title_playback(viewer=current_viewer(request), slug=slug, role=video))


@router.get(
    "/episodes/{episode_id}/playback",
    response={200: PlaybackOut, **ERRORS},
    summary="Play an episode",
    auth=optional_auth,
)
def episode_playback(request: HttpRequest, episode_id: int) -> Any:
    """Like the title playback, for one episode (checks run on its series)."""
    return _out(selectors.episode_playback(viewer=current_viewer(request), episode_id=episode_id))
