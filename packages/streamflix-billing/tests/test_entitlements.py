from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from streamflix_billing import services
from streamflix_billing.models import Subscription, SubscriptionStatus
from streamflix_core import hooks, signals
from streamflix_core.hooks import PlaybackDecision, PlaybackRequest, decide_playback, max_profiles

pytestmark = pytest.mark.django_db


def make(user: Any, plan: Any, status: str = "active", **fields: Any) -> Subscription:
    now = timezone.now()
    return Subscription.objects.create(
        user=user,
        plan=plan,
        status=status,
        current_period_start=now - timedelta(days=1),
        current_period_end=fields.pop("end", now + timedelta(days=10)),
        **fields,
    )


def decide(user: Any) -> PlaybackDecision:
    return decide_playback(PlaybackRequest(user=user, content_type="title", content_id=1))


def test_billing_registers_both_providers():
    from streamflix_billing import hooks as billing_hooks

    assert billing_hooks.playback_entitlement in hooks.playback_entitlement.providers
    assert billing_hooks.profile_limit in hooks.profile_limit.providers


def test_no_subscription_is_denied(user):
    decision = decide(user)
    assert (decision.allowed, decision.reason) == (False, "no_subscription")


def test_incomplete_is_no_subscription(user, plans):
    make(user, plans["basic"], status=SubscriptionStatus.INCOMPLETE)
    assert decide(user).reason == "no_subscription"


@pytest.mark.parametrize(
    ("slug", "height", "streams"), [("basic", 720, 1), ("standard", 1080, 2), ("premium", 2160, 4)]
)
def test_active_plan_sets_the_limits(user, plans, slug, height, streams):
    make(user, plans[slug])
    decision = decide(user)
    assert decision.allowed and decision.reason == "ok"
    assert (decision.max_video_height, decision.max_concurrent_streams) == (height, streams)


def test_trialing_plays(user, plans):
    make(user, plans["premium"], status=SubscriptionStatus.TRIALING)
    assert decide(user).allowed


def test_period_ended_is_expired(user, plans):
    make(user, plans["basic"], end=timezone.now() - timedelta(seconds=1))
    assert decide(user).reason == "expired"


@pytest.mark.parametrize("status", ["canceled", "expired"])
def test_ended_subscriptions_are_expired(user, plans, status):
    make(user, plans["basic"], status=status)
    assert decide(user).reason == "expired"


def test_unpaid_is_past_due(user, plans):
    make(user, plans["basic"], status=SubscriptionStatus.UNPAID)
    assert decide(user).reason == "past_due"


def test_grace_period_follows_the_setting(user, plans, settings):
    make(
        user,
        plans["basic"],
        status=SubscriptionStatus.PAST_DUE,
        past_due_since=timezone.now() - timedelta(days=2),
    )
    assert decide(user).allowed
    settings.STREAMFLIX_BILLING = {"GRACE_PERIOD_DAYS": 1}
    assert decide(user).reason == "past_due"


def test_a_live_subscription_wins_over_an_older_ended_one(user, plans):
    make(user, plans["premium"], status=SubscriptionStatus.EXPIRED)
    make(user, plans["basic"])
    assert decide(user).max_video_height == 720


def test_limits_only_tighten_and_denials_pass_through(user, plans, temporary_hook):
    make(user, plans["premium"])

    def stricter(request: PlaybackRequest, decision: PlaybackDecision) -> PlaybackDecision:
        return decision.limit(max_video_height=480)

    with temporary_hook(hooks.playback_entitlement, stricter):
        assert decide(user).max_video_height == 480

    denied = PlaybackDecision(allowed=False, reason="staff_only")
    from streamflix_billing.hooks import playback_entitlement

    assert playback_entitlement(PlaybackRequest(user=user), denied) is denied


def test_anonymous_is_not_asked(plans):
    assert decide(AnonymousUser()).reason == "not_authenticated"


def test_profile_limit_comes_from_the_plan(user, plans, make_user):
    assert max_profiles(user) == 5  # core's default: billing has no opinion
    make(user, plans["standard"])
    assert max_profiles(user) == 3
    from streamflix_billing.hooks import profile_limit

    assert profile_limit(AnonymousUser()) is None
    assert profile_limit(make_user()) is None


def test_subscription_changed_is_sent_after_commit(user, plans, django_capture_on_commit_callbacks):
    received: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append({k: kwargs[k] for k in ("user_id", "status", "plan_slug")})

    signals.subscription_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.subscription_start_local(user=user, plan=plans["basic"], source="test")
        assert received == []
        for callback in callbacks:
            callback()
    finally:
        signals.subscription_changed.disconnect(receiver)
    assert received == [{"user_id": user.pk, "status": "active", "plan_slug": "basic"}]
