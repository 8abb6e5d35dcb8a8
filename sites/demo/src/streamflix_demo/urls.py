import re

from django.conf import settings
from django.contrib import admin
from django.urls import path, re_path
from django.views.static import serve

from streamflix_core import plugins, social_login

from . import web_app
from .hello import hello

urlpatterns = [
    path("admin/", admin.site.urls),
    path("hello", hello, name="hello"),
    path("api/", plugins.api().urls),
    *plugins.urlpatterns(),
    *social_login.urlpatterns(),
    # the viewer web app: / and its pages (/watch/..., /title/..., /account, ...)
    *web_app.urlpatterns(),
]

if settings.STREAMFLIX_SERVE_STATIC:
    urlpatterns.append(
        re_path(r"^static/(?P<path>.*)$", serve, {"document_root": settings.STATIC_ROOT})
    )
    # Public media only (avatars, posters): sources and HLS live in the private storage.
    urlpatterns.append(
        re_path(
            r"^{}(?P<path>.*)$".format(re.escape(settings.MEDIA_URL.lstrip("/"))),
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )
