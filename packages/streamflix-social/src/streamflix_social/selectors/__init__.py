"""Social reads, query-count bounded; one module per topic. Every public selector is
importable from here."""

from .comments import comment_threads, comments_around, comments_in_view, title_for_viewer  # noqa: F401
from .dashboard_stats import moderation_figures, ratings_and_likes_per_day  # noqa: F401
from .discovery import because_you_watched, more_like_this, top_picks, trending  # noqa: F401
from .discovery_stats import discovery_card  # noqa: F401
from .engagement import engagement_marks, my_list, viewer_profile_id  # noqa: F401
from .live import live_title, live_viewer, title_counters  # noqa: F401
from .notifications import (  # noqa: F401
    digest_frequency,
    notification_list,
    notification_unread_count,
)
from .reviews import REVIEW_ORDERINGS, review_detail, review_list  # noqa: F401
from .taste import genre_preferences  # noqa: F401
