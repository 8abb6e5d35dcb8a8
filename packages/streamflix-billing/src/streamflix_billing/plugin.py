from streamflix_core.plugins.spec import PluginSpec

plugin = PluginSpec(
    name="billing",
    distribution="streamflix-billing",
    app_config="streamflix_billing.apps.BillingConfig",
    router="streamflix_billing.api.router:router",
    api_prefix="billing/",
    settings="streamflix_billing.conf:BillingSettings",
    requires=("core",),
    requires_core=">=0.1,<0.2",
)
