"""Unfold admins of the social plugin, one module per topic."""

from . import engagement  # noqa: F401
