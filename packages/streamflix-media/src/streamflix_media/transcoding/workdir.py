"""The transcode runs' scratch space: one directory per run under ``WORK_DIR``, and a sweep
that removes what dead runs left behind.

A run holds an exclusive ``flock`` on ``<name>.lock`` beside its directory for as long as it
lives. The kernel drops that lock when the process ends, however it ends (SIGKILL and OOM
kills included), so "can the lock be taken?" tells a dead run's leftovers from a live
sibling's work, without clocks or the database, even when several workers share the
directory. Without ``fcntl`` (not POSIX) runs still get a directory; the sweep removes
nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from ..conf import settings

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

RUN_PREFIX = "run-"
LOCK_SUFFIX = ".lock"


def work_dir() -> Path:
    """``WORK_DIR``, else ``streamflix-media-work`` in the system temporary directory."""
    configured = os.fspath(settings().WORK_DIR or "")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / "streamflix-media-work"


def _lock_path(run_dir: Path) -> Path:
    return run_dir.with_name(run_dir.name + LOCK_SUFFIX)


def _take_lock(path: Path, *, wait: bool) -> int | None:
    """An open descriptor holding the lock on ``path``, or ``None`` when another process
    holds it (or the file was replaced while we waited: then it is not ours either)."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    if fcntl is None:
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        if os.fstat(fd).st_ino != os.stat(path).st_ino:
            raise FileNotFoundError(path)
    except (BlockingIOError, FileNotFoundError):
        os.close(fd)
        return None
    return fd


@contextlib.contextmanager
def run_workspace(label: str) -> Iterator[Path]:
    """A fresh directory ``<WORK_DIR>/run-<label>-<random>`` for one run, locked while the
    ``with`` block runs and removed after it."""
    root = work_dir()
    root.mkdir(parents=True, exist_ok=True)
    while True:
        run_dir = root / f"{RUN_PREFIX}{label}-{uuid.uuid4().hex[:12]}"
        # A sweep may remove the lock file between our open and our lock: then try again.
        fd = _take_lock(_lock_path(run_dir), wait=True)
        if fd is not None:
            break
    try:
        run_dir.mkdir()
        yield run_dir
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            _lock_path(run_dir).unlink()
        os.close(fd)


def work_dir_sweep() -> list[str]:
    """Remove every run directory (and lock file) under ``WORK_DIR`` whose run is gone;
    return their names. Live runs, in this process or any other, are left alone."""
    root = work_dir()
    if fcntl is None or not root.is_dir():
        return []
    names = {
        entry.name.removesuffix(LOCK_SUFFIX)
        for entry in root.iterdir()
        if entry.name.startswith(RUN_PREFIX)
    }
    removed = []
    for name in sorted(names):
        run_dir = root / name
        lock = _lock_path(run_dir)
        try:
            fd = _take_lock(lock, wait=False)
        except OSError:
            logger.exception("Could not check %s", lock)
            continue
        if fd is None:
            continue
        try:
            shutil.rmtree(run_dir, ignore_errors=True)
            lock.unlink()
            removed.append(name)
        finally:
            os.close(fd)
    if removed:
        logger.info("Removed %d dead transcode run(s) from %s", len(removed), root)
    return removed
