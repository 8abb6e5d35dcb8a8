"""Demo data for core: an administrator and a regular viewer account with two profiles
(one for kids), whose credentials the seed prints."""

from __future__ import annotations

import os
from typing import Any, TextIO

from django.contrib.auth import get_user_model

from .maturity import KIDS_LIMIT, Maturity
from .models import Profile
from .users import has_field

DEMO_ADMIN_EMAIL = "admin@streamflix.local"
DEMO_VIEWER_EMAIL = "viewer@streamflix.local"
DEMO_PROFILES = (
    {"name": "Alex", "is_kids": False, "maturity_limit": int(Maturity.AGE_18), "is_default": True},
    {"name": "Kids", "is_kids": True, "maturity_limit": int(KIDS_LIMIT), "is_default": False},
)


def _account(email: str, password: str, **flags: Any) -> Any:
    user_model: Any = get_user_model()
    flags = {name: value for name, value in flags.items() if has_field(name)}
    user = user_model.objects.filter(email__iexact=email).first()
    if user is None:
        creator = (
            user_model.objects.create_superuser
            if flags.get("is_superuser")
            else user_model.objects.create_user
        )
        return creator(email=email, password=password, **flags)
    user.set_password(password)
    for name, value in flags.items():
        setattr(user, name, value)
    user.save()
    return user


def seed(stdout: TextIO) -> None:
    """Create (or reset) the demo administrator and the demo viewer with its profiles."""
    admin_password = os.environ.get("STREAMFLIX_DEMO_ADMIN_PASSWORD", "streamflix-admin")
    _account(
        DEMO_ADMIN_EMAIL,
        admin_password,
        is_active=True,
        is_staff=True,
        is_superuser=True,
        email_verified=True,
    )
    viewer_password = os.environ.get("STREAMFLIX_DEMO_VIEWER_PASSWORD", "streamflix-viewer")
    viewer = _account(
        DEMO_VIEWER_EMAIL,
        viewer_password,
        is_active=True,
        is_staff=False,
        is_superuser=False,
        email_verified=True,
        display_name="Alex Viewer",
    )
    for fields in DEMO_PROFILES:
        name = fields["name"]
        Profile.objects.update_or_create(
            user=viewer, name=name, defaults={k: v for k, v in fields.items() if k != "name"}
        )
    stdout.write(f"  admin: {DEMO_ADMIN_EMAIL} / {admin_password}\n")
    stdout.write(
        f"  viewer: {DEMO_VIEWER_EMAIL} / {viewer_password} "
        f"(profiles: {', '.join(str(p['name']) for p in DEMO_PROFILES)})\n"
    )
