"""Transcode runs under a lease: claiming, renewal, take-over only after expiry, recovery,
staff retry, and the scratch directory (the real-process crash test is
``tests/test_tasks.py``)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from streamflix_media.models import VideoAsset
from streamflix_media.services import run_leases, runs
from streamflix_media.transcoding import workdir

# The tests of video assets: fast encoding and a private storage per test.
pytestmark = pytest.mark.usefixtures("media_settings")


def _processing(movie: Any, *, lease_in: float, **fields: Any) -> VideoAsset:
    defaults: dict[str, Any] = {
        "role": "feature",
        "title": movie,
        "original_filename": "clip.mp4",
        "sha256": "4" * 64,
        "source_path": "private/sources/x/clip.mp4",
        "status": "processing",
        "attempts": 1,
        "run_version": 1,
        "run_token": "d" * 32,
        "started_at": timezone.now() - dt.timedelta(hours=3),
        "lease_expires_at": timezone.now() + dt.timedelta(seconds=lease_in),
    }
    return VideoAsset.objects.create(**{**defaults, **fields})


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The transcode tasks queued (django-q2's ``async_task`` recorded, not run)."""
    import django_q.tasks

    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda *args, **kwargs: calls.append(args))
    return calls


def test_claiming_a_pending_asset_starts_a_run_with_a_lease_token_and_version(movie, settings):
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "TRANSCODE_LEASE_SECONDS": 42}
    asset = VideoAsset.objects.create(
        role="feature", title=movie, original_filename="a.mp4", sha256="5" * 64,
        source_path="private/sources/y/a.mp4", version=3,
    )  # fmt: skip
    before = timezone.now()
    claimed = run_leases.run_claim(asset_id=asset.pk)
    assert claimed is not None and claimed.status == "processing" and claimed.attempts == 1
    assert len(claimed.run_token) == 32 and claimed.run_version == 4
    assert before + dt.timedelta(seconds=41) < claimed.lease_expires_at
    assert claimed.lease_expires_at <= timezone.now() + dt.timedelta(seconds=42)
    # Claimed once: a second claim (a duplicate task) finds a live lease.
    assert run_leases.run_claim(asset_id=asset.pk) is None


def test_a_live_lease_is_never_taken_over_and_an_expired_one_is(movie):
    asset = _processing(movie, lease_in=30)
    assert run_leases.run_claim(asset_id=asset.pk) is None
    assert run_leases.run_release(asset=asset) is None
    VideoAsset.objects.filter(pk=asset.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    taken = run_leases.run_claim(asset_id=asset.pk)
    assert taken is not None and taken.status == "processing"
    assert taken.run_token not in ("", "d" * 32)
    assert taken.attempts == 2 and taken.run_version == 2 and taken.lost_runs == 1


def test_two_takers_of_one_dead_run_never_both_win(movie):
    asset = _processing(movie, lease_in=-1)
    seen_by_both = VideoAsset.objects.get(pk=asset.pk)
    assert run_leases.run_release(asset=seen_by_both) == "pending"
    assert run_leases.run_release(asset=seen_by_both) is None
    first = run_leases.run_claim(asset_id=asset.pk)
    assert first is not None
    assert run_leases.run_claim(asset_id=asset.pk) is None
    assert VideoAsset.objects.get(pk=asset.pk).run_token == first.run_token


def test_releasing_a_dead_run_deletes_its_unpublished_version_only(movie, storage_root):
    from tests.conftest import stored

    asset = _processing(movie, lease_in=-1, version=1, run_version=2)
    VideoAsset.objects.filter(pk=asset.pk).update(output_prefix=f"hls/{asset.pk}/v1")
    asset.refresh_from_db()
    storage = storages["default"]
    storage.save(f"hls/{asset.pk}/v1/master.m3u8", ContentFile(b"#EXTM3U"))
    storage.save(f"hls/{asset.pk}/v2/video/240p/seg-1.m4s", ContentFile(b"partial"))
    assert run_leases.run_release(asset=asset) == "pending"
    assert stored(storage_root, "hls") == [f"hls/{asset.pk}/v1/master.m3u8"]


def test_renewal_extends_the_lease_and_never_lowers_progress(movie, settings):
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "TRANSCODE_LEASE_SECONDS": 600}
    asset = _processing(movie, lease_in=1, progress=40.0)
    lease = run_leases.RunLease(asset)
    assert lease.renew(progress=20.0)
    renewed = VideoAsset.objects.get(pk=asset.pk)
    assert renewed.progress == 40.0
    assert renewed.lease_expires_at > timezone.now() + dt.timedelta(seconds=590)
    assert lease.renew(progress=55.56)
    assert VideoAsset.objects.get(pk=asset.pk).progress == 55.6


def test_a_taken_over_run_can_no_longer_renew_fail_or_publish(movie, storage_root):
    from tests.conftest import stored

    asset = _processing(movie, lease_in=30)
    lease = run_leases.RunLease(asset)
    VideoAsset.objects.filter(pk=asset.pk).update(run_token="e" * 32, run_version=2)
    assert lease.renew(progress=50.0) is False
    saver = run_leases.run_progress_saver(lease)
    with pytest.raises(run_leases.RunLost):
        saver(60.0)
    runs._fail(lease, code="transcode_failed", message="late")
    assert VideoAsset.objects.get(pk=asset.pk).status == "processing"
    prefix = f"hls/{asset.pk}/v1"
    storages["default"].save(f"{prefix}/master.m3u8", ContentFile(b"#EXTM3U"))
    assert runs._publish(asset, lease, prefix=prefix, result=None) is None  # type: ignore[arg-type]
    after = VideoAsset.objects.get(pk=asset.pk)
    assert after.status == "processing" and after.output_prefix == "" and after.version == 0
    assert stored(storage_root, "hls") == []


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_renews_the_lease_of_a_quiet_run(movie, settings):
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "TRANSCODE_LEASE_SECONDS": 3}
    asset = _processing(movie, lease_in=3)
    lease = run_leases.RunLease(asset)
    first = VideoAsset.objects.get(pk=asset.pk).lease_expires_at
    with run_leases.run_heartbeat(lease):
        time.sleep(4.5)  # longer than the lease: only the heartbeat keeps it
        renewed = VideoAsset.objects.get(pk=asset.pk).lease_expires_at
    assert renewed > first + dt.timedelta(seconds=1)
    assert renewed > timezone.now()


def test_staff_retry_is_409_while_a_lease_is_live_and_allowed_once_it_expired(
    staff_api, movie, queued, run_on_commit
):
    asset = _processing(movie, lease_in=30)
    refused = staff_api.post(f"/api/media/assets/{asset.pk}/retry")
    assert refused.status_code == 409
    assert refused.json()["code"] == "asset_not_retryable"
    assert "lease" in refused.json()["detail"]
    detail = staff_api.get(f"/api/media/assets/{asset.pk}").json()
    assert detail["status"] == "processing" and detail["lease_expires_at"]

    VideoAsset.objects.filter(pk=asset.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1), lost_runs=2
    )
    with run_on_commit():
        accepted = staff_api.post(f"/api/media/assets/{asset.pk}/retry")
    assert accepted.status_code == 202, accepted.json()
    assert accepted.json()["status"] == "pending" and accepted.json()["lease_expires_at"] is None
    assert queued == [(run_leases.TASK, asset.pk)]
    retried = VideoAsset.objects.get(pk=asset.pk)
    # A staff retry starts the lost-run count again: recovery will not give up at once.
    assert retried.lost_runs == 0 and retried.run_token == ""


def test_recovery_queues_dead_runs_and_fails_one_that_died_too_often(
    movie, settings, queued, run_on_commit
):
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "TRANSCODE_MAX_LOST_RUNS": 3}
    alive = _processing(movie, lease_in=30, sha256="6" * 64)
    dead = _processing(movie, lease_in=-1, sha256="7" * 64, lost_runs=1)
    hopeless = _processing(movie, lease_in=-1, sha256="8" * 64, lost_runs=2)
    with run_on_commit():
        assert run_leases.runs_recover() == [dead.pk]
    assert queued == [(run_leases.TASK, dead.pk)]
    assert VideoAsset.objects.get(pk=alive.pk).status == "processing"
    requeued = VideoAsset.objects.get(pk=dead.pk)
    assert requeued.status == "pending" and requeued.lost_runs == 2
    given_up = VideoAsset.objects.get(pk=hopeless.pk)
    assert given_up.status == "failed" and given_up.error_code == "worker_lost"
    assert "3 times" in given_up.error_message


@pytest.mark.django_db(transaction=True)
def test_recovery_at_worker_start_waits_for_leases_live_at_that_moment(movie, queued):
    # A worker that starts right after a crash finds the dead run's lease still live.
    asset = _processing(movie, lease_in=1.5)
    started = time.monotonic()
    run_leases.runs_recover_when_due(within=5)
    assert 1.2 < time.monotonic() - started < 5
    assert VideoAsset.objects.get(pk=asset.pk).status == "pending"
    assert queued == [(run_leases.TASK, asset.pk)]


def test_the_recovery_schedule_is_declared_by_the_plugin():
    from streamflix_media.plugin import plugin
    from streamflix_media.tasks import recover_transcodes

    (schedule,) = [s for s in plugin.schedules if s.name == "media-recover-transcodes"]
    assert schedule.func == "streamflix_media.tasks.recover_transcodes"
    assert schedule.schedule_type == "I" and schedule.minutes == 1
    assert callable(recover_transcodes)


def test_a_run_works_in_a_scratch_directory_under_work_dir_and_removes_it(
    staff_api, movie, clip_720, run_on_commit, settings, tmp_path, monkeypatch
):
    from tests.conftest import upload

    work = tmp_path / "data" / "work"
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "WORK_DIR": str(work)}
    seen: list[Path] = []
    real = runs.transcode_and_publish

    def spy(*args: Any, work_dir: Path, **kwargs: Any) -> Any:
        assert work_dir.is_dir() and work_dir.parent == work
        assert work_dir.name.startswith("run-asset-")
        seen.append(work_dir)
        return real(*args, work_dir=work_dir, **kwargs)

    monkeypatch.setattr(runs, "transcode_and_publish", spy)
    with run_on_commit():
        response = upload(staff_api, clip_720, role="feature", title=movie.slug)
    assert VideoAsset.objects.get(pk=response.json()["id"]).status == "ready"
    assert len(seen) == 1 and not seen[0].exists()
    assert list(work.iterdir()) == []


_HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""


def test_the_sweep_removes_dead_runs_and_keeps_live_ones_of_any_process(settings, tmp_path):
    work = tmp_path / "work"
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "WORK_DIR": str(work)}
    (work / "run-asset-1-dead").mkdir(parents=True)
    (work / "run-asset-1-dead" / "out.m4s").write_bytes(b"x")
    (work / "run-asset-1-dead.lock").touch()
    (work / "run-asset-2-nolock").mkdir()
    (work / "unrelated").mkdir()
    (work / "run-asset-3-other").mkdir()
    other = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(work / "run-asset-3-other.lock")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "locked"
        with workdir.run_workspace("asset-4") as mine:
            (mine / "part.m4s").write_bytes(b"x")
            removed = workdir.work_dir_sweep()
            assert removed == ["run-asset-1-dead", "run-asset-2-nolock"]
            assert mine.is_dir() and (work / "run-asset-3-other").is_dir()
        assert not mine.exists()
    finally:
        other.kill()
        other.wait()
    # The holder is gone (as a SIGKILLed worker is): its directory goes now.
    assert workdir.work_dir_sweep() == ["run-asset-3-other"]
    assert sorted(os.listdir(work)) == ["unrelated"]


def test_work_dir_defaults_to_the_system_temporary_directory(settings):
    import tempfile

    assert workdir.work_dir() == Path(tempfile.gettempdir()) / "streamflix-media-work"
    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "WORK_DIR": "/srv/data/work"}
    assert workdir.work_dir() == Path("/srv/data/work")
