from streamflix_core.testing.contract import assert_plugin_contract


def test_billing_is_a_well_formed_plugin(db, settings):
    assert_plugin_contract("billing", settings)


def test_a_wrongly_typed_billing_setting_fails_the_check_without_crashing(settings):
    from django.core import checks

    settings.STREAMFLIX_BILLING = {"STRIPE_TIMEOUT_SECONDS": "slow", "GATEWAY": None}
    messages = [m for m in checks.run_checks() if m.id and m.id.startswith("streamflix")]
    typed = [m.msg for m in messages if m.id == "streamflix.E010"]
    assert typed == [
        "STREAMFLIX_BILLING[\"STRIPE_TIMEOUT_SECONDS\"]: expected float, got 'slow' (str).",
        'STREAMFLIX_BILLING["GATEWAY"]: expected str, got None (NoneType).',
    ]
    # billing's own checks read these settings: they stay quiet instead of raising
    assert not [m for m in messages if m.id.startswith("streamflix_billing")]


def test_billing_urls_are_namespaced_and_the_site_sets_their_prefix(settings):
    import importlib

    from django.urls import clear_url_caches, reverse

    assert reverse("billing:dev-checkout", args=["cs_1"]) == "/billing/dev/checkout/cs_1/"
    settings.STREAMFLIX_URL_PREFIXES = {"billing": "payments"}
    urls = importlib.import_module(settings.ROOT_URLCONF)
    try:
        importlib.reload(urls)
        clear_url_caches()
        assert reverse("billing:dashboard") == "/payments/admin/dashboard/"
    finally:
        del settings.STREAMFLIX_URL_PREFIXES
        importlib.reload(urls)
        clear_url_caches()
    assert reverse("billing:dashboard") == "/billing/admin/dashboard/"
