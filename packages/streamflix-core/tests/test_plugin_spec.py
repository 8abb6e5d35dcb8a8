import subprocess
import sys
import textwrap

import pytest

from streamflix_core.plugins import discovered, installed_apps, select
from streamflix_core.plugins.spec import PluginSpec, resolve


def test_plugin_modules_import_without_django_settings():
    code = textwrap.dedent(
        """
        import os, sys
        os.environ.pop("DJANGO_SETTINGS_MODULE", None)
        from importlib.metadata import entry_points
        specs = [ep.load() for ep in entry_points(group="streamflix.plugins")]
        from django.conf import settings
        assert not settings.configured
        assert "ninja" not in sys.modules, "plugin.py must not import Django Ninja"
        print(",".join(sorted(s.name for s in specs)))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "core" in out.strip().split(",")


def test_core_is_discovered_through_its_entry_point():
    specs = discovered()
    assert isinstance(specs["core"], PluginSpec)
    assert specs["core"].app_config == "streamflix_core.apps.CoreConfig"


def test_installed_apps_puts_core_and_its_apps_first():
    apps = installed_apps(["core"])
    assert apps[-1] == "streamflix_core.apps.CoreConfig"
    assert {"django_q", "ninja_jwt", "ninja_jwt.token_blacklist"} <= set(apps)


def test_selection_ignores_unknown_names_and_honours_exclusions():
    assert [s.name for s in select(["core", "nope"])] == ["core"]
    assert select(["core"], exclude=["core"]) == []


def test_resolve_accepts_colon_and_dot_paths():
    assert resolve("streamflix_core.plugin:plugin") is resolve("streamflix_core.plugin.plugin")
    with pytest.raises(ImportError):
        resolve("streamflix_core.nowhere:thing")


def test_settings_name_and_url_namespace():
    spec = PluginSpec(
        name="media", distribution="d", app_config="streamflix_media.apps.MediaConfig"
    )
    assert spec.settings_name == "STREAMFLIX_MEDIA"
    assert spec.url_namespace == "media"
    assert spec.url_prefix == ""
