"""Plain URL patterns of the media plugin (``PluginSpec.urlpatterns``), mounted by core under
the plugin's URL prefix (default ``stream/``) in the ``media`` namespace."""

from django.urls import path

from .assets.urls import urlpatterns as asset_urlpatterns
from .sitemaps import video_sitemap

urlpatterns = [
    path("sitemap-video.xml", video_sitemap, name="video-sitemap"),
    *asset_urlpatterns,
]
