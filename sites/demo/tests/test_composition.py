"""The demo composes the four real plugins through their installed entry points."""

import json
from importlib.metadata import entry_points

import pytest
from django.test import Client

from .run_demo import manage, settings_value

ALL = ["core", "billing", "media", "social"]
BASE_ENV = {"DJANGO_SECRET_KEY": "x"}


def test_entry_points_of_all_four_plugins_are_installed():
    names = {ep.name for ep in entry_points(group="streamflix.plugins")}
    assert set(ALL) <= names


def test_plugins_endpoint_lists_all_four(db):
    body = Client().get("/api/plugins").json()
    assert [p["name"] for p in body] == ALL
    prefixes = {p["name"]: p["api_prefix"] for p in body}
    assert prefixes == {
        "core": "/api/",
        "billing": "/api/billing/",
        "media": "/api/media/",
        "social": "/api/social/",
    }
    assert next(p for p in body if p["name"] == "social")["requires"] == ["core", "media"]


def test_openapi_operations_have_one_tag_and_unique_ids(db):
    schema = Client().get("/api/openapi.json").json()
    assert schema["paths"]["/api/health"]["get"]["tags"] == ["core"]
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert all(len(op["tags"]) == 1 for op in operations)
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize(
    ("selection", "expected", "mounted"),
    [
        ("core", ["core"], set()),
        ("core,media", ["core", "media"], {"media"}),
        ("", ALL, {"media", "billing", "social"}),
    ],
)
def test_selection_by_environment(tmp_path, selection, expected, mounted):
    env = {**BASE_ENV, "STREAMFLIX_PLUGINS": selection, "STREAMFLIX_DATA_DIR": str(tmp_path)}
    code = (
        "from streamflix_core.plugins import api, active;"
        "import json;"
        "schema = api().get_openapi_schema(path_prefix='/api/');"
        "print(json.dumps({'plugins': [s.name for s in active()],"
        " 'paths': sorted(schema['paths'])}))"
    )
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["plugins"] == expected
    assert {"/api/health", "/api/plugins", "/api/auth/login"} <= set(out["paths"])
    plugin_paths = {
        name for name in ("media", "billing", "social")
        if any(p.startswith(f"/api/{name}/") for p in out["paths"])
    }  # fmt: skip
    assert plugin_paths == mounted
    assert manage("check", env=env).returncode == 0


def test_social_without_media_fails_the_system_check(tmp_path):
    env = {**BASE_ENV, "STREAMFLIX_PLUGINS": "core,social", "STREAMFLIX_DATA_DIR": str(tmp_path)}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "Plugin 'social' requires plugin 'media', which is not selected." in result.stderr


def test_excluding_a_plugin(tmp_path):
    env = {
        **BASE_ENV,
        "STREAMFLIX_EXCLUDE_PLUGINS": "billing",
        "STREAMFLIX_DATA_DIR": str(tmp_path),
    }
    apps = settings_value("settings.INSTALLED_APPS", env)
    assert "streamflix_billing" not in apps and "streamflix_media" in apps


def test_a_queue_retry_shorter_than_a_transcode_fails_the_system_check(tmp_path):
    # The demo's task timeout is STREAMFLIX_Q_TIMEOUT (1800) + the 600 s publish margin.
    env = {**BASE_ENV, "STREAMFLIX_Q_RETRY": "600", "STREAMFLIX_DATA_DIR": str(tmp_path)}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "streamflix.E011" in result.stderr
    # the transcode cluster's worker inherits the site's retry (ALT_CLUSTERS sets no other)
    assert 'Q_CLUSTER["ALT_CLUSTERS"]["transcode"]["retry"] (600 s)' in result.stderr
    assert 'STREAMFLIX_MEDIA["TRANSCODE_TIMEOUT_SECONDS"]' in result.stderr
    ok = {**env, "STREAMFLIX_Q_RETRY": "2430"}
    assert manage("check", env=ok).returncode == 0


def test_plugin_urls_are_namespaced_and_outside_media_url(settings):
    from django.urls import reverse

    hls = reverse("media:hls", kwargs={"path": "hls/1/v1/master.m3u8"})
    upload = reverse("media:upload", args=["00000000-0000-0000-0000-000000000001"])
    checkout = reverse("billing:dev-checkout", args=["dev_cs_1"])
    assert hls == "/stream/hls/hls/1/v1/master.m3u8"
    assert upload.startswith("/stream/uploads/")
    assert reverse("media:video-sitemap") == "/stream/sitemap-video.xml"
    assert checkout == "/billing/dev/checkout/dev_cs_1/"
    for url in (hls, upload):
        assert not url.startswith(settings.MEDIA_URL)
