"""Checks every plugin's test suite runs against itself: is it a well-formed plugin?"""

from __future__ import annotations

from typing import Any


def assert_plugin_contract(name: str, settings: Any) -> None:
    """Assert that plugin ``name`` is discovered, installed, listed, passes the checks, and
    mounts its plain URLs (if any) in its own URL namespace.

    ``settings`` is pytest-django's ``settings`` fixture (used to try an unknown key).
    """
    from django.test import Client
    from django.urls import get_resolver

    from streamflix_core.checks import check_plugins
    from streamflix_core.plugins import app_config, discovered, distribution_version

    spec = discovered()[name]
    assert app_config(spec) is not None, f"{spec.app_config} is not installed"
    assert check_plugins() == [], [e.msg for e in check_plugins()]

    listed = {p["name"]: p for p in Client().get("/api/plugins").json()}
    assert name in listed, f"/api/plugins does not list {name!r}"
    assert listed[name]["version"] == distribution_version(spec)
    assert sorted(listed[name]["requires"]) == sorted(spec.requires)
    if spec.router:
        assert listed[name]["api_prefix"] == "/api/" + (spec.api_prefix or "").lstrip("/")

    if spec.urlpatterns:
        namespaces = get_resolver().namespace_dict
        assert spec.url_namespace in namespaces, f"no URL namespace {spec.url_namespace!r}"

    setattr(settings, spec.settings_name, {"NOT_A_SETTING": 1})
    messages = [e.msg for e in check_plugins()]
    assert f"{spec.settings_name} has unknown key(s): NOT_A_SETTING." in messages
