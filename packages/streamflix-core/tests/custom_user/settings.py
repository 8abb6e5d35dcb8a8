from streamflix_core.testing.settings import *  # noqa: F403
from streamflix_core.testing.settings import compose

STREAMFLIX_PLUGINS = ["core"]
INSTALLED_APPS = [*compose(STREAMFLIX_PLUGINS), "tests.custom_user"]
AUTH_USER_MODEL = "custom_user.Member"
