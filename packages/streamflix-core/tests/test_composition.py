import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLResolver

from streamflix_core.plugins import registry
from streamflix_core.plugins.compose import build_api, sidebar_navigation
from streamflix_core.plugins.spec import AdminLink, AdminSection

from .fake_plugins import GADGETS, WIDGETS, spec, use_plugins

CORE_PATHS = {
    "/api/health",
    "/api/plugins",
    "/api/auth/register",
    "/api/auth/activate",
    "/api/auth/activation/resend",
    "/api/auth/login",
    "/api/auth/refresh",
    "/api/auth/logout",
    "/api/auth/password/reset",
    "/api/auth/password/reset/confirm",
    "/api/me",
    "/api/me/avatar",
    "/api/me/email",
    "/api/me/email/confirm",
    "/api/me/password",
    "/api/profiles",
    "/api/profiles/{profile_id}",
    "/api/profiles/{profile_id}/switch",
}
SOCIAL_LOGIN_PATHS = {
    "/api/auth/social/providers",
    "/api/auth/social/exchange",
    "/api/auth/social/link/password",
    "/api/auth/social/link/email",
    "/api/auth/social/email/confirm",
    "/api/me/social",
    "/api/me/social/link",
    "/api/me/social/{account_id}",
}
if apps.is_installed("streamflix_core.social_login"):
    # the optional sub-app: core's router mounts its endpoints when the site enables it
    CORE_PATHS = CORE_PATHS | SOCIAL_LOGIN_PATHS


def _paths(api) -> set[str]:
    return set(api.get_openapi_schema(path_prefix="/api/")["paths"])


def _url_names(api) -> set[str]:
    patterns = api.urls[0]
    return {p.name for p in patterns if not isinstance(p, URLResolver) and p.name}


def test_dependency_order_puts_requirements_first(monkeypatch):
    use_plugins(monkeypatch, GADGETS, WIDGETS)
    assert [s.name for s in registry.select(None)] == ["core", "widgets", "gadgets"]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["core"], CORE_PATHS),
        (["core", "widgets"], CORE_PATHS | {"/api/widgets/widgets"}),
        (None, CORE_PATHS | {"/api/widgets/widgets", "/api/gadgets/gadgets"}),
    ],
)
def test_each_selection_mounts_exactly_its_routers(monkeypatch, names, expected):
    use_plugins(monkeypatch, WIDGETS, GADGETS)
    api = build_api(registry.select(names))
    assert _paths(api) == expected


def test_routers_get_their_tag_and_url_name_prefix(monkeypatch):
    use_plugins(monkeypatch, WIDGETS)
    api = build_api(registry.select(None))
    schema = api.get_openapi_schema(path_prefix="/api/")
    assert schema["paths"]["/api/widgets/widgets"]["get"]["tags"] == ["widgets"]
    assert schema["paths"]["/api/health"]["get"]["tags"] == ["core"]
    assert {"widgets_list_widgets", "core_health_check", "core_plugin_list"} <= _url_names(api)


def test_openapi_and_docs_are_served(db):
    client = Client()
    assert client.get("/api/openapi.json").status_code == 200
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_plugins_endpoint_lists_the_selection(db):
    response = Client().get("/api/plugins")
    assert response.status_code == 200
    assert response.json() == [
        {
            "name": "core",
            "distribution": "streamflix-core",
            "version": "0.1.0",
            "api_prefix": "/api/",
            "requires": [],
        }
    ]


def test_sidebar_is_built_from_each_section(monkeypatch, settings):
    section = AdminSection(
        "Widgets",
        (
            AdminLink("All widgets", "admin:index", icon="star"),
            AdminLink("Not here", "admin:no_such_changelist"),
        ),
    )
    use_plugins(monkeypatch, spec("widgets", admin_section=section, requires=("core",)))
    settings.STREAMFLIX_PLUGINS = None
    groups = sidebar_navigation()
    titles = [g["title"] for g in groups]
    assert titles == ["Accounts and operations", "Widgets"]
    assert groups[1]["items"] == [{"title": "All widgets", "icon": "star", "link": "/admin/"}]


def test_operation_ids_are_plugin_and_function(monkeypatch):
    use_plugins(monkeypatch, WIDGETS)
    api = build_api(registry.select(None))
    schema = api.get_openapi_schema(path_prefix="/api/")
    assert schema["paths"]["/api/health"]["get"]["operationId"] == "core_health_check"
    ids = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))


def test_a_plugin_missing_a_required_plugin_is_left_out_of_the_composition():
    from streamflix_core.plugins.registry import composable
    from streamflix_core.plugins.spec import PluginSpec

    def spec(name: str, *requires: str) -> PluginSpec:
        return PluginSpec(name=name, distribution=name, app_config=f"{name}.apps.Config",
                          requires=requires)  # fmt: skip

    core, social, recs = spec("core"), spec("social", "core", "media"), spec("recs", "social")
    media = spec("media", "core")
    assert [s.name for s in composable([core, social, recs])] == ["core"]
    assert [s.name for s in composable([core, media, social, recs])] == [
        "core", "media", "social", "recs",
    ]  # fmt: skip
