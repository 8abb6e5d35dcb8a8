"""Billing data: plans, customers, subscriptions and their history, money moved, webhooks."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Interval(models.TextChoices):
    MONTH = "month", "Monthly"
    YEAR = "year", "Yearly"


class Plan(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    price_amount = models.PositiveIntegerField(help_text="Price in minor units (cents).")
    currency = models.CharField(max_length=3, default="usd")
    interval = models.CharField(max_length=5, choices=Interval.choices, default=Interval.MONTH)
    trial_days = models.PositiveSmallIntegerField(default=0)
    features = models.JSONField(default=list, blank=True, help_text="Display bullet points.")
    max_profiles = models.PositiveSmallIntegerField(default=1)
    max_concurrent_streams = models.PositiveSmallIntegerField(default=1)
    max_video_height = models.PositiveSmallIntegerField(default=720)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    stripe_product_id = models.CharField(max_length=100, blank=True)
    stripe_price_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("sort_order", "price_amount", "id")

    def __str__(self) -> str:
        return self.name

    @property
    def monthly_amount(self) -> int:
        """The price per month in minor units (yearly plans divided by twelve)."""
        if self.interval == Interval.YEAR:
            return round(self.price_amount / 12)
        return self.price_amount


class Customer(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing_customer"
    )
    # Empty (NULL) between storing the row and the gateway's answer.
    stripe_customer_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    # Names the creation at the gateway, so a retry never makes a second customer; random,
    # unlike the row id, which a new database hands out again.
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.stripe_customer_id or f"(pending) user {self.user_id}"


class SubscriptionStatus(models.TextChoices):
    INCOMPLETE = "incomplete"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    UNPAID = "unpaid"
    EXPIRED = "expired"


LIVE_STATUSES = (
    SubscriptionStatus.INCOMPLETE,
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
    SubscriptionStatus.UNPAID,
)
TERMINAL_STATUSES = (SubscriptionStatus.CANCELED, SubscriptionStatus.EXPIRED)


class Subscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing_subscriptions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=12, choices=SubscriptionStatus.choices)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    gateway = models.CharField(max_length=12, default="stripe")
    stripe_subscription_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    stripe_customer_id = models.CharField(max_length=100, blank=True)
    # Creation time of the newest Stripe event applied; older events are stale.
    stripe_state_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            # One live subscription per user: a second checkout cannot race in a duplicate.
            models.UniqueConstraint(
                fields=("user",),
                condition=Q(status__in=[s.value for s in LIVE_STATUSES]),
                name="billing_one_live_subscription_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.plan_id} · {self.status}"

    @property
    def days_remaining(self) -> int:
        remaining = self.current_period_end - timezone.now()
        return max(0, remaining.days + (1 if remaining.seconds else 0))


class EventKind(models.TextChoices):
    CREATED = "created"
    RENEWED = "renewed"
    PLAN_CHANGED = "plan_changed"
    CANCELED = "canceled"
    RESUMED = "resumed"
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    REFUNDED = "refunded"
    EXPIRED = "expired"
    STATUS_CHANGED = "status_changed"


class SubscriptionEvent(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="events")
    # The plan when the event happened: a later plan change must not relabel the past.
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscription_events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(
        max_length=120, blank=True, help_text="Stripe event id, 'development', 'api', 'admin'..."
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-occurred_at", "-id")

    def __str__(self) -> str:
        return f"{self.kind} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    CANCELED = "canceled"


# Money that arrived, whatever was refunded of it since.
PAID_STATUSES = (
    PaymentStatus.SUCCEEDED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.REFUNDED,
)


class PaymentPurpose(models.TextChoices):
    SUBSCRIPTION = "subscription"
    GIFT = "gift"
    RENEWAL = "renewal"


class Payment(models.Model):
    # Money records outlive the account: a deleted user leaves the row, with who paid kept.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="billing_payments",
    )
    deleted_user_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The payer's user id, kept when the account is deleted."
    )
    deleted_user_email = models.EmailField(
        blank=True, help_text="The payer's email, kept when the account is deleted."
    )
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT)
    promo_code = models.ForeignKey(
        "PromoCode", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    purpose = models.CharField(
        max_length=12, choices=PaymentPurpose.choices, default=PaymentPurpose.SUBSCRIPTION
    )
    amount = models.PositiveIntegerField(help_text="Minor units.")
    amount_refunded = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    description = models.CharField(max_length=200, blank=True)
    gateway = models.CharField(max_length=12, default="stripe")
    stripe_payment_intent_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_invoice_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    stripe_checkout_session_id = models.CharField(
        max_length=100, unique=True, null=True, blank=True
    )
    metadata = models.JSONField(default=dict, blank=True)
    # Names the checkout session at the gateway (see Customer.idempotency_key).
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"#{self.pk} {self.amount} {self.currency} {self.status}"

    @property
    def refundable_amount(self) -> int:
        if self.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
            return 0
        return self.amount - self.amount_refunded


class RefundStatus(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField(help_text="Minor units.")
    reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=12, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stripe_refund_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"refund {self.amount} of #{self.payment_id}"


class WebhookStatus(models.TextChoices):
    RECEIVED = "received"
    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"


class WebhookEvent(models.Model):
    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    created_at_source = models.DateTimeField(help_text="The event's own creation time.")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=WebhookStatus.choices, default=WebhookStatus.RECEIVED
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("-received_at", "-id")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class PromoCode(models.Model):
    code = models.CharField(max_length=40, unique=True, help_text="Stored upper case.")
    percent_off = models.PositiveSmallIntegerField(null=True, blank=True)
    amount_off = models.PositiveIntegerField(null=True, blank=True, help_text="Minor units.")
    currency = models.CharField(max_length=3, blank=True)
    max_redemptions = models.PositiveIntegerField(null=True, blank=True)
    times_redeemed = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    stripe_coupon_id = models.CharField(max_length=100, blank=True)
    stripe_promotion_code_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(
                condition=(Q(percent_off__isnull=False) & Q(amount_off__isnull=True))
                | (Q(percent_off__isnull=True) & Q(amount_off__isnull=False)),
                name="billing_promo_percent_xor_amount",
            ),
            models.CheckConstraint(
                condition=Q(percent_off__isnull=True) | Q(percent_off__gte=1, percent_off__lte=100),
                name="billing_promo_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def discounted(self, amount: int) -> int:
        """``amount`` after this code's discount, never below zero."""
        if self.percent_off is not None:
            return max(0, amount - round(amount * self.percent_off / 100))
        return max(0, amount - (self.amount_off or 0))


class GiftStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    REDEEMED = "redeemed"
    CANCELED = "canceled"
    REFUNDED = "refunded"


class Gift(models.Model):
    code = models.CharField(max_length=40, unique=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="gifts")
    months = models.PositiveSmallIntegerField()
    recipient_email = models.EmailField()
    # A paid gift belongs to its recipient: it survives the purchaser's account.
    purchaser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="billing_gifts_bought",
    )
    status = models.CharField(
        max_length=16, choices=GiftStatus.choices, default=GiftStatus.PENDING_PAYMENT
    )
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="gift"
    )
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="billing_gifts_redeemed",
    )
    redeemed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"gift {self.months}m {self.plan_id} → {self.recipient_email}"
