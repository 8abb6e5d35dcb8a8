"""django-q2 task targets of media: ids in, a service call inside.

Playback sessions silent for longer than ``PLAYBACK_SESSION_TIMEOUT_SECONDS`` are ended by
the ``media-expire-sessions`` schedule (a heartbeat to one ends it too); uploads left
unfinished past their expiry are aborted by the ``media-expire-uploads`` schedule.

Transcodes go to ``TRANSCODE_CLUSTER`` when it is set (a django-q2 cluster of their own, so a
long transcode never delays an e-mail); schedules run on the default cluster.

A run holds a lease on its asset (``TRANSCODE_LEASE_SECONDS``, renewed while it lives), so a
run whose worker died is dead a lease later. Then whichever comes first runs the asset again:
the ``media-recover-transcodes`` schedule (every minute), a worker starting (which also
watches the leases still live at its start), django-q2 re-delivering the unacknowledged task
(``Q_CLUSTER["retry"]``; the ORM broker does, the Redis broker does not), or a staff retry.
"""

from __future__ import annotations

from typing import Any

from .models import VideoAsset
from .services.assets import asset_transcode
from .services.resumable_uploads import uploads_expire
from .services.run_leases import runs_recover
from .services.subtitles import subtitle_add
from .services.watching import sessions_expire


def transcode_asset(asset_id: int) -> str:
    """Transcode asset ``asset_id``; returns its status (or ``"skipped"``)."""
    asset = asset_transcode(asset_id=int(asset_id))
    return asset.status if asset is not None else "skipped"


def transcode_asset_with_subtitles(asset_id: int, subtitles: list[dict[str, Any]]) -> str:
    """Transcode asset ``asset_id``, then publish ``subtitles`` (``subtitle_add``'s
    ``language``, ``data``, ``name``, ``default``) once it is ready; returns its status."""
    asset = asset_transcode(asset_id=int(asset_id))
    if asset is None:
        return "skipped"
    if asset.status == VideoAsset.Status.READY:
        for track in subtitles:
            subtitle_add(
                asset=asset,
                language=str(track["language"]),
                data=str(track["data"]),
                name=track.get("name") or None,
                default=bool(track.get("default", False)),
            )
    return asset.status


def recover_transcodes() -> int:
    """Queue again every asset whose run died (its lease expired); returns how many."""
    return len(runs_recover())


def expire_sessions() -> int:
    """End the playback sessions that stopped sending heartbeats; returns how many."""
    return sessions_expire()


def expire_uploads() -> int:
    """Abort the uploads left unfinished past their expiry (S3 multipart uploads too) and
    delete what they stored; returns how many."""
    return uploads_expire()
