from streamflix_core.testing.contract import assert_plugin_contract


def test_billing_is_a_well_formed_plugin(db, settings):
    assert_plugin_contract("billing", settings)
