from django.apps import AppConfig


class SocialLoginConfig(AppConfig):
    """Sign-in through django-allauth's providers, exchanged for Streamflix's tokens."""

    name = "streamflix_core.social_login"
    label = "streamflix_social_login"
    verbose_name = "Social sign-in"
