"""Plain URL patterns under a namespace and a prefix; the app module from the AppConfig."""

import pytest
from django.urls import NoReverseMatch, resolve, reverse

from streamflix_core import plugins
from streamflix_core.plugins import app_config, url_prefix

from .fake_plugins import WIDGETS, spec, use_plugins


def _urlconf():
    class UrlConf:
        urlpatterns = plugins.urlpatterns()

    return UrlConf


def test_plain_urls_mount_under_the_default_prefix_and_the_plugin_namespace(monkeypatch, settings):
    use_plugins(monkeypatch, WIDGETS)
    settings.STREAMFLIX_PLUGINS = None
    urlconf = _urlconf()
    assert reverse("widgets:detail", args=[7], urlconf=urlconf) == "/widgets/w/7"
    assert resolve("/widgets/w/7", urlconf=urlconf).namespace == "widgets"
    with pytest.raises(NoReverseMatch):
        reverse("detail", args=[7], urlconf=urlconf)  # only through the namespace


@pytest.mark.parametrize(
    ("configured", "path"),
    [("gadgets/stuff", "/gadgets/stuff/w/7"), ("/x/", "/x/w/7"), ("", "/w/7")],
)
def test_the_site_sets_the_prefix(monkeypatch, settings, configured, path):
    use_plugins(monkeypatch, WIDGETS)
    settings.STREAMFLIX_PLUGINS = None
    settings.STREAMFLIX_URL_PREFIXES = {"widgets": configured}
    assert reverse("widgets:detail", args=[7], urlconf=_urlconf()) == path
    assert url_prefix(WIDGETS) == path[1:].removesuffix("w/7")


def test_url_namespace_is_the_plugin_name():
    assert WIDGETS.url_namespace == "widgets"


def test_app_config_is_the_installed_appconfig():
    from streamflix_core.plugin import plugin as core

    config = app_config(core)
    assert (config.name, config.label) == ("streamflix_core", "streamflix_core")
    assert app_config(spec("ghost", app_config="ghost.apps.GhostConfig")) is None


def test_app_config_outside_an_apps_module(settings):
    # "tests.fake_plugins.WidgetsConfig" holds no ".apps.": splitting the path cannot find
    # the module, the AppConfig can.
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "tests.fake_plugins.WidgetsConfig"]
    widgets = spec("widgets", app_config="tests.fake_plugins.WidgetsConfig")
    config = app_config(widgets)
    assert (config.name, config.label) == ("tests", "widgets_app")
