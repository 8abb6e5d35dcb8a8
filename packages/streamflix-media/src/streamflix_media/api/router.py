"""The media plugin's Ninja router (``PluginSpec.router``): the catalog, asset, playback and
watching operations under ``/api/media/``."""

from ninja import Router

from .assets import router as assets_router
from .catalog import router as catalog_router
from .playback import router as playback_router
from .watching import router as watching_router

router = Router()
# Heartbeats are the most frequent request of the site: their routes come first, so URL
# resolution tries them before the rest.
router.add_router("", watching_router)
router.add_router("", catalog_router)
router.add_router("", assets_router)
router.add_router("", playback_router)
