"""django-q2 task targets of media: ids in, a service call inside.

Playback sessions silent for longer than ``PLAYBACK_SESSION_TIMEOUT_SECONDS`` are ended by
the ``media-expire-sessions`` schedule (a heartbeat to one ends it too).

A run holds a lease on its asset (``TRANSCODE_LEASE_SECONDS``, renewed while it lives), so a
run whose worker died is dead a lease later. Then whichever comes first runs the asset again:
the ``media-recover-transcodes`` schedule (every minute), a worker starting (which also
watches the leases still live at its start), django-q2 re-delivering the unacknowledged task
(``Q_CLUSTER["retry"]``; the ORM broker does, the Redis broker does not), or a staff retry.
"""

from __future__ import annotations

from .services.assets import asset_transcode
from .services.run_leases import runs_recover
from .services.watching import sessions_expire


def transcode_asset(asset_id: int) -> str:
    """Transcode asset ``asset_id``; returns its status (or ``"skipped"``)."""
    asset = asset_transcode(asset_id=int(asset_id))
    return asset.status if asset is not None else "skipped"


def recover_transcodes() -> int:
    """Queue again every asset whose run died (its lease expired); returns how many."""
    return len(runs_recover())


def expire_sessions() -> int:
    """End the playback sessions that stopped sending heartbeats; returns how many."""
    return sessions_expire()
