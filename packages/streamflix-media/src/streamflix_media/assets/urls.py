"""URL patterns of assets, added to the media plugin's ``urlpatterns``."""

from django.urls import path

from . import views

urlpatterns = [
    path("hls/<path:path>", views.hls_file, name="hls"),
    path("uploads/<uuid:session_id>", views.upload, name="upload"),
]
