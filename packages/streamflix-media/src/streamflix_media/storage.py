"""Which storages assets use, and moving a source between a storage and a local file."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.files.storage import Storage, storages

from .conf import settings

PRIVATE_ALIAS = "streamflix_private"


def _alias(configured: str) -> str:
    if configured:
        return configured
    return PRIVATE_ALIAS if PRIVATE_ALIAS in storages.backends else "default"


def output_storage_alias() -> str:
    """``OUTPUT_STORAGE``, else ``streamflix_private`` when defined, else ``default``."""
    return _alias(settings().OUTPUT_STORAGE)


def source_storage_alias() -> str:
    """``SOURCE_STORAGE``, else ``streamflix_private`` when defined, else ``default``."""
    return _alias(settings().SOURCE_STORAGE)


def output_storage() -> Storage:
    """The storage HLS output is published to (see :func:`output_storage_alias`)."""
    return storages[output_storage_alias()]


def source_storage() -> Storage:
    """The storage sources are kept in (see :func:`source_storage_alias`)."""
    return storages[source_storage_alias()]


def hls_base_url() -> str:
    """The URL path signed HLS files are served under (``/stream/hls/`` by default)."""
    from django.urls import reverse

    return reverse("media:hls", kwargs={"path": "-"})[:-1]


def s3_client_and_key(storage: Storage, name: str) -> tuple[Any, str, str] | None:
    """``(boto3 client, bucket, object key)`` when ``storage`` is django-storages' S3 backend."""
    bucket = getattr(storage, "bucket", None)
    if bucket is None or not hasattr(storage, "location"):
        return None
    location = str(storage.location).strip("/")
    key = f"{location}/{name}" if location else name
    return bucket.meta.client, bucket.name, key


@contextlib.contextmanager
def local_copy(
    storage: Storage, name: str, *, suffix: str = "", work_dir: Path | None = None
) -> Iterator[Path]:
    """A path to ``name``'s bytes on this machine: the file itself on local storage, else a
    temporary download (inside ``work_dir`` when given) removed afterwards."""
    try:
        yield Path(storage.path(name))
        return
    except NotImplementedError:
        pass
    with tempfile.TemporaryDirectory(prefix="streamflix-source-", dir=work_dir) as tmp:
        target = Path(tmp) / f"source{suffix}"
        with storage.open(name, "rb") as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        yield target


def save_exact(storage: Storage, name: str, fh: Any) -> str:
    """Save ``fh`` at exactly ``name`` (replacing what is there)."""
    from django.core.files import File

    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, File(fh, name=name.rsplit("/", 1)[-1]))
    return saved
