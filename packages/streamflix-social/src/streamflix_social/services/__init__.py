"""Social writes, keyword-only and named ``<thing>_<action>``; one module per topic. Every
public service is importable from here."""

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
