"""The plugin contract: declare with ``PluginSpec``, compose with the functions below.

A site composes every installed plugin in three places::

    # settings.py
    INSTALLED_APPS = [..., *plugins.installed_apps(STREAMFLIX_PLUGINS)]
    # urls.py
    urlpatterns = [path("api/", plugins.api().urls), *plugins.urlpatterns()]
    # asgi.py
    URLRouter(plugins.websocket_urlpatterns())

Only ``installed_apps`` may run before Django is set up; it and ``PluginSpec`` import nothing
from Django.
"""

from .registry import (
    ENTRY_POINT_GROUP,
    discovered,
    distribution_version,
    installed_apps,
    select,
)
from .spec import AdminLink, AdminSection, PluginSpec, Schedule, TaskTimeout, resolve

__all__ = [
    "ENTRY_POINT_GROUP",
    "AdminLink",
    "AdminSection",
    "PluginSpec",
    "Schedule",
    "TaskTimeout",
    "active",
    "api",
    "app_config",
    "discovered",
    "distribution_version",
    "installed_apps",
    "resolve",
    "select",
    "sidebar_navigation",
    "url_prefix",
    "urlpatterns",
    "websocket_urlpatterns",
]


def active():
    """The plugins selected by the site's settings, in dependency order."""
    from .compose import active as _active

    return _active()


def api(*, cached: bool = True):
    """The site's single ``NinjaAPI`` with every selected plugin's router mounted."""
    from .compose import api as _api

    return _api(cached=cached)


def app_config(spec: PluginSpec):
    """The installed ``AppConfig`` of ``spec`` (its ``name`` is the app module, its ``label``
    the app label), or ``None`` when the site did not install it."""
    from .compose import app_config as _app_config

    return _app_config(spec)


def url_prefix(spec: PluginSpec) -> str:
    """Where ``spec``'s plain URL patterns are mounted: ``STREAMFLIX_URL_PREFIXES[name]``,
    else the plugin's default ``url_prefix`` (``""`` is the site root, else ends with ``/``)."""
    from .compose import url_prefix as _url_prefix

    return _url_prefix(spec)


def urlpatterns() -> list:
    """The selected plugins' plain Django URL patterns, each plugin's under its URL prefix
    and in its URL namespace (mount the list at the site root)."""
    from .compose import urlpatterns as _urlpatterns

    return _urlpatterns()


def websocket_urlpatterns() -> list:
    """Channels URL routes declared by the selected plugins."""
    from .compose import websocket_urlpatterns as _websocket_urlpatterns

    return _websocket_urlpatterns()


def sidebar_navigation(request=None) -> list[dict]:
    """Unfold sidebar groups from every plugin's admin section.

    Set ``UNFOLD["SIDEBAR"]["navigation"] = "streamflix_core.plugins.sidebar_navigation"``.
    """
    from .compose import sidebar_navigation as _sidebar_navigation

    return _sidebar_navigation(request)
