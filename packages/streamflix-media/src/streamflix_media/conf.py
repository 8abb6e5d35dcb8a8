"""``STREAMFLIX_MEDIA`` settings: fields and defaults in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaSettings:
    """Settings of the media plugin. Keys are added with the features that read them."""


def settings() -> MediaSettings:
    """The media plugin's settings, merged over the defaults above."""
    from streamflix_core.conf import plugin_settings

    from .plugin import plugin

    return plugin_settings(plugin)
