"""Crash recovery with real processes: a ``qcluster`` killed with SIGKILL mid-transcode, a
new one started, and the asset ends ready exactly once within its lease plus a margin.

The clusters run ``qcluster_settings`` over a database file (or a PostgreSQL database of
their own when ``DATABASE_URL`` is set; the Redis broker when ``REDIS_URL`` is), and the test
reads that database directly, as an outside observer."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import stored

# The tests of video assets: fast encoding and a private storage per test.
pytestmark = pytest.mark.usefixtures("media_settings")

LEASE_SECONDS = 5
#: Beyond the lease: the new cluster's start plus one whole transcode of the clip.
MARGIN_SECONDS = 60
TASK = "streamflix_media.tasks.transcode_asset"
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
COLUMNS = (
    "status",
    "progress",
    "output_prefix",
    "version",
    "run_version",
    "attempts",
    "lost_runs",
    "run_token",
)
SELECT_ASSET = (
    "SELECT status, progress, output_prefix, version, run_version, attempts, lost_runs, "
    "run_token FROM streamflix_media_videoasset WHERE id = %s"
)
SELECT_RESULTS = "SELECT success FROM django_q_task WHERE func = %s"


@pytest.fixture
def cluster_database(tmp_path: Path) -> Iterator[str]:
    """A database URL of the clusters' own: a SQLite file, or a fresh PostgreSQL database
    beside ``DATABASE_URL``'s."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'cluster.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_qcluster_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _query(url: str) -> Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")

        def run_sqlite(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
            with sqlite3.connect(path, timeout=30) as conn:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()

        return run_sqlite
    import psycopg

    def run_postgres(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    return run_postgres


class Cluster:
    """One ``manage.py qcluster`` in a process group of its own (its workers and their
    ffmpeg children included), so the whole cluster can be killed at once."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "django", "qcluster"],
            cwd=PACKAGE_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def kill(self, sig: int = signal.SIGKILL, *, wait: float = 30) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        deadline = time.monotonic() + wait
        self.proc.poll()
        while self.alive() and time.monotonic() < deadline:
            self.proc.poll()
            time.sleep(0.1)
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.log.close()


def _run_dirs(work_dir: Path, asset_id: int) -> set[str]:
    if not work_dir.is_dir():
        return set()
    return {p.name for p in work_dir.iterdir() if p.name.startswith(f"run-asset-{asset_id}-")}


def test_a_sigkilled_cluster_leaves_an_asset_that_a_new_cluster_finishes_exactly_once(
    make_clip: Callable[..., Path], cluster_database: str, tmp_path: Path
) -> None:
    clip = make_clip("long720.mp4", size="1280x720", seconds=12)
    storage_root = tmp_path / "storage"
    work_dir = tmp_path / "data" / "work"
    log = tmp_path / "qcluster.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.qcluster_settings",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])
        ),
        "STREAMFLIX_QC_DATABASE_URL": cluster_database,
        "STREAMFLIX_QC_NAME": f"crash-{uuid.uuid4().hex[:8]}",
        "STREAMFLIX_QC_STORAGE": str(storage_root),
        "STREAMFLIX_QC_WORK_DIR": str(work_dir),
        "STREAMFLIX_QC_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    created = subprocess.run(
        [sys.executable, "-m", "tests.qcluster_driver", str(clip)],
        cwd=PACKAGE_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert created.returncode == 0, created.stderr
    asset_id = int(created.stdout.split()[-1])
    query = _query(cluster_database)

    def row() -> dict[str, Any]:
        ((*values,),) = query(SELECT_ASSET, (asset_id,))
        return dict(zip(COLUMNS, values, strict=True))

    first = Cluster(env, log)
    second: Cluster | None = None
    try:
        deadline = time.monotonic() + 120
        while not (row()["progress"] > 0 and _run_dirs(work_dir, asset_id)):
            assert time.monotonic() < deadline, log.read_text()
            assert first.proc.poll() is None, log.read_text()
            time.sleep(0.1)
        first.kill(signal.SIGKILL)
        killed_at = time.monotonic()

        dead = row()
        assert dead["status"] == "processing" and 0 < dead["progress"] < 95
        assert dead["output_prefix"] == "" and dead["version"] == 0
        assert not [f for f in stored(storage_root, "hls") if f.endswith("master.m3u8")]
        leftover = _run_dirs(work_dir, asset_id)
        assert leftover, "the killed run left no scratch directory to sweep"

        second = Cluster(env, log)
        swept_at = retaken_at = None
        while True:
            now = row()
            # Never a partial output: an output prefix only ever comes with "ready".
            assert (now["output_prefix"] == "") == (now["status"] != "ready"), now
            assert now["status"] != "failed", (now, log.read_text())
            if swept_at is None and not leftover & _run_dirs(work_dir, asset_id):
                swept_at = time.monotonic()
            if retaken_at is None and now["attempts"] == 2:
                retaken_at = time.monotonic()
            if now["status"] == "ready":
                break
            assert time.monotonic() - killed_at < LEASE_SECONDS + MARGIN_SECONDS, (
                now,
                log.read_text(),
            )
            time.sleep(0.2)
        recovered_in = time.monotonic() - killed_at
        print(
            f"\nlease {LEASE_SECONDS} s; killed -> run taken over in "
            f"{(retaken_at or killed_at) - killed_at:.1f} s -> ready in {recovered_in:.1f} s"
        )

        done = row()
        assert done["attempts"] == 2  # the killed run and the one that finished
        assert done["version"] == done["run_version"] == 2
        assert done["output_prefix"] == f"hls/{asset_id}/v2"
        assert done["run_token"] == "" and done["lost_runs"] == 0
        published = stored(storage_root, "hls")
        assert published and all(f.startswith(f"hls/{asset_id}/v2/") for f in published)
        assert f"hls/{asset_id}/v2/master.m3u8" in published
        assert swept_at is not None and _run_dirs(work_dir, asset_id) == set()
        # The cluster's monitor records the task's result just after the task returns.
        deadline = time.monotonic() + 30
        while not query(SELECT_RESULTS, (TASK,)):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        time.sleep(1)
        assert [bool(success) for (success,) in query(SELECT_RESULTS, (TASK,))] == [True]
    finally:
        if first.alive():
            first.kill(signal.SIGKILL, wait=10)
        if second is not None:
            second.kill(signal.SIGTERM)
