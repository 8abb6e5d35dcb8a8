"""Unfold admins of the social plugin, one module per topic."""

from . import (  # noqa: F401
    comments,
    discovery,
    engagement,
    notifications,
    reviews,
)
