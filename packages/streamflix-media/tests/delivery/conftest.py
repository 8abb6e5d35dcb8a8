"""The view tests publish a real ladder once, with the engine's fast encoder settings."""

from tests.transcoding.conftest import fast_media_settings, fast_options  # noqa: F401 (fixtures)
