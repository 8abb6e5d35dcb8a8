"""Social models, one module per topic: engagement (likes, My List, ratings), reviews,
comments, notifications, discovery."""

from .comments import Comment, CommentBan, CommentReport  # noqa: F401
from .discovery import (  # noqa: F401
    GenrePreference,
    ProfilePick,
    RefreshRun,
    RowCuration,
    TitleNeighbour,
    TrendingTitle,
)
from .engagement import RATING_MAX, RATING_MIN, Like, ListItem, Rating  # noqa: F401
from .notifications import Notification, NotificationDigest  # noqa: F401
from .reviews import Review, ReviewVote  # noqa: F401
