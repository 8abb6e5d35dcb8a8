from types import SimpleNamespace

import pytest

from streamflix_core import hooks
from streamflix_core.hooks import Hook, PlaybackDecision, PlaybackRequest, decide_playback

member = SimpleNamespace(is_authenticated=True, is_staff=False)
staff = SimpleNamespace(is_authenticated=True, is_staff=True)
anonymous = SimpleNamespace(is_authenticated=False, is_staff=False)


def test_register_collect_and_temporarily():
    hook: Hook = Hook("sample", "provider() -> int")
    one = hook.register(lambda: 1)
    hook.register(one)  # idempotent
    assert hook.collect() == [1]
    with hook.temporarily(lambda: 2):
        assert hook.collect() == [1, 2]
    with hook.temporarily(lambda: 3, replace_existing=True):
        assert hook.collect() == [3]
    assert hook.collect() == [1]


@pytest.mark.parametrize(
    ("policy", "user", "allowed", "reason"),
    [
        ("authenticated", member, True, "ok"),
        ("authenticated", anonymous, False, "not_authenticated"),
        ("staff", member, False, "staff_only"),
        ("staff", staff, True, "ok"),
        ("anyone", anonymous, True, "ok"),
        ("nobody", staff, False, "playback_disabled"),
    ],
)
def test_default_policy(settings, policy, user, allowed, reason):
    settings.STREAMFLIX_CORE = {"DEFAULT_PLAYBACK_POLICY": policy}
    decision = decide_playback(PlaybackRequest(user=user))
    assert (decision.allowed, decision.reason) == (allowed, reason)


def test_providers_fold_in_order_and_only_lower_limits(temporary_hook):
    def plan(request, decision):
        return decision.limit(max_video_height=1080, max_concurrent_streams=2)

    def kids(request, decision):
        return decision.limit(max_video_height=720, max_concurrent_streams=4)

    with temporary_hook(hooks.playback_entitlement, plan, kids, replace_existing=True):
        decision = decide_playback(PlaybackRequest(user=member, content_type="title", content_id=1))
    assert decision == PlaybackDecision(True, "ok", 720, 2)


def test_a_provider_can_deny(temporary_hook):
    def no_subscription(request, decision):
        return decision.deny("no_subscription")

    with temporary_hook(hooks.playback_entitlement, no_subscription, replace_existing=True):
        decision = decide_playback(PlaybackRequest(user=member))
    assert (decision.allowed, decision.reason) == (False, "no_subscription")


def test_anonymous_is_not_passed_to_providers(temporary_hook):
    seen = []
    with temporary_hook(
        hooks.playback_entitlement, lambda r, d: seen.append(r) or d, replace_existing=True
    ):
        decision = decide_playback(PlaybackRequest(user=anonymous))
    assert decision.reason == "not_authenticated" and seen == []


def test_contributed_home_rows_follow_provider_order_and_drop_empty_rows():
    first = lambda viewer: [hooks.HomeRow("a", "A", [1]), hooks.HomeRow("empty", "E", [])]  # noqa: E731
    second = lambda viewer: [hooks.HomeRow("b", "B", [viewer])]  # noqa: E731
    with hooks.home_rows.temporarily(first, second, replace_existing=True):
        rows = hooks.contributed_home_rows("someone")
    assert [(row.key, row.titles) for row in rows] == [("a", [1]), ("b", ["someone"])]
    with hooks.home_rows.temporarily(replace_existing=True):
        assert hooks.contributed_home_rows("someone") == []
