"""Unfold admins of the social plugin, one module per topic."""

from . import notifications  # noqa: F401
