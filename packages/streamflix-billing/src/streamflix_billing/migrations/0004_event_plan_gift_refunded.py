from django.db import migrations, models

SUBSCRIPTIONS_PER_BATCH = 500
# Events whose ``payment_id`` names the payment that bought the period they record.
PAID_KINDS = ("payment_succeeded", "renewed")


def _slug(data, key):
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _event_plans(events, *, current_plan_id, plan_by_slug, plan_by_payment):
    """The plan of each event of one subscription (oldest first), from what the events say.

    An event naming its plan (``created`` with ``plan``, ``plan_changed`` with ``to``, a
    payment or renewal through its payment's plan) fixes it for itself and the events after
    it. The events before the first such one had that same plan, or, when it is a plan
    change, the plan it names as ``from``. Whatever stays unknown gets the subscription's
    current plan, which is what the history showed until now.
    """
    plans = []
    known = None
    leading = None
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        own = None
        if event.kind == "created":
            own = plan_by_slug.get(_slug(data, "plan"))
        elif event.kind == "plan_changed":
            own = plan_by_slug.get(_slug(data, "to"))
            if known is None and own is not None:
                leading = plan_by_slug.get(_slug(data, "from"))
        elif event.kind in PAID_KINDS and isinstance(data.get("payment_id"), int):
            own = plan_by_payment.get(data["payment_id"])
        if own is not None:
            if known is None and event.kind != "plan_changed":
                leading = own
            known = own
        plans.append(known)
    fallback = leading or current_plan_id
    return [plan or fallback for plan in plans]


def fill_event_plans(apps, schema_editor):
    Subscription = apps.get_model("streamflix_billing", "Subscription")
    SubscriptionEvent = apps.get_model("streamflix_billing", "SubscriptionEvent")
    Payment = apps.get_model("streamflix_billing", "Payment")
    Plan = apps.get_model("streamflix_billing", "Plan")
    plan_by_slug = dict(Plan.objects.values_list("slug", "pk"))
    subscriptions = list(Subscription.objects.order_by("pk").values_list("pk", "plan_id"))
    for start in range(0, len(subscriptions), SUBSCRIPTIONS_PER_BATCH):
        batch = dict(subscriptions[start : start + SUBSCRIPTIONS_PER_BATCH])
        plan_by_payment = dict(
            Payment.objects.filter(subscription_id__in=batch, plan__isnull=False).values_list(
                "pk", "plan_id"
            )
        )
        events_of = {pk: [] for pk in batch}
        for event in SubscriptionEvent.objects.filter(subscription_id__in=batch).order_by(
            "occurred_at", "pk"
        ):
            events_of[event.subscription_id].append(event)
        changed = []
        for pk, events in events_of.items():
            plans = _event_plans(
                events,
                current_plan_id=batch[pk],
                plan_by_slug=plan_by_slug,
                plan_by_payment=plan_by_payment,
            )
            for event, plan_id in zip(events, plans, strict=True):
                event.plan_id = plan_id
                changed.append(event)
        SubscriptionEvent.objects.bulk_update(changed, ["plan"], batch_size=1000)


def mark_refunded_gifts(apps, schema_editor):
    # A paid gift whose payment was refunded in full is no longer redeemable.
    Gift = apps.get_model("streamflix_billing", "Gift")
    Gift.objects.filter(status="paid", payment__status="refunded").update(status="refunded")


class Migration(migrations.Migration):
    dependencies = [
        ("streamflix_billing", "0003_idempotency_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscriptionevent",
            name="plan",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="subscription_events",
                to="streamflix_billing.plan",
            ),
        ),
        migrations.AlterField(
            model_name="subscriptionevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("renewed", "Renewed"),
                    ("plan_changed", "Plan Changed"),
                    ("canceled", "Canceled"),
                    ("resumed", "Resumed"),
                    ("payment_succeeded", "Payment Succeeded"),
                    ("payment_failed", "Payment Failed"),
                    ("refunded", "Refunded"),
                    ("expired", "Expired"),
                    ("status_changed", "Status Changed"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="gift",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending_payment", "Pending Payment"),
                    ("paid", "Paid"),
                    ("redeemed", "Redeemed"),
                    ("canceled", "Canceled"),
                    ("refunded", "Refunded"),
                ],
                default="pending_payment",
                max_length=16,
            ),
        ),
        migrations.RunPython(fill_event_plans, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(mark_refunded_gifts, migrations.RunPython.noop, elidable=True),
    ]
