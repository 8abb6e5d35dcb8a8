"""ASGI entry point: HTTP through Django, WebSockets through Channels (run with daphne).

The sockets authenticate themselves (a one-time ticket or the JWT cookie), so no session or
auth middleware wraps them: it would load a session per handshake and wrap every message
pushed to a room."""

import os

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "streamflix_demo.settings")
django_asgi_app = get_asgi_application()

from streamflix_core import plugins  # noqa: E402  needs the app registry

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(URLRouter(plugins.websocket_urlpatterns())),
    }
)
