"""Social models, one module per topic: engagement (likes, My List, ratings), reviews,
comments, notifications."""

from .engagement import RATING_MAX, RATING_MIN, Like, ListItem, Rating  # noqa: F401
