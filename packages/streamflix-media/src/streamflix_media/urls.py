"""Django URL patterns the media plugin adds to a site (``PluginSpec.urlpatterns``)."""

from django.urls import path

from .assets.urls import urlpatterns as asset_urlpatterns
from .sitemaps import video_sitemap

urlpatterns = [
    path("sitemap-video.xml", video_sitemap, name="media-video-sitemap"),
    *asset_urlpatterns,
]
