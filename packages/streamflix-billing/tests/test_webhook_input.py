"""No signed webhook body gives a 500: a body that is not a Stripe event is a 400 with a clear
answer and nothing stored; an event that can never apply is stored as failed."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from streamflix_billing.gateway import StripeGateway
from streamflix_billing.models import (
    Customer,
    Gift,
    Payment,
    Refund,
    Subscription,
    SubscriptionEvent,
    WebhookEvent,
    WebhookStatus,
)

from .conftest import signed_headers
from .test_webhooks import invoice_obj, sub_obj

pytestmark = pytest.mark.django_db

URL = "/api/billing/webhooks/stripe"
NOW = int(time.time())


def post_signed(client: Any, body: str) -> Any:
    """POST ``body`` as it is, signed with the stripe SDK's own helper."""
    return client.post(URL, data=body, content_type="application/json", **signed_headers(body))


def event_text(created: str, obj: str = '{"id": "sub_x"}', event_id: str = '"evt_x"') -> str:
    """An event body with raw JSON for its fields, so values ``json.dumps`` refuses fit."""
    return (
        f'{{"id": {event_id}, "object": "event", "type": "customer.subscription.updated", '
        f'"created": {created}, "data": {{"object": {obj}}}}}'
    )


def billing_rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            WebhookEvent,
            Subscription,
            SubscriptionEvent,
            Payment,
            Refund,
            Customer,
            Gift,
        )
    }


@pytest.fixture
def no_stripe_calls(monkeypatch: Any) -> None:
    """A handler that asks Stripe gets an outage (there is no Stripe here)."""

    def down(self: Any, **kwargs: Any) -> Any:
        raise ConnectionError("Stripe is not reachable from the tests")

    monkeypatch.setattr(StripeGateway, "subscription_retrieve", down)


@pytest.mark.parametrize(
    ("created", "reason"),
    [
        ("100000000000000000000", "between 1970 and 3000"),
        ("-100000000000000000000", "between 1970 and 3000"),
        ("-1", "between 1970 and 3000"),
        ("Infinity", "not JSON"),
        ("-Infinity", "not JSON"),
        ("NaN", "not JSON"),
        ("1e400", "not JSON"),
        ("1" * 5000, "not JSON"),
        ("1700000000.5", "not a float"),
        ('"1700000000"', "not a str"),
        ('"soon"', "not a str"),
        ("true", "not a bool"),
        ("[1700000000]", "not a list"),
        ('{"at": 1700000000}', "not a dict"),
    ],
)
def test_an_absurd_created_time_is_a_400_and_nothing_is_stored(
    client, stripe_mode, user, plans, created, reason
):
    response = post_signed(client, event_text(created))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_payload"
    assert body["detail"].startswith("The webhook body is not a Stripe event: ")
    assert reason in body["detail"]
    assert set(billing_rows().values()) == {0}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (event_text("1", obj="[" * 100_000 + "]" * 100_000), "nests deeper than 64 levels"),
        (event_text("1", obj='{"a": ' * 70 + "1" + "}" * 70), "nests deeper than 64 levels"),
        (event_text("1", obj='{"id": "sub_\\u0000"}'), "NUL character"),
        (event_text("1", obj='{"id": "sub_\\ud800"}'), "unpaired surrogate"),
        (event_text("1", obj='{"\\ud800": 1}'), "unpaired surrogate"),
        (event_text("1", obj='{"amount": 1e999}'), "not JSON"),
        (event_text("1", event_id='"' + "e" * 101 + '"'), "id must be text of 1 to 100"),
        (event_text("1", event_id='""'), "id must be text of 1 to 100"),
        (event_text("1", event_id="42"), "id must be text of 1 to 100"),
        (event_text("1", obj="[]"), "no data.object"),
        ("[1, 2, 3]", "not a JSON object"),
        ('"event"', "not a JSON object"),
        ("{", "not JSON"),
    ],
)
def test_a_body_that_is_not_a_storable_event_is_a_400_and_nothing_is_stored(
    client, stripe_mode, body, reason
):
    response = post_signed(client, body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_payload"
    assert reason in response.json()["detail"]
    assert set(billing_rows().values()) == {0}


@pytest.mark.parametrize("field", ["current_period_end", "current_period_start", "canceled_at"])
@pytest.mark.parametrize("value", [10**20, -5, "tomorrow", 1.5, True])
def test_an_absurd_time_inside_the_object_fails_the_event_without_retry_or_changes(
    client, stripe_mode, user, plans, field, value
):
    from django_q.models import Schedule

    body = json.dumps(
        {
            "id": "evt_absurd",
            "type": "customer.subscription.created",
            "created": NOW,
            "data": {"object": sub_obj(user, **{field: value})},
        }
    )
    response = post_signed(client, body)
    assert response.status_code == 200, response.content
    event = WebhookEvent.objects.get()
    assert event.status == WebhookStatus.FAILED and "timestamp" in event.error
    assert not Subscription.objects.exists() and not SubscriptionEvent.objects.exists()
    # It can never apply as it stands: no retries, staff see it in the admin.
    assert not Schedule.objects.filter(func="streamflix_billing.tasks.webhook_event_retry").exists()


# Property-based: whatever a signed body holds, the answer is never a 5xx.

# Any text: NUL characters and unpaired surrogates included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)
# json.dumps writes NaN and Infinity as the bare words; some senders do too.
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.text(max_size=30)
    | ANY_TEXT
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4)
    ),
    max_leaves=20,
)


def mostly(good: Any, bad: Any) -> Any:
    """``good`` four times in five, else ``bad``: most bodies get past the checks and reach
    the handlers, the rest probe the checks."""
    # Hypothesis favours small integers, so the good branch is the small one.
    return st.integers(0, 4).flatmap(lambda pick: bad if pick == 4 else good)


SANE_TIMES = st.integers(min_value=NOW - 10**6, max_value=NOW + 10**6)
ABSURD_TIMES = st.integers(min_value=-(10**25), max_value=10**25) | st.floats() | JSON_VALUES
TIMESTAMPS = mostly(SANE_TIMES, ABSURD_TIMES)
# Field names the handlers read, so random values reach their code paths.
STRIPE_FIELDS = [
    "id",
    "object",
    "status",
    "customer",
    "subscription",
    "items",
    "metadata",
    "current_period_start",
    "current_period_end",
    "cancel_at_period_end",
    "canceled_at",
    "ended_at",
    "mode",
    "payment_status",
    "payment_intent",
    "amount_total",
    "amount_paid",
    "amount_due",
    "amount_refunded",
    "currency",
    "invoice",
    "billing_reason",
    "lines",
    "refunds",
    "parent",
    "payments",
    "client_reference_id",
    "amount",
]
SUBSCRIPTION_IDS = st.sampled_from(["sub_1", "sub_2"])


class _SignedUp:
    """Stands for the test's user in a subscription object; the test puts its id in."""

    pk = "__USER__"


_SIGNED_UP = _SignedUp()


@st.composite
def subscription_events(draw: Any) -> tuple[str, dict[str, Any]]:
    verb = draw(st.sampled_from(["created", "updated", "deleted"]))
    obj = sub_obj(
        _SIGNED_UP,
        sub_id=draw(SUBSCRIPTION_IDS),
        status=draw(st.sampled_from(["active", "trialing", "past_due", "canceled", "unpaid"])),
        price=draw(st.sampled_from(["price_basic", "price_premium", "price_unknown"])),
        cancel_at_period_end=draw(st.booleans()),
        start=draw(TIMESTAMPS),
        end=draw(TIMESTAMPS),
    )
    return f"customer.subscription.{verb}", obj


@st.composite
def invoice_events(draw: Any) -> tuple[str, dict[str, Any]]:
    obj = invoice_obj(
        invoice_id=draw(st.sampled_from(["in_1", "in_2"])),
        sub_id=draw(SUBSCRIPTION_IDS),
        start=draw(TIMESTAMPS),
        end=draw(TIMESTAMPS),
        reason=draw(st.sampled_from(["subscription_cycle", "subscription_create"])),
    )
    return draw(st.sampled_from(["invoice.paid", "invoice.payment_failed"])), obj


@st.composite
def money_events(draw: Any) -> tuple[str, dict[str, Any]]:
    refund = {"id": "re_1", "amount": 100, "status": draw(st.sampled_from(["succeeded", "failed"]))}
    choices = [
        (
            "checkout.session.completed",
            {"id": "cs_1", "mode": "payment", "payment_status": "paid", "metadata": {}},
        ),
        ("checkout.session.expired", {"id": "cs_1", "metadata": {"payment_id": "1"}}),
        (
            "charge.refunded",
            {"id": "ch_1", "payment_intent": "pi_in_1", "refunds": {"data": [refund]}},
        ),
        ("refund.updated", {**refund, "payment_intent": "pi_in_1"}),
    ]
    return draw(st.sampled_from(choices))


@st.composite
def event_bodies(draw: Any) -> str:
    """A Stripe event of a family the site handles, with some fields replaced by random JSON;
    now and then an unknown type, a random object, or no event at all."""
    event_type, obj = draw(subscription_events() | invoice_events() | money_events())
    event_type = draw(mostly(st.just(event_type), st.text(max_size=20)))
    obj = draw(mostly(st.just(obj), st.dictionaries(st.text(max_size=12), JSON_VALUES)))
    replaced = draw(st.dictionaries(st.sampled_from(STRIPE_FIELDS), JSON_VALUES, max_size=2))
    event: dict[str, Any] = {
        "id": draw(mostly(st.text(min_size=1, max_size=30).map("evt_".__add__), JSON_VALUES)),
        "object": "event",
        "type": event_type,
        "data": {"object": {**obj, **replaced}},
    }
    if draw(st.booleans()):
        event["created"] = draw(SANE_TIMES | ABSURD_TIMES)
    if draw(st.integers(0, 9)) == 9:
        event = draw(JSON_VALUES)  # not an event at all
    return json.dumps(event)


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=event_bodies())
def test_no_signed_event_body_gives_a_5xx(client, stripe_mode, no_stripe_calls, user, plans, body):
    before = billing_rows()
    response = post_signed(client, body.replace('"__USER__"', f'"{user.pk}"'))
    assert response.status_code < 500, (response.status_code, body)
    answer = response.json()
    if response.status_code == 400:
        assert answer["code"] == "invalid_payload" and answer["detail"]
        assert billing_rows() == before
    else:
        assert response.status_code == 200 and answer["received"] is True
    # Shown by --hypothesis-show-statistics: how many bodies reached a handler.
    event(f"{response.status_code} {answer.get('code') or answer.get('status')}")


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=st.text(max_size=200) | JSON_VALUES.map(json.dumps))
def test_no_signed_body_of_any_text_gives_a_5xx(client, stripe_mode, no_stripe_calls, body):
    before = billing_rows()
    response = post_signed(client, body)
    assert response.status_code < 500, (response.status_code, body)
    if response.status_code == 400:
        assert response.json()["code"] == "invalid_payload"
        assert billing_rows() == before
