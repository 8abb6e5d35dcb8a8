"""Social models, one module per topic: engagement (likes, My List, ratings), reviews,
comments, notifications."""

from .notifications import Notification  # noqa: F401
