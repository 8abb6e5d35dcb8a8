from django.contrib import admin
from django.urls import path

from streamflix_core import plugins

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", plugins.api().urls),
    *plugins.urlpatterns(),
]
