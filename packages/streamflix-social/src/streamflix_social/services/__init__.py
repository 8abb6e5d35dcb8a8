"""Social writes, keyword-only and named ``<thing>_<action>``; one module per topic. Every
public service is importable from here."""

from .comments import (  # noqa: F401
    BannedFromComments,
    comment_authors_ban,
    comment_ban_check,
    comment_edit,
    comment_post,
    comment_remove,
    comment_report,
    comments_hide,
    comments_unhide,
)
from .digests import digest_set, digests_send  # noqa: F401
from .discovery import recommendations_refresh, recommendations_refresh_queue  # noqa: F401
from .engagement import (  # noqa: F401
    LikeState,
    ListState,
    RatingState,
    like_add,
    like_remove,
    list_item_add,
    list_item_remove,
    rating_remove,
    rating_set,
)
from .live import live_broadcast, notifications_group, title_group  # noqa: F401
from .notifications import notification_mark_read, notifications_create, notifications_mark_all_read  # noqa: F401
from .reviews import review_create, review_delete, review_update, review_vote  # noqa: F401
from .rooms import room_join, room_leave  # noqa: F401
from .taste import MAX_CHOSEN_GENRES, genre_preferences_set  # noqa: F401
from .tickets import ws_ticket_issue, ws_ticket_redeem  # noqa: F401
