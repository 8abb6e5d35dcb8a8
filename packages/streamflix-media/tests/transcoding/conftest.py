"""The engine's tests run with a fast encoder preset (the clips and the moto S3 server are in
the root ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from streamflix_media.transcoding import TranscodeOptions

FAST = {"X264_PRESET": "ultrafast", "HLS_SEGMENT_SECONDS": 2, "LADDER_PRUNING": False}


@pytest.fixture(scope="package", autouse=True)
def fast_media_settings() -> Iterator[None]:
    """ultrafast x264, 2 s segments and no ladder pruning (its own tests turn it on) for
    every test here (a setting, as a site would)."""
    from django.conf import settings

    merged = {**(getattr(settings, "STREAMFLIX_MEDIA", None) or {}), **FAST}
    with override_settings(STREAMFLIX_MEDIA=merged):
        yield


@pytest.fixture(scope="package")
def fast_options(fast_media_settings: None) -> TranscodeOptions:
    return TranscodeOptions.from_settings()
