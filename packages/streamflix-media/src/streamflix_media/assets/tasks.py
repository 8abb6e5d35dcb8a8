"""django-q2 task targets of video assets: ids in, a service call inside.

Retries when a worker dies come from django-q2 itself: ``Q_CLUSTER["retry"]`` (set it above
the task timeout, ``TRANSCODE_TIMEOUT_SECONDS + PUBLISH_MARGIN_SECONDS``) re-delivers an
unacknowledged task and ``max_attempts`` caps it; the service re-runs an asset left
``processing`` once its run cannot still be going and its retry backoff is over.
"""

from __future__ import annotations

from .services import asset_transcode


def transcode_asset(asset_id: int) -> str:
    """Transcode asset ``asset_id``; returns its status (or ``"skipped"``)."""
    asset = asset_transcode(asset_id=int(asset_id))
    return asset.status if asset is not None else "skipped"
