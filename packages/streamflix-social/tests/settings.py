from streamflix_core.testing.settings import *  # noqa: F403
from streamflix_core.testing.settings import compose

STREAMFLIX_PLUGINS = ["core", "media", "social"]
INSTALLED_APPS = compose(STREAMFLIX_PLUGINS)
