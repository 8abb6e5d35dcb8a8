"""The media admin: the catalog and the video assets (importing registers their ModelAdmins)."""

from . import assets, catalog  # noqa: F401
