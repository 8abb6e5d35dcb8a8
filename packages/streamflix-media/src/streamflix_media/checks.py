"""System checks of the media plugin's storage configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core import checks
from django.core.files.storage import Storage, storages

from streamflix_core.conf import InvalidPluginSettings

from .storage import (
    PRIVATE_ALIAS,
    output_storage_alias,
    source_storage_alias,
)

PUBLIC_ALIAS = "default"


def _location(storage: Storage) -> tuple[str, str, str] | None:
    """Where ``storage`` keeps files: (kind, bucket or "", path), or ``None`` if unknown."""
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        endpoint = str(getattr(storage, "endpoint_url", None) or "")
        return "s3", f"{endpoint}/{bucket}", str(getattr(storage, "location", "") or "").strip("/")
    base = getattr(storage, "base_location", None)
    if base is not None:
        return "fs", "", str(Path(str(getattr(storage, "location", base))).resolve())
    return None


def _shares_public_location(storage: Storage, public: Storage) -> bool:
    mine, theirs = _location(storage), _location(public)
    if mine is None or theirs is None or mine[:2] != theirs[:2]:
        return False
    if mine[0] == "fs":
        # A folder inside MEDIA_ROOT is served as MEDIA_URL too.
        return Path(mine[2]).is_relative_to(Path(theirs[2]))
    # On S3 objects are private unless signed; only the exact same prefix mixes the two.
    return mine[2] == theirs[2]


@checks.register(checks.Tags.security)
def check_private_storage(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W001: sources or HLS output are kept where public media (``MEDIA_URL``) is served."""
    messages: list[checks.CheckMessage] = []
    try:
        aliases = (
            ("SOURCE_STORAGE", source_storage_alias()),
            ("OUTPUT_STORAGE", output_storage_alias()),
        )
    except InvalidPluginSettings:
        return []  # core's streamflix.E008 / E010 name the invalid keys
    for setting, alias in aliases:
        if alias not in storages.backends:
            continue
        if alias == PUBLIC_ALIAS:
            shared = True
        else:
            try:
                shared = _shares_public_location(storages[alias], storages[PUBLIC_ALIAS])
            except Exception:
                shared = False
        if shared:
            messages.append(
                checks.Warning(
                    f"Media {setting} uses the storage alias {alias!r}, the same location as "
                    "the public media served under MEDIA_URL: video sources and HLS output "
                    "are reachable there without a signed URL.",
                    hint=f"Define STORAGES[{PRIVATE_ALIAS!r}] at a location MEDIA_URL does "
                    "not serve (e.g. a FileSystemStorage outside MEDIA_ROOT with "
                    "base_url=None, or an S3 prefix with querystring_auth).",
                    id="streamflix_media.W001",
                )
            )
    return messages


@checks.register(checks.Tags.security)
def check_signed_output_urls(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E001: the output storage has a ``custom_domain`` but cannot sign its URLs."""
    try:
        alias = output_storage_alias()
    except InvalidPluginSettings:
        return []
    if alias not in storages.backends:
        return []
    try:
        storage = storages[alias]
    except Exception:
        return []
    if not getattr(storage, "custom_domain", None):
        return []
    if getattr(storage, "querystring_auth", False) and getattr(storage, "cloudfront_signer", None):
        return []
    return [
        checks.Error(
            f"The media output storage {alias!r} has a custom_domain: django-storages then "
            "ignores querystring_auth, so HLS segment URLs are unsigned and never expire.",
            hint="Remove custom_domain from that storage (public media may keep it on "
            "another alias), or configure CloudFront signing (cloudfront_key_id and "
            "cloudfront_key) with querystring_auth=True.",
            id="streamflix_media.E001",
        )
    ]
