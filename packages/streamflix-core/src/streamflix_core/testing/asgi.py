from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

django_asgi = get_asgi_application()

from streamflix_core import plugins  # noqa: E402  needs the app registry

application = ProtocolTypeRouter(
    {"http": django_asgi, "websocket": URLRouter(plugins.websocket_urlpatterns())}
)
