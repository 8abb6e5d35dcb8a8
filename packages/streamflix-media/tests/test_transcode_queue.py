"""The transcode queue with real processes: a transcode queued to ``TRANSCODE_CLUSTER`` is
left alone by the default cluster's worker, which sends the password-reset email queued in
the same commit; the transcode cluster's worker (``Q_CLUSTER_NAME``) then runs it.

Same setup as ``test_tasks.py``: ``qcluster_settings`` over a database of the clusters' own
(the ORM broker, or Redis when ``REDIS_URL`` is set), read directly by the test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import test_tasks
from tests.test_tasks import PACKAGE_ROOT, Cluster, _query

pytestmark = pytest.mark.usefixtures("media_settings")
# The clusters' own database (the crash-recovery test's fixture).
cluster_database = test_tasks.cluster_database

EMAIL_TASK = "streamflix_core.tasks.send_email"
TRANSCODE_TASK = "streamflix_media.tasks.transcode_asset"
SELECT_RESULT = "SELECT success, cluster FROM django_q_task WHERE func = %s"
SELECT_STATUS = "SELECT status, attempts FROM streamflix_media_videoasset WHERE id = %s"


def test_a_transcode_waits_for_its_own_cluster_while_the_default_one_sends_email(
    make_clip: Callable[..., Path],
    cluster_database: str,
    tmp_path: Path,
) -> None:
    clip = make_clip("queue-clip.mp4", size="640x360", seconds=3)
    default_name = f"site-{uuid.uuid4().hex[:8]}"
    transcode_name = f"transcode-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.qcluster_settings",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])
        ),
        "STREAMFLIX_QC_DATABASE_URL": cluster_database,
        "STREAMFLIX_QC_NAME": default_name,
        "STREAMFLIX_QC_TRANSCODE_CLUSTER": transcode_name,
        "STREAMFLIX_QC_STORAGE": str(tmp_path / "storage"),
        "STREAMFLIX_QC_WORK_DIR": str(tmp_path / "work"),
        "STREAMFLIX_QC_LEASE_SECONDS": "30",
    }
    env.pop("Q_CLUSTER_NAME", None)
    created = subprocess.run(
        [sys.executable, "-m", "tests.qcluster_driver", str(clip), "someone@example.com"],
        cwd=PACKAGE_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert created.returncode == 0, created.stderr
    asset_id = int(created.stdout.split()[-1])
    query = _query(cluster_database)

    default = Cluster(env, tmp_path / "default.log")
    transcoder: Cluster | None = None
    try:
        deadline = time.monotonic() + 60
        while not query(SELECT_RESULT, (EMAIL_TASK,)):
            assert time.monotonic() < deadline, (tmp_path / "default.log").read_text()
            assert default.proc.poll() is None, (tmp_path / "default.log").read_text()
            time.sleep(0.2)
        assert [(bool(ok), name) for ok, name in query(SELECT_RESULT, (EMAIL_TASK,))] == [
            (True, default_name)
        ]
        # A few more polls of the default cluster: the transcode is still not taken.
        time.sleep(3)
        assert query(SELECT_STATUS, (asset_id,)) == [("pending", 0)]
        assert query(SELECT_RESULT, (TRANSCODE_TASK,)) == []
        if not os.environ.get("REDIS_URL"):
            queued = query("SELECT key FROM django_q_ormq", ())
            assert queued == [(transcode_name,)]

        transcoder = Cluster({**env, "Q_CLUSTER_NAME": transcode_name}, tmp_path / "transcode.log")
        deadline = time.monotonic() + 120
        while query(SELECT_STATUS, (asset_id,))[0][0] != "ready":
            assert query(SELECT_STATUS, (asset_id,))[0][0] != "failed"
            assert time.monotonic() < deadline, (tmp_path / "transcode.log").read_text()
            assert transcoder.proc.poll() is None, (tmp_path / "transcode.log").read_text()
            time.sleep(0.2)
        deadline = time.monotonic() + 30
        while not query(SELECT_RESULT, (TRANSCODE_TASK,)):
            assert time.monotonic() < deadline, (tmp_path / "transcode.log").read_text()
            time.sleep(0.2)
        assert [(bool(ok), name) for ok, name in query(SELECT_RESULT, (TRANSCODE_TASK,))] == [
            (True, transcode_name)
        ]
    finally:
        # Their work is done and checked: no need to wait for a graceful stop.
        default.kill(signal.SIGKILL, wait=10)
        if transcoder is not None:
            transcoder.kill(signal.SIGKILL, wait=10)


@pytest.mark.parametrize(("cluster", "routed"), [("transcode", {"cluster": "transcode"}), ("", {})])
def test_the_transcode_task_is_queued_to_the_transcode_cluster(
    settings, monkeypatch, movie, run_on_commit, cluster, routed
):
    from django_q import tasks as django_q_tasks

    from streamflix_media.conf import task_timeouts
    from streamflix_media.models import VideoAsset
    from streamflix_media.services import asset_enqueue_transcode

    settings.STREAMFLIX_MEDIA = {**settings.STREAMFLIX_MEDIA, "TRANSCODE_CLUSTER": cluster}
    queued: list[dict[str, object]] = []
    monkeypatch.setattr(django_q_tasks, "async_task", lambda *args, **kwargs: queued.append(kwargs))
    asset = VideoAsset.objects.create(role="feature", title=movie, sha256="0" * 64)
    with run_on_commit():
        asset_enqueue_transcode(asset=asset)
    (options,) = queued
    assert {k: v for k, v in options.items() if k == "cluster"} == routed
    assert [t.cluster for t in task_timeouts()] == [cluster]
