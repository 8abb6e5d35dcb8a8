"""System checks of the media plugin's storage and encoder configuration."""

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
from .transcoding.complexity import PruningOptions
from .transcoding.encoders import (
    CODEC_FAMILIES,
    FMP4_ONLY,
    KNOWN_HARDWARE_NAMES,
    profile_problems,
    resolve_profiles,
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


@checks.register()
def check_encoders(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E002: a configured encoder is missing from the ffmpeg build (or a profile is invalid);
    E003: HEVC/AV1 rungs with MPEG-TS segments; E004: invalid pruning settings;
    W002: an unknown hardware encoder name;
    W003: no ffmpeg found. The build's ``-encoders`` listing is read once per process."""
    from .conf import settings
    from .transcoding.ffmpeg import ffmpeg_binary, ffmpeg_capabilities

    try:
        config = settings()
    except InvalidPluginSettings:
        return []
    messages: list[checks.CheckMessage] = []
    problems = profile_problems(config.VIDEO_ENCODERS)
    unknown_families = sorted(set(config.EXTRA_LADDERS) - FMP4_ONLY)
    if unknown_families:
        problems.append(
            f"EXTRA_LADDERS may name {' and '.join(sorted(FMP4_ONLY))}, not {unknown_families}."
        )
    for problem in problems:
        messages.append(checks.Error(problem, id="streamflix_media.E002"))
    try:
        PruningOptions(
            enabled=config.LADDER_PRUNING,
            ratio=config.LADDER_PRUNE_RATIO,
            samples=config.COMPLEXITY_PROBE_SAMPLES,
            sample_seconds=config.COMPLEXITY_PROBE_SECONDS,
            crf=config.COMPLEXITY_PROBE_CRF,
        )
    except ValueError as exc:
        messages.append(checks.Error(str(exc), id="streamflix_media.E004"))
    if problems:
        return messages
    families = ["h264", *(f for f in CODEC_FAMILIES if f in config.EXTRA_LADDERS)]
    if config.HLS_SEGMENT_TYPE != "fmp4" and len(families) > 1:
        messages.append(
            checks.Error(
                f"EXTRA_LADDERS asks for {', '.join(f.upper() for f in families[1:])} rungs "
                f"but HLS_SEGMENT_TYPE is {config.HLS_SEGMENT_TYPE!r}: HLS carries HEVC and "
                "AV1 only in fragmented MP4 segments.",
                hint='Set STREAMFLIX_MEDIA["HLS_SEGMENT_TYPE"] = "fmp4", or drop EXTRA_LADDERS.',
                id="streamflix_media.E003",
            )
        )
    for name in config.HARDWARE_ENCODERS:
        if name not in KNOWN_HARDWARE_NAMES:
            messages.append(
                checks.Warning(
                    f"HARDWARE_ENCODERS names {name!r}, which is not a known hardware "
                    "encoder; it is never used.",
                    hint=f"Known: {', '.join(sorted(KNOWN_HARDWARE_NAMES))}.",
                    id="streamflix_media.W002",
                )
            )
    try:
        binary = ffmpeg_binary()
        available = ffmpeg_capabilities(binary)
    except Exception as exc:
        messages.append(
            checks.Warning(
                f"No usable ffmpeg, so the encoders cannot be checked: {exc}",
                hint='Install ffmpeg or set STREAMFLIX_MEDIA["FFMPEG_BINARY"].',
                id="streamflix_media.W003",
            )
        )
        return messages
    profiles = resolve_profiles(config.VIDEO_ENCODERS, x264_preset=config.X264_PRESET)
    for family in families:
        encoder = profiles[family].encoder
        if encoder not in available:
            messages.append(
                checks.Error(
                    f"The {family} encoder {encoder!r} is not in the ffmpeg build {binary}.",
                    hint=f'Use an ffmpeg with {encoder}, or set STREAMFLIX_MEDIA["VIDEO_ENCODERS"]'
                    f'["{family}"]["encoder"] to one it has'
                    + ("" if family == "h264" else f", or drop {family!r} from EXTRA_LADDERS")
                    + ".",
                    id="streamflix_media.E002",
                )
            )
    return messages
