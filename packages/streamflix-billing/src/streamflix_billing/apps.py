from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "streamflix_billing"
    label = "streamflix_billing"
    verbose_name = "Streamflix billing"
    default_auto_field = "django.db.models.BigAutoField"
