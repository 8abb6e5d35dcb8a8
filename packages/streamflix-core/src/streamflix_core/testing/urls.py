from django.contrib import admin
from django.urls import path

from streamflix_core import plugins, social_login

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", plugins.api().urls),
    *plugins.urlpatterns(),
    *social_login.urlpatterns(),
]
