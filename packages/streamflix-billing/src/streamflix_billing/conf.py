"""``STREAMFLIX_BILLING`` settings: fields and defaults in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BillingSettings:
    """Settings of the billing plugin. Keys are added with the features that read them."""


def settings() -> BillingSettings:
    """The billing plugin's settings, merged over the defaults above."""
    from streamflix_core.conf import plugin_settings

    from .plugin import plugin

    return plugin_settings(plugin)
