"""Publishing a finished output directory to a Django storage, and removing it again."""

from __future__ import annotations

import contextlib
import mimetypes
import posixpath
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage

from .errors import PublishError

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".mpd": "application/dash+xml",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".ts": "video/mp2t",
    ".vtt": "text/vtt",
    ".jpg": "image/jpeg",
    ".json": "application/json",
}

#: Written after everything else, so a reader that finds it finds a complete ladder.
ENTRY_POINTS = ("manifest.mpd", "master.m3u8")


def asset_prefix(asset_key: str | int, version: int, *, root: str | None = None) -> str:
    """``<HLS_OUTPUT_PREFIX>/<asset_key>/v<version>``: where one transcode of an asset lives.

    A new version per run means a re-transcode never overwrites what players are reading.
    """
    if root is None:
        from ..conf import settings

        root = settings().HLS_OUTPUT_PREFIX
    key = str(asset_key)
    if not key or "/" in key or key in {".", ".."}:
        raise ValueError(f"Invalid asset key {asset_key!r}.")
    if version < 1:
        raise ValueError("version starts at 1.")
    return (
        posixpath.join(root.strip("/"), key, f"v{version}")
        if root.strip("/")
        else (posixpath.join(key, f"v{version}"))
    )


def content_type_for(name: str) -> str:
    ext = posixpath.splitext(name)[1].lower()
    return CONTENT_TYPES.get(ext) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def write_file(storage: Storage, name: str, data: bytes) -> None:
    """Write ``data`` at exactly ``name`` (replacing what is there) with its content type."""
    if storage.exists(name):
        storage.delete(name)
    content = ContentFile(data)
    content.content_type = content_type_for(name)  # type: ignore[attr-defined]
    saved = storage.save(name, content)
    if saved != name:
        storage.delete(saved)
        raise PublishError(f"The storage renamed {name!r} to {saved!r}.")


def list_prefix(storage: Storage, prefix: str) -> list[str]:
    """Every file name under ``prefix`` (recursively)."""
    prefix = prefix.strip("/")
    names: list[str] = []
    try:
        directories, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return names
    names.extend(posixpath.join(prefix, f) for f in files)
    for directory in directories:
        names.extend(list_prefix(storage, posixpath.join(prefix, directory)))
    return names


def delete_prefix(storage: Storage, prefix: str) -> int:
    """Delete every file under ``prefix``; return how many. Safe to call when it is absent.

    On S3 (django-storages) this is one batched request per 1,000 keys.
    """
    prefix = prefix.strip("/")
    if not prefix:
        raise ValueError("Refusing to delete the whole storage.")
    bucket = getattr(storage, "bucket", None)
    if bucket is not None and hasattr(storage, "location"):
        location = str(storage.location).strip("/")
        key_prefix = f"{location}/{prefix}/" if location else f"{prefix}/"
        deleted = 0
        for response in bucket.objects.filter(Prefix=key_prefix).delete():
            deleted += len(response.get("Deleted", []))
        return deleted
    names = list_prefix(storage, prefix)
    for name in names:
        storage.delete(name)
    _remove_empty_directories(storage, prefix)
    return len(names)


def _remove_empty_directories(storage: Storage, prefix: str) -> None:
    try:
        root = Path(storage.path(prefix))
    except NotImplementedError:
        return
    if root.is_dir():
        for directory in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()
        if not any(root.iterdir()):
            root.rmdir()


def publish_directory(
    local_dir: Path,
    *,
    storage: Storage,
    prefix: str,
    workers: int = 8,
    on_file: Callable[[int, int], Any] | None = None,
) -> list[str]:
    """Copy every file of ``local_dir`` to ``storage`` under ``prefix``; return the names.

    Anything already under the prefix (a crashed earlier attempt) is removed first. Entry
    points (``master.m3u8``) are written last. If any write fails, everything under the
    prefix is deleted and ``PublishError`` is raised: a prefix either holds a complete
    output or nothing.
    """
    prefix = prefix.strip("/")
    files = sorted(p for p in local_dir.rglob("*") if p.is_file())
    relative = [p.relative_to(local_dir).as_posix() for p in files]
    first = [r for r in relative if r not in ENTRY_POINTS]
    last = [r for r in relative if r in ENTRY_POINTS]
    names: list[str] = []
    try:
        delete_prefix(storage, prefix)

        def put(rel: str) -> str:
            name = f"{prefix}/{rel}"
            write_file(storage, name, (local_dir / rel).read_bytes())
            return name

        done = 0
        for batch in (first, last):
            with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
                for name in pool.map(put, batch):
                    names.append(name)
                    done += 1
                    if on_file:
                        on_file(done, len(relative))
    except Exception as exc:
        _cleanup(storage, prefix)
        if isinstance(exc, PublishError):
            raise
        raise PublishError(f"Publishing to {prefix!r} failed: {exc}") from exc
    return names


def _cleanup(storage: Storage, prefix: str) -> None:
    # The original error is the one worth raising.
    with contextlib.suppress(Exception):
        delete_prefix(storage, prefix)


def publish_files(storage: Storage, prefix: str, files: Iterable[tuple[str, bytes]]) -> list[str]:
    """Write a few ``(relative name, bytes)`` files under ``prefix`` (e.g. a new subtitle)."""
    names = []
    for rel, data in files:
        name = f"{prefix.strip('/')}/{rel}"
        write_file(storage, name, data)
        names.append(name)
    return names
