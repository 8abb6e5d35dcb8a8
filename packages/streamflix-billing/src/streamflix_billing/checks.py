"""System checks of the billing plugin's configuration."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from streamflix_core.conf import InvalidPluginSettings


@register(Tags.compatibility)
def check_stripe_budget_fits_worker_timeout(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """E001: one Stripe call (every attempt's timeouts plus the SDK's backoff) and the
    request's own headroom must fit the HTTP worker timeout, or a hanging Stripe API gets the
    worker killed (a 500) instead of answering the clean 502."""
    from streamflix_core.conf import settings as core_settings

    from .conf import settings
    from .gateway import REQUEST_HEADROOM_SECONDS, configured_stripe_call_budget_seconds

    try:
        config = settings()
        budget = configured_stripe_call_budget_seconds()
        worker_timeout = core_settings().HTTP_WORKER_TIMEOUT_SECONDS
    except InvalidPluginSettings:
        return []  # core's streamflix.E008 / E010 name the invalid keys
    if budget + REQUEST_HEADROOM_SECONDS <= worker_timeout:
        return []
    return [
        Error(
            f"One Stripe call may take {budget:g} s ({config.STRIPE_MAX_NETWORK_RETRIES + 1} "
            f"attempt(s) x ({config.STRIPE_CONNECT_TIMEOUT_SECONDS:g} s connect + "
            f"{config.STRIPE_TIMEOUT_SECONDS:g} s read) + SDK backoff); with "
            f"{REQUEST_HEADROOM_SECONDS:g} s for the rest of the request that exceeds the HTTP "
            f"worker timeout of {worker_timeout:g} s.",
            hint=(
                "Lower STREAMFLIX_BILLING['STRIPE_TIMEOUT_SECONDS'], "
                "['STRIPE_CONNECT_TIMEOUT_SECONDS'] or ['STRIPE_MAX_NETWORK_RETRIES'], or "
                "raise STREAMFLIX_CORE['HTTP_WORKER_TIMEOUT_SECONDS'] together with the HTTP "
                "server's worker timeout."
            ),
            id="streamflix_billing.E001",
        )
    ]


@register(Tags.compatibility)
def check_development_gateway_in_production(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """W001: the development gateway (a simulated checkout that grants subscriptions without
    payment) is active while ``DEBUG`` is off, which usually means a production site without
    its Stripe keys."""
    from .gateway import gateway_name

    try:
        development = gateway_name() == "development"
    except InvalidPluginSettings:
        return []
    if django_settings.DEBUG or not development:
        return []
    return [
        Warning(
            "Billing uses the development gateway with DEBUG off: anyone can subscribe "
            "through its simulated checkout without paying.",
            hint=(
                "Set STREAMFLIX_BILLING['STRIPE_SECRET_KEY'] (the demo: STRIPE_SECRET_KEY) to "
                "use Stripe, or set STREAMFLIX_BILLING['GATEWAY'] = 'stripe'."
            ),
            id="streamflix_billing.W001",
        )
    ]
