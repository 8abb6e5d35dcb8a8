"""Plain URL patterns of the media plugin (``PluginSpec.urlpatterns``), mounted by core under
the plugin's URL prefix (default ``stream/``) in the ``media`` namespace."""

from django.urls import path

from . import views
from .sitemaps import video_sitemap

urlpatterns = [
    path("sitemap-video.xml", video_sitemap, name="video-sitemap"),
    path("hls/<path:path>", views.hls_file, name="hls"),
    path("uploads/<uuid:session_id>", views.upload, name="upload"),
]
