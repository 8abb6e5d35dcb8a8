"""The transcoding engine: validate a source, transcode it to an adaptive HLS ladder in one
ffmpeg run (plus poster, trickplay and subtitles), and publish the output to a storage.

Pure functions over files and storages; no models. See docs/transcoding.md.
"""

from .audio_tracks import publish_audio_file, validate_audio_language
from .errors import (
    CorruptSource,
    FfmpegNotFound,
    InvalidAudio,
    InvalidSubtitles,
    NotAVideo,
    PublishError,
    SourceEmpty,
    SourceRejected,
    SourceResolutionTooHigh,
    SourceTooLarge,
    SourceTooLong,
    SourceTypeMismatch,
    TranscodeError,
    TranscodeTimeout,
    UnsupportedSourceType,
)
from .ffmpeg import check_ffmpeg, ffmpeg_binary, find_ffmpeg, run_ffmpeg
from .ladder import Rung, build_ladder
from .pipeline import publish_subtitle, transcode, transcode_and_publish
from .probe import ProbeResult, SourceInfo, content_hash, probe, sniff_container, validate_source
from .publish import asset_prefix, delete_prefix, list_prefix, publish_directory
from .results import (
    AudioRendition,
    Rendition,
    SubtitleInput,
    SubtitleTrack,
    TranscodeOptions,
    TranscodeResult,
    Trickplay,
)
from .subtitles import to_webvtt

__all__ = [
    "AudioRendition",
    "CorruptSource",
    "FfmpegNotFound",
    "InvalidAudio",
    "InvalidSubtitles",
    "NotAVideo",
    "ProbeResult",
    "PublishError",
    "Rendition",
    "Rung",
    "SourceEmpty",
    "SourceInfo",
    "SourceRejected",
    "SourceResolutionTooHigh",
    "SourceTooLarge",
    "SourceTooLong",
    "SourceTypeMismatch",
    "SubtitleInput",
    "SubtitleTrack",
    "TranscodeError",
    "TranscodeOptions",
    "TranscodeResult",
    "TranscodeTimeout",
    "Trickplay",
    "UnsupportedSourceType",
    "asset_prefix",
    "build_ladder",
    "check_ffmpeg",
    "content_hash",
    "delete_prefix",
    "ffmpeg_binary",
    "find_ffmpeg",
    "list_prefix",
    "probe",
    "publish_audio_file",
    "publish_directory",
    "publish_subtitle",
    "run_ffmpeg",
    "sniff_container",
    "to_webvtt",
    "transcode",
    "transcode_and_publish",
    "validate_audio_language",
    "validate_source",
]
