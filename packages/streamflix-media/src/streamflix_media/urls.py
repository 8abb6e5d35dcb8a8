"""Django URL patterns the media plugin adds to a site (``PluginSpec.urlpatterns``)."""

from django.urls import path

from . import views
from .conf import settings
from .sitemaps import video_sitemap

urlpatterns = [
    path("sitemap-video.xml", video_sitemap, name="media-video-sitemap"),
    path(f"{settings().HLS_URL_PATH.strip('/')}/<path:path>", views.hls_file, name="media-hls"),
    path("media/uploads/<uuid:session_id>", views.upload, name="media-upload"),
]
