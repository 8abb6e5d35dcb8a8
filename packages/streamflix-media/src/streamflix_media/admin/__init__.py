"""The media admin: the catalog, the video assets and the playback sessions (importing
registers their ModelAdmins)."""

from . import assets, catalog, sessions  # noqa: F401
