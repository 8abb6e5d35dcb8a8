"""URL patterns of assets, added to the media plugin's ``urlpatterns``."""

from django.urls import path

from ..conf import settings
from . import views

urlpatterns = [
    path(f"{settings().HLS_URL_PATH.strip('/')}/<path:path>", views.hls_file, name="media-hls"),
    path("media/uploads/<uuid:session_id>", views.upload, name="media-upload"),
]
