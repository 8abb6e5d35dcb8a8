"""Unfold admins of the social plugin, one module per topic."""

from . import comments, reviews  # noqa: F401
