from importlib import import_module

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "streamflix_core"
    label = "streamflix_core"
    verbose_name = "Streamflix core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  registers the system checks
        from .plugins.compose import active

        for spec in active():
            if spec.hooks:
                import_module(spec.hooks)
