from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "streamflix_social"
    label = "streamflix_social"
    verbose_name = "Streamflix social"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
