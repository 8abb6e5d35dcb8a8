"""The social plugin's WebSocket routes (``PluginSpec.websocket_urlpatterns``)."""

from django.urls import path

from .consumers import NotificationsConsumer, TitleRoomConsumer

websocket_urlpatterns = [
    path("ws/social/titles/<slug:slug>/", TitleRoomConsumer.as_asgi()),
    path("ws/social/notifications/", NotificationsConsumer.as_asgi()),
]
