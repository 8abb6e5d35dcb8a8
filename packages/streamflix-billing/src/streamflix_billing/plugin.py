from streamflix_core.plugins.spec import AdminLink, AdminSection, PluginSpec, Schedule

plugin = PluginSpec(
    name="billing",
    distribution="streamflix-billing",
    app_config="streamflix_billing.apps.BillingConfig",
    router="streamflix_billing.api.router:router",
    api_prefix="billing/",
    urlpatterns="streamflix_billing.urls:urlpatterns",
    url_prefix="billing/",
    hooks="streamflix_billing.hooks",
    settings="streamflix_billing.conf:BillingSettings",
    admin_section=AdminSection(
        title="Billing",
        items=(
            AdminLink("Dashboard", "billing:dashboard", icon="monitoring"),
            AdminLink("Plans", "admin:streamflix_billing_plan_changelist", icon="sell"),
            AdminLink(
                "Subscriptions",
                "admin:streamflix_billing_subscription_changelist",
                icon="autorenew",
            ),
            AdminLink("Payments", "admin:streamflix_billing_payment_changelist", icon="payments"),
            AdminLink("Refunds", "admin:streamflix_billing_refund_changelist", icon="undo"),
            AdminLink(
                "Promo codes", "admin:streamflix_billing_promocode_changelist", icon="percent"
            ),
            AdminLink("Gifts", "admin:streamflix_billing_gift_changelist", icon="redeem"),
            AdminLink(
                "Webhook events",
                "admin:streamflix_billing_webhookevent_changelist",
                icon="webhook",
            ),
        ),
    ),
    schedules=(
        Schedule(
            name="billing-expire-subscriptions",
            func="streamflix_billing.tasks.subscriptions_expire",
            schedule_type="I",
            minutes=15,
        ),
        Schedule(
            name="billing-development-renewals",
            func="streamflix_billing.tasks.development_renewals",
            schedule_type="I",
            minutes=5,
        ),
    ),
    requires=("core",),
    requires_core=">=0.1,<0.2",
    demo_seed="streamflix_billing.demo:seed",
)
