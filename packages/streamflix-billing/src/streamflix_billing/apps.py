from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "streamflix_billing"
    label = "streamflix_billing"
    verbose_name = "Streamflix billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from . import checks  # noqa: F401  registers the system checks
        from .services.accounts import on_user_pre_delete

        # pre_delete, not core's account_deleted: the rows to keep or settle are gone by then.
        pre_delete.connect(
            on_user_pre_delete, sender=get_user_model(), dispatch_uid="billing-user-pre-delete"
        )
