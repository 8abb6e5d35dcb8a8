"""How a published file is addressed: a signed URL back to the site, or a presigned URL
straight to the bucket where the storage can make one."""

from __future__ import annotations

import inspect
from collections.abc import Callable

from django.core.files.storage import Storage

from .signing import Grant, signed_url


def is_local(storage: Storage) -> bool:
    """Whether the storage has files on this machine (``FileSystemStorage`` and the like)."""
    try:
        storage.path("probe")
    except NotImplementedError:
        return False
    return True


def storage_url(storage: Storage, path: str, *, expire: int) -> str:
    """A direct URL for ``path``; presigned for ``expire`` seconds where the storage can."""
    if "expire" in inspect.signature(storage.url).parameters:
        return storage.url(path, expire=max(1, expire))  # type: ignore[call-arg]
    return storage.url(path)


def url_builder(
    storage: Storage, grant: Grant, base_url: str, *, presign_seconds: int | None = None
) -> Callable[[str], str]:
    """How a URI inside a playlist is written: playlists and trickplay indexes always come back
    here (they need rewriting); other files too on local storage, and as presigned URLs
    straight to the bucket on S3, issued per request (so per session), living
    ``presign_seconds`` (default: what is left of the grant)."""
    local = is_local(storage)

    def url_for(path: str) -> str:
        if local or path.endswith(".m3u8") or path.endswith("thumbnails.vtt"):
            return signed_url(base_url, path, grant)
        return storage_url(storage, path, expire=presign_seconds or grant.seconds_left)

    return url_for
