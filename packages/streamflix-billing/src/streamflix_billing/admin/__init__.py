"""Billing in the Unfold admin: plans, subscriptions with history, money, webhooks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from unfold.admin import ModelAdmin, TabularInline

from streamflix_core.errors import DomainError
from streamflix_core.money import currency_exponent, format_money, to_major_units, to_minor_units

from .. import services, webhooks
from ..conf import settings
from ..models import (
    Customer,
    Gift,
    Payment,
    Plan,
    PromoCode,
    Refund,
    Subscription,
    SubscriptionEvent,
    WebhookEvent,
)


class MoneyForm(forms.ModelForm):
    """A model form whose amounts (stored in minor units) are typed as currency: ``12.99``
    for a plan of 1299 cents, ``500`` yen. ``money_fields`` maps each amount field to the
    field holding its currency (an empty currency means the site's ``CURRENCY``)."""

    money_fields: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, currency_field in self.money_fields.items():
            field = self.fields.get(name)
            if field is None:
                continue
            currency = self._currency(currency_field, bound=False)
            self.fields[name] = forms.DecimalField(
                label=field.label,
                required=field.required,
                min_value=Decimal(0),
                decimal_places=3,
                help_text=f"An amount of money in the {currency_field}'s currency, e.g. 12.99.",
            )
            stored = self.initial.get(name)
            if stored is not None:
                self.initial[name] = to_major_units(stored, currency)

    def _currency(self, currency_field: str, *, bound: bool) -> str:
        currency = ""
        if bound:
            currency = getattr(self, "cleaned_data", {}).get(currency_field) or ""
        currency = currency or getattr(self.instance, currency_field, "") or ""
        return (currency or settings().CURRENCY).lower()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for name, currency_field in self.money_fields.items():
            amount = cleaned.get(name)
            if amount is None or name not in self.fields:
                continue
            currency = self._currency(currency_field, bound=True)
            try:
                cleaned[name] = to_minor_units(amount, currency)
            except ValueError:
                places = currency_exponent(currency)
                self.add_error(
                    name, f"{currency.upper()} amounts have at most {places} decimal places."
                )
        return cleaned


def _money(amount: int | None, currency: str) -> str:
    return format_money(amount, currency or settings().CURRENCY)


class PlanForm(MoneyForm):
    money_fields = {"price_amount": "currency"}


@admin.register(Plan)
class PlanAdmin(ModelAdmin):
    form = PlanForm
    list_display = (
        "name",
        "slug",
        "price",
        "interval",
        "max_video_height",
        "max_concurrent_streams",
        "max_profiles",
        "is_active",
    )
    list_filter = ("is_active", "interval")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug", "stripe_price_id")

    @admin.display(description="Price", ordering="price_amount")
    def price(self, obj: Plan) -> str:
        return _money(obj.price_amount, obj.currency)


@admin.register(Customer)
class CustomerAdmin(ModelAdmin):
    list_display = ("user", "stripe_customer_id", "created_at")
    search_fields = ("user__email", "stripe_customer_id")
    raw_id_fields = ("user",)


class SubscriptionEventInline(TabularInline):
    model = SubscriptionEvent
    extra = 0
    can_delete = False
    fields = ("occurred_at", "kind", "plan", "source", "data")
    readonly_fields = fields
    ordering = ("-occurred_at", "-id")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("plan")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ModelAdmin):
    list_display = (
        "user",
        "plan",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "gateway",
    )
    list_filter = ("status", "gateway", "plan", "cancel_at_period_end")
    search_fields = ("user__email", "stripe_subscription_id")
    list_select_related = ("user", "plan")
    raw_id_fields = ("user",)
    readonly_fields = ("stripe_subscription_id", "stripe_customer_id", "stripe_state_at")
    inlines = (SubscriptionEventInline,)


class RefundInline(TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ("created_at", "refunded", "status", "reason", "requested_by", "stripe_refund_id")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("payment")

    @admin.display(description="Amount")
    def refunded(self, obj: Refund) -> str:
        return _money(obj.amount, obj.payment.currency)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PaymentForm(MoneyForm):
    money_fields = {"amount": "currency"}


@admin.register(Payment)
class PaymentAdmin(ModelAdmin):
    form = PaymentForm
    list_display = (
        "id",
        "user",
        "purpose",
        "paid",
        "refunded",
        "status",
        "created_at",
    )
    list_filter = ("status", "purpose", "gateway", "currency")
    search_fields = (
        "user__email",
        "deleted_user_email",
        "stripe_payment_intent_id",
        "stripe_invoice_id",
    )
    list_select_related = ("user",)
    raw_id_fields = ("user", "subscription")
    readonly_fields = (
        "refunded",
        "stripe_payment_intent_id",
        "stripe_invoice_id",
        "stripe_checkout_session_id",
        "paid_at",
    )
    inlines = (RefundInline,)
    actions = ("refund_in_full",)

    @admin.display(description="Amount", ordering="amount")
    def paid(self, obj: Payment) -> str:
        return _money(obj.amount, obj.currency)

    @admin.display(description="Refunded", ordering="amount_refunded")
    def refunded(self, obj: Payment) -> str:
        return _money(obj.amount_refunded, obj.currency)

    @admin.action(description="Refund what is left of the selected payments")
    def refund_in_full(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        done = 0
        for payment in queryset:
            try:
                services.payment_refund(
                    payment_id=payment.pk, reason="admin refund", requested_by=request.user
                )
            except DomainError as exc:
                self.message_user(request, f"Payment #{payment.pk}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"Refunded {done} payment(s).", messages.SUCCESS)


@admin.register(Refund)
class RefundAdmin(ModelAdmin):
    list_display = ("id", "payment", "refunded", "status", "reason", "requested_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("payment", "requested_by")
    raw_id_fields = ("payment", "requested_by")
    # The amount is what the provider refunded: shown as money, never edited by hand.
    exclude = ("amount",)
    readonly_fields = ("refunded", "stripe_refund_id")

    @admin.display(description="Amount", ordering="amount")
    def refunded(self, obj: Refund) -> str:
        return _money(obj.amount, obj.payment.currency)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Refunds go through the payment action (and the provider), never a bare row.
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(ModelAdmin):
    list_display = ("event_id", "type", "status", "attempts", "received_at", "processed_at")
    list_filter = ("status", "type")
    search_fields = ("event_id", "type")
    readonly_fields = (
        "event_id",
        "type",
        "payload",
        "created_at_source",
        "received_at",
        "processed_at",
        "status",
        "error",
        "attempts",
    )
    actions = ("replay",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Replay the selected events")
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookEvent]) -> None:
        outcomes: dict[str, int] = {}
        for event in queryset:
            result = webhooks.webhook_event_replay(webhook_event_id=event.pk)
            outcomes[result.status] = outcomes.get(result.status, 0) + 1
        summary = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
        level = messages.WARNING if "failed" in outcomes else messages.SUCCESS
        self.message_user(request, f"Replayed: {summary}.", level)


class PromoCodeForm(MoneyForm):
    money_fields = {"amount_off": "currency"}


@admin.register(PromoCode)
class PromoCodeAdmin(ModelAdmin):
    form = PromoCodeForm
    list_display = (
        "code",
        "percent_off",
        "discount",
        "times_redeemed",
        "max_redemptions",
        "expires_at",
        "is_active",
    )
    list_filter = ("is_active",)
    search_fields = ("code",)
    readonly_fields = ("times_redeemed", "stripe_coupon_id", "stripe_promotion_code_id")
    actions = ("sync_to_stripe",)

    @admin.display(description="Amount off", ordering="amount_off")
    def discount(self, obj: PromoCode) -> str:
        return "" if obj.amount_off is None else _money(obj.amount_off, obj.currency)

    def save_model(self, request: HttpRequest, obj: PromoCode, form: Any, change: bool) -> None:
        obj.code = obj.code.strip().upper()
        super().save_model(request, obj, form, change)

    @admin.action(description="Create the Stripe coupon and promotion code")
    def sync_to_stripe(self, request: HttpRequest, queryset: QuerySet[PromoCode]) -> None:
        for promo in queryset:
            try:
                services.promo_code_sync(promo=promo)
            except DomainError as exc:
                self.message_user(request, f"{promo.code}: {exc.message}", messages.ERROR)


@admin.register(Gift)
class GiftAdmin(ModelAdmin):
    list_display = (
        "code",
        "plan",
        "months",
        "recipient_email",
        "status",
        "purchaser",
        "created_at",
    )
    list_filter = ("status", "plan")
    search_fields = ("code", "recipient_email", "purchaser__email")
    list_select_related = ("plan", "purchaser")
    raw_id_fields = ("purchaser", "redeemed_by", "payment")
