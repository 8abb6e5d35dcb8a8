"""The lease state machine of transcode runs: claiming an asset, renewing and losing its
lease, releasing a dead run, staff retry and the recovery sweep.

A run owns its asset through ``run_token`` and a lease (``lease_expires_at``) that lasts
``TRANSCODE_LEASE_SECONDS``. The running worker renews it with each progress save and from a
heartbeat thread (every third of the lease when ffmpeg is quiet or the run is publishing),
so a run whose worker died is known dead a lease after its last renewal. A dead run is
released (back to ``pending``) by whoever notices first — the recovery sweep, a re-delivered
task, a staff retry — with one conditional UPDATE, so two of them never both win; claiming a
pending asset is another conditional UPDATE. Every write of a run names its token, so a run
that was presumed dead but still goes on changes nothing: its output is deleted instead of
published. Each run publishes under a version prefix of its own and the asset is flipped to
it only once everything is written, so no partial output is ever visible.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import F, FloatField, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from streamflix_core.errors import Conflict

from ..conf import settings
from ..models import VideoAsset
from ..storage import output_storage
from ..transcoding import (
    asset_prefix,
    delete_prefix,
)

logger = logging.getLogger(__name__)

TASK = "streamflix_media.tasks.transcode_asset"
TASK_WITH_SUBTITLES = "streamflix_media.tasks.transcode_asset_with_subtitles"
Status = VideoAsset.Status


class RunLost(Exception):
    """This run no longer owns its asset (its lease expired and another run took over, or
    the asset was deleted)."""


def lease_seconds() -> int:
    """``TRANSCODE_LEASE_SECONDS`` (at least one second)."""
    return max(1, int(settings().TRANSCODE_LEASE_SECONDS))


def lease_live(asset: VideoAsset, *, now: dt.datetime | None = None) -> bool:
    """Whether ``asset`` is ``processing`` under a lease that has not expired."""
    return (
        asset.status == Status.PROCESSING
        and asset.lease_expires_at is not None
        and asset.lease_expires_at > (now or timezone.now())
    )


def _dead(now: dt.datetime) -> Q:
    # No lease at all: a run started before leases existed; its worker is long gone.
    return Q(status=Status.PROCESSING) & (
        Q(lease_expires_at__lte=now) | Q(lease_expires_at__isnull=True)
    )


def task_timeout() -> int | None:
    """The django-q2 timeout of a transcode task (``None``: no limit of its own)."""
    from ..conf import transcode_task_timeout

    return transcode_task_timeout(settings())


def asset_enqueue_transcode(
    *, asset: VideoAsset, subtitles: Sequence[Mapping[str, Any]] = ()
) -> None:
    """Queue the transcode task (django-q2) once the current transaction commits, to the
    ``TRANSCODE_CLUSTER`` when one is set (else the site's default cluster).

    ``subtitles`` (mappings of ``language``, ``data`` and optionally ``name`` and
    ``default``, as ``subtitle_add`` takes them) are published by the same task once the
    video is ready: the demo seed queues its subtitled sample this way."""
    asset_id = asset.pk
    tracks = [dict(track) for track in subtitles]

    def enqueue() -> None:
        from django_q.tasks import async_task

        timeout = task_timeout()
        # No limit of its own: pass no timeout (django-q2 cannot run timeout=None; the
        # cluster's applies, which core's check streamflix.E011 requires to be unset).
        limit: dict[str, Any] = {"timeout": timeout} if timeout is not None else {}
        if settings().TRANSCODE_CLUSTER:
            # Its own queue, so a long transcode never holds up e-mail and other tasks.
            limit["cluster"] = settings().TRANSCODE_CLUSTER
        async_task(
            TASK_WITH_SUBTITLES if tracks else TASK,
            asset_id,
            *([tracks] if tracks else []),
            task_name=f"transcode-asset-{asset_id}",
            group="streamflix_media.transcode",
            **limit,
        )

    transaction.on_commit(enqueue)


def prefix_in_use(prefix: str, *, exclude: int | None = None) -> bool:
    """Whether an asset (other than ``exclude``) publishes ``prefix``."""
    others = VideoAsset.objects.filter(output_prefix=prefix)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    return others.exists()


def delete_quietly(storage: Any, prefix: str) -> None:
    """Delete everything under ``prefix``, logging (not raising) a failure."""
    try:
        delete_prefix(storage, prefix)
    except Exception:
        logger.exception("Could not delete %s", prefix)


def _dead_run_prefix(asset: VideoAsset) -> str | None:
    # Runs before run_version existed published under the next version's prefix.
    version = asset.run_version if asset.run_version > asset.version else asset.version + 1
    prefix = asset_prefix(asset.pk, version)
    return None if prefix == asset.output_prefix else prefix


def run_release(*, asset: VideoAsset, by_staff: bool = False) -> str | None:
    """End the dead run of ``asset`` (``processing``, lease expired) as observed in
    ``asset``; return the asset's new status, or ``None`` when its run is alive or someone
    else released it first.

    The asset goes back to ``pending`` — unless this is the ``TRANSCODE_MAX_LOST_RUNS``-th
    run in a row to die and no staff member asked (``by_staff``): then it is failed with
    ``worker_lost``. The dead run's unpublished output is deleted. The caller queues it.
    """
    now = timezone.now()
    lost = 0 if by_staff else asset.lost_runs + 1
    values: dict[str, Any] = {
        "run_token": "",
        "lease_expires_at": None,
        "lost_runs": lost,
        "progress": 0.0,
        "updated_at": now,
    }
    if not by_staff and lost >= settings().TRANSCODE_MAX_LOST_RUNS:
        values.update(
            status=Status.FAILED,
            error_code="worker_lost",
            error_message=(
                f"The transcoding worker died {lost} times in a row (its lease expired each "
                "time); retry once the cause (memory, disk, a killed worker) is fixed."
            ),
        )
    else:
        values.update(status=Status.PENDING, error_code="", error_message="")
    released = VideoAsset.objects.filter(_dead(now), pk=asset.pk, run_token=asset.run_token)
    if not released.update(**values):
        return None
    logger.warning("Transcode run of asset %s was lost (lease expired); released", asset.pk)
    # At once, not on commit: no run will ever publish the dead run's version again.
    leftover = _dead_run_prefix(asset)
    if leftover is not None and not prefix_in_use(leftover):
        delete_quietly(output_storage(), leftover)
    return values["status"]


def run_claim(*, asset_id: int) -> VideoAsset | None:
    """Claim asset ``asset_id`` for a new run and return it (``processing``, with a fresh
    token, version and lease), or ``None`` when there is nothing to run: unknown, no source,
    ready, failed, or running under a live lease. A dead run is released first."""
    asset = VideoAsset.objects.filter(pk=asset_id).first()
    if asset is None or not asset.source_path:
        return None
    if asset.status == Status.PROCESSING and not lease_live(asset):
        if run_release(asset=asset) != Status.PENDING:
            return None
        asset.refresh_from_db()
    if asset.status != Status.PENDING:
        return None
    now = timezone.now()
    token = uuid.uuid4().hex
    claimed = VideoAsset.objects.filter(
        pk=asset.pk, status=Status.PENDING, version=asset.version, run_version=asset.run_version
    ).update(
        status=Status.PROCESSING,
        run_token=token,
        run_version=max(asset.version, asset.run_version) + 1,
        lease_expires_at=now + dt.timedelta(seconds=lease_seconds()),
        attempts=F("attempts") + 1,
        started_at=now,
        progress=0.0,
        error_code="",
        error_message="",
        updated_at=now,
    )
    if not claimed:
        return None
    asset.refresh_from_db()
    return asset if asset.run_token == token else None


class RunLease:
    """The lease of one claimed run; ``renew()`` extends it (and saves progress)."""

    def __init__(self, asset: VideoAsset) -> None:
        self.asset_id = asset.pk
        self.token = asset.run_token
        self.seconds = lease_seconds()
        self.renewed_at = time.monotonic()

    def renew(self, *, progress: float | None = None) -> bool:
        """Extend the lease by ``TRANSCODE_LEASE_SECONDS`` from now, raising the saved
        progress to ``progress`` when given (never lowering it); ``False`` when the run no
        longer owns the asset."""
        now = timezone.now()
        values: dict[str, Any] = {
            "lease_expires_at": now + dt.timedelta(seconds=self.seconds),
            "updated_at": now,
        }
        if progress is not None:
            percent = round(min(progress, 100.0), 1)
            values["progress"] = Greatest(
                "progress", Value(percent, output_field=FloatField()), output_field=FloatField()
            )
        held = VideoAsset.objects.filter(
            pk=self.asset_id, status=Status.PROCESSING, run_token=self.token
        ).update(**values)
        self.renewed_at = time.monotonic()
        return bool(held)


@contextlib.contextmanager
def run_heartbeat(lease: RunLease) -> Iterator[None]:
    """Renew ``lease`` from a thread whenever a third of it passed without a renewal."""
    interval = lease.seconds / 3
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval / 3):
                if time.monotonic() - lease.renewed_at < interval:
                    continue
                try:
                    lease.renew()
                except Exception:
                    logger.exception("Could not renew the lease of asset %s", lease.asset_id)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"lease-asset-{lease.asset_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=lease.seconds)


def run_progress_saver(lease: RunLease) -> Callable[[float], None]:
    """Save progress at most every ``PROGRESS_SAVE_SECONDS``, renewing the lease in the same
    UPDATE; raise ``RunLost`` (which stops ffmpeg) once the run no longer owns the asset."""
    interval = settings().PROGRESS_SAVE_SECONDS
    last = [float("-inf")]

    def save(percent: float) -> None:
        now = time.monotonic()
        if now - last[0] < interval:
            return
        last[0] = now
        if not run_progress_save(lease=lease, percent=percent):
            raise RunLost(f"Asset {lease.asset_id} was taken over by another run.")

    return save


def run_progress_save(*, lease: RunLease, percent: float) -> bool:
    """Record progress of a running asset (never backwards) and renew its lease; ``False``
    when the run no longer owns the asset."""
    return lease.renew(progress=percent)


def run_retry(*, asset_id: int) -> VideoAsset:
    """Queue asset ``asset_id`` again: a failed one, or one whose run died (its lease has
    expired). ``409 asset_not_retryable`` otherwise — also while a run holds a live lease."""
    with transaction.atomic():
        locked = VideoAsset.objects.select_for_update().get(pk=asset_id)
        dead = locked.status == Status.PROCESSING and not lease_live(locked)
        if not (locked.status == Status.FAILED or dead):
            if locked.status == Status.PROCESSING:
                until = locked.lease_expires_at.isoformat() if locked.lease_expires_at else ""
                message = (
                    "This asset is being transcoded: its run holds a lease until "
                    f"{until}. Retry once it has failed or its lease has expired."
                )
            else:
                message = (
                    "Only a failed asset, or one whose run died (lease expired), can be "
                    f"retried (this one is {locked.status})."
                )
            raise Conflict(message, code="asset_not_retryable")
        if not locked.source_path:
            raise Conflict("This asset has no source file to transcode.", code="source_missing")
        if dead:
            if run_release(asset=locked, by_staff=True) != Status.PENDING:
                raise Conflict("Another run took this asset over.", code="asset_not_retryable")
            locked.refresh_from_db()
        else:
            locked.status = Status.PENDING
            locked.progress = 0.0
            locked.error_code = ""
            locked.error_message = ""
            locked.lost_runs = 0
            locked.save()
        asset_enqueue_transcode(asset=locked)
    return locked


def runs_recover() -> list[int]:
    """Release every dead run (``processing``, lease expired) and queue its asset again, or
    fail it after ``TRANSCODE_MAX_LOST_RUNS`` lost runs in a row; return the ids queued."""
    queued = []
    for asset in VideoAsset.objects.filter(_dead(timezone.now())).order_by("pk"):
        with transaction.atomic():
            if run_release(asset=asset) == Status.PENDING:
                asset_enqueue_transcode(asset=asset)
                queued.append(asset.pk)
    return queued


def runs_recover_when_due(*, within: float) -> None:
    """Until ``within`` seconds from now, run :func:`runs_recover` each time a lease that is
    live now expires (a worker that starts right after a crash sees its dead runs' leases
    still live for up to a lease)."""
    until = time.time() + within
    while True:
        upcoming = (
            VideoAsset.objects.filter(status=Status.PROCESSING, lease_expires_at__gt=timezone.now())
            .order_by("lease_expires_at")
            .values_list("lease_expires_at", flat=True)
            .first()
        )
        if upcoming is None or upcoming.timestamp() > until:
            return
        time.sleep(max(0.0, upcoming.timestamp() - time.time()) + 0.2)
        runs_recover()
