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
from .reviews import review_create, review_delete, review_update, review_vote  # noqa: F401
