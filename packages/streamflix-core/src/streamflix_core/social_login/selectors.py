"""Social sign-in reads that the rest of core may ask, whether or not it is enabled."""

from __future__ import annotations

from typing import Any

APP = "streamflix_core.social_login"


def signs_in_with_a_provider(user: Any) -> bool:
    """Whether ``user`` has a linked provider account (``False`` while social login is off)."""
    from django.apps import apps

    if not apps.is_installed(APP):
        return False
    from allauth.socialaccount.models import SocialAccount

    return SocialAccount.objects.filter(user=user).exists()
