"""WSGI entry point for serving the HTTP API with a WSGI server (see docs/operations.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "streamflix_demo.settings")
application = get_wsgi_application()
