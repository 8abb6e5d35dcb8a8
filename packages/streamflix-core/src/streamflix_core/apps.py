from importlib import import_module
from typing import Any

from django.apps import AppConfig


def accounts_cards() -> list[Any]:
    """Core's provider of ``admin_dashboard_cards`` (imports the admin only when asked)."""
    from .admin.dashboard import accounts_cards

    return accounts_cards()


class CoreConfig(AppConfig):
    name = "streamflix_core"
    label = "streamflix_core"
    verbose_name = "Streamflix core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  registers the system checks
            hooks,
        )
        from .dashboard import use_index_template
        from .plugins.compose import active
        from .receivers import connect

        connect()
        hooks.admin_dashboard_cards.register(accounts_cards)
        for spec in active():
            if spec.hooks:
                import_module(spec.hooks)
        use_index_template()
