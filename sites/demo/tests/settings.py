"""The demo's own settings, made safe for tests (temporary data dir, a test secret)."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "streamflix-demo-tests")
os.environ.setdefault("STREAMFLIX_DATA_DIR", tempfile.mkdtemp(prefix="streamflix-demo-test-"))

from streamflix_demo.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
