"""Demo data for core: an administrator whose credentials the seed prints."""

from __future__ import annotations

import os
from typing import Any, TextIO

from django.contrib.auth import get_user_model

DEMO_ADMIN_EMAIL = "admin@streamflix.local"


def seed(stdout: TextIO) -> None:
    """Create (or reset) the demo administrator."""
    password = os.environ.get("STREAMFLIX_DEMO_ADMIN_PASSWORD", "streamflix-admin")
    user_model: Any = get_user_model()
    user = user_model.objects.filter(email__iexact=DEMO_ADMIN_EMAIL).first()
    if user is None:
        user = user_model.objects.create_superuser(email=DEMO_ADMIN_EMAIL, password=password)
    else:
        user.set_password(password)
        user.is_active = user.is_staff = user.is_superuser = True
        user.save()
    stdout.write(f"  admin: {DEMO_ADMIN_EMAIL} / {password}\n")
