from django.urls import include, path

from . import views

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("social-login/complete", views.complete, name="streamflix_social_login_complete"),
    path(
        "social-login/connect/<str:code>",
        views.connect,
        name="streamflix_social_login_connect",
    ),
]
