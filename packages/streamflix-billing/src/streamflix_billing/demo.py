"""Demo data for billing: three plans and an active subscription for the demo viewer."""

from __future__ import annotations

import os
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import Plan, Subscription, SubscriptionStatus
from .services.plans import period_end_after
from .services.subscriptions import subscription_event_record

DEMO_VIEWER_EMAIL = "viewer@streamflix.local"

PLANS = (
    {
        "slug": "basic",
        "name": "Basic",
        "price_amount": 799,
        "max_video_height": 720,
        "max_concurrent_streams": 1,
        "max_profiles": 1,
        "sort_order": 1,
        "features": ["HD 720p", "1 screen at a time", "1 profile"],
    },
    {
        "slug": "standard",
        "name": "Standard",
        "price_amount": 1299,
        "max_video_height": 1080,
        "max_concurrent_streams": 2,
        "max_profiles": 3,
        "sort_order": 2,
        "features": ["Full HD 1080p", "2 screens at a time", "3 profiles"],
    },
    {
        "slug": "premium",
        "name": "Premium",
        "price_amount": 1799,
        "max_video_height": 2160,
        "max_concurrent_streams": 4,
        "max_profiles": 5,
        "sort_order": 3,
        "features": ["4K Ultra HD", "4 screens at a time", "5 profiles"],
    },
)


@transaction.atomic
def seed(stdout: TextIO) -> None:
    """Create (or update) the plans and give the demo viewer an active Standard plan."""
    for spec in PLANS:
        Plan.objects.update_or_create(
            slug=spec["slug"],
            defaults={**spec, "currency": "usd", "interval": "month", "is_active": True},
        )
    user_model: Any = get_user_model()
    viewer = user_model.objects.filter(email__iexact=DEMO_VIEWER_EMAIL).first()
    if viewer is None:
        password = os.environ.get("STREAMFLIX_DEMO_VIEWER_PASSWORD", "streamflix-viewer")
        viewer = user_model.objects.create_user(email=DEMO_VIEWER_EMAIL, password=password)
    now = timezone.now()
    plan = Plan.objects.get(slug="standard")
    subscription = Subscription.objects.filter(
        user=viewer,
        status__in=(SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING),
        current_period_end__gt=now,
    ).first()
    if subscription is None:
        Subscription.objects.filter(user=viewer).exclude(
            status__in=(SubscriptionStatus.CANCELED, SubscriptionStatus.EXPIRED)
        ).update(status=SubscriptionStatus.EXPIRED, ended_at=now)
        subscription = Subscription.objects.create(
            user=viewer,
            plan=plan,
            status=SubscriptionStatus.ACTIVE,
            current_period_start=now,
            current_period_end=period_end_after(now, plan),
            gateway="development",
        )
        subscription_event_record(subscription=subscription, kind="created", source="demo seed")
    stdout.write(
        f"  billing: {len(PLANS)} plans; {DEMO_VIEWER_EMAIL} on {subscription.plan.name} "
        f"until {subscription.current_period_end:%Y-%m-%d}\n"
    )
