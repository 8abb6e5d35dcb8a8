from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "streamflix_media"
    label = "streamflix_media"
    verbose_name = "Streamflix media"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401 - checks register themselves

        receivers.connect()
