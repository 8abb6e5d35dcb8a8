from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "streamflix_demo"
    label = "streamflix_demo"
    verbose_name = "Streamflix demo"
