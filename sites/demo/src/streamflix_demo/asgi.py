"""ASGI entry point: HTTP through Django, WebSockets through Channels (run with daphne)."""

import os

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "streamflix_demo.settings")
django_asgi_app = get_asgi_application()

from streamflix_core import plugins  # noqa: E402  needs the app registry

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(plugins.websocket_urlpatterns()))
        ),
    }
)
