"""The social plugin's Ninja router (``PluginSpec.router``), mounted at ``/api/social/``:
likes, My List and ratings; reviews; comments; the WebSocket ticket; notifications;
discovery (recommendations, more like this)."""

from ninja import Router

from .comments import router as comments_router
from .discovery import router as discovery_router
from .engagement import router as engagement_router
from .live import router as live_router
from .notifications import router as notifications_router
from .reviews import router as reviews_router

router = Router(tags=["social"])
router.add_router("", engagement_router)
router.add_router("", reviews_router)
router.add_router("", comments_router)
router.add_router("", live_router)
router.add_router("", notifications_router)
router.add_router("", discovery_router)
