"""Exceptions of the transcoding engine, each with a stable ``code`` and a readable ``detail``.

``SourceRejected`` and its subclasses are domain errors (:mod:`streamflix_core.errors`), so an
API operation that lets one escape answers the right 4xx with ``{"detail", "code"}``.
``TranscodeError`` is a pipeline failure (not a client error): the caller records its
``code``/``detail`` on the asset and marks it failed.
"""

from __future__ import annotations

from streamflix_core.errors import InvalidInput, TooLarge, UnsupportedType


class SourceRejected(InvalidInput):
    """A source file that may not be ingested."""

    code = "source_rejected"


class SourceTooLarge(TooLarge, SourceRejected):
    code = "source_too_large"


class SourceEmpty(SourceRejected):
    code = "source_empty"


class UnsupportedSourceType(UnsupportedType, SourceRejected):
    code = "unsupported_source_type"


class SourceTypeMismatch(UnsupportedType, SourceRejected):
    """Extension, sniffed container and declared content type disagree."""

    code = "source_type_mismatch"


class NotAVideo(SourceRejected):
    code = "not_a_video"


class CorruptSource(SourceRejected):
    code = "corrupt_source"


class SourceTooLong(SourceRejected):
    code = "source_too_long"


class SourceResolutionTooHigh(SourceRejected):
    code = "source_resolution_too_high"


class InvalidSubtitles(SourceRejected):
    code = "invalid_subtitles"


class TranscodeError(Exception):
    """A transcode or publish run failed; nothing it wrote is left behind."""

    code = "transcode_failed"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code


class TranscodeTimeout(TranscodeError):
    code = "transcode_timeout"


class FfmpegNotFound(TranscodeError):
    code = "ffmpeg_not_found"


class PublishError(TranscodeError):
    code = "publish_failed"


class InvalidAudio(SourceRejected):
    """An extra audio file that cannot become a track (no audio stream, bad language)."""

    code = "invalid_audio"
