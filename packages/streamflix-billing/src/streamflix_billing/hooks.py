"""Billing's answers to core's hooks: playback entitlement, the profile limit and the admin
dashboard cards."""

from __future__ import annotations

from typing import Any

from streamflix_core import hooks
from streamflix_core.hooks import PlaybackDecision, PlaybackRequest

from .selectors import entitlement_for


def playback_entitlement(request: PlaybackRequest, decision: PlaybackDecision) -> PlaybackDecision:
    """Deny without a playable subscription (``no_subscription``, ``past_due``, ``expired``);
    otherwise apply the plan's video-height and concurrent-stream limits."""
    if not decision.allowed:
        return decision
    reason, subscription = entitlement_for(user=request.user)
    if reason != "ok" or subscription is None:
        return decision.deny(reason)
    plan = subscription.plan
    return decision.limit(
        max_video_height=plan.max_video_height,
        max_concurrent_streams=plan.max_concurrent_streams,
    )


def profile_limit(user: Any) -> int | None:
    """The plan's ``max_profiles`` while the subscription plays; ``None`` (no opinion) else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    reason, subscription = entitlement_for(user=user)
    if reason != "ok" or subscription is None:
        return None
    return subscription.plan.max_profiles


def admin_dashboard_cards() -> list[Any]:
    """Subscribers, MRR, revenue and churn (the admin is imported only when asked)."""
    from .admin.dashboard import billing_cards

    return billing_cards()


hooks.playback_entitlement.register(playback_entitlement)
hooks.profile_limit.register(profile_limit)
hooks.admin_dashboard_cards.register(admin_dashboard_cards)
