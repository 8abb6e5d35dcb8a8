"""Composition of the selected plugins into one API, URL patterns, WebSocket routes, admin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from .registry import composable, core_version, select
from .spec import PluginSpec, resolve

if TYPE_CHECKING:
    from django.apps import AppConfig
    from django.http import HttpRequest
    from ninja import NinjaAPI

_api_cache: NinjaAPI | None = None


def selected() -> list[PluginSpec]:
    """The plugins selected by ``STREAMFLIX_PLUGINS`` / ``STREAMFLIX_EXCLUDE_PLUGINS``, as
    asked, including any whose required plugins are missing (the system checks read this)."""
    return select(
        getattr(settings, "STREAMFLIX_PLUGINS", None),
        getattr(settings, "STREAMFLIX_EXCLUDE_PLUGINS", ()),
    )


def active() -> list[PluginSpec]:
    """The selected plugins the site composes: those with every plugin they require."""
    return composable(selected())


def app_config(spec: PluginSpec) -> AppConfig | None:
    """The installed AppConfig whose class is ``spec.app_config``, or ``None``.

    A site may list the app by module (``"streamflix_media"``) or by AppConfig path; either
    way Django instantiates the plugin's AppConfig class, so the class identifies it.
    """
    from django.apps import apps

    for config in apps.get_app_configs():
        cls = type(config)
        if f"{cls.__module__}.{cls.__qualname__}" == spec.app_config:
            return config
    return None


def url_prefix(spec: PluginSpec) -> str:
    """``STREAMFLIX_URL_PREFIXES[spec.name]`` or the spec's default, as ``""`` or ``"a/b/"``."""
    prefixes = getattr(settings, "STREAMFLIX_URL_PREFIXES", None) or {}
    prefix = prefixes.get(spec.name, spec.url_prefix)
    prefix = str(prefix or "").strip("/")
    return f"{prefix}/" if prefix else ""


def _api_class(specs: list[PluginSpec]) -> type[NinjaAPI]:
    from ninja import NinjaAPI

    configs = [(app_config(spec), spec.name) for spec in specs]
    modules = sorted(((c.name, name) for c, name in configs if c is not None), reverse=True)

    class StreamflixAPI(NinjaAPI):
        """One operation, one tag (the most specific), and ``<plugin>_<function>`` ids."""

        def _get_urls(self) -> list[Any]:
            from .url_groups import nested_by_segment

            return nested_by_segment(super()._get_urls())

        def get_openapi_schema(self, **kwargs: Any) -> Any:
            from streamflix_core.api.openapi import complete_openapi

            schema = complete_openapi(self, super().get_openapi_schema(**kwargs))
            for path in schema["paths"].values():
                for operation in path.values():
                    tags = operation.get("tags") or []
                    if len(tags) > 1:
                        operation["tags"] = tags[-1:]
            return schema

        def get_openapi_operation_id(self, operation: Any) -> str:
            module = operation.view_func.__module__
            plugin = next(
                (n for m, n in modules if module == m or module.startswith(m + ".")),
                module.replace(".", "_"),
            )
            return f"{plugin}_{operation.view_func.__name__}"

    return StreamflixAPI


def build_api(specs: list[PluginSpec]) -> NinjaAPI:
    """A fresh ``NinjaAPI`` with each spec's router under its prefix, tag and URL-name prefix."""
    from streamflix_core.api.errors import install_error_handlers
    from streamflix_core.api.parser import StreamflixParser

    api = _api_class(specs)(
        title="Streamflix API",
        parser=StreamflixParser(),
        version=core_version(),
        description="Every installed Streamflix plugin, one API. Errors are "
        '`{"detail": "...", "code": "..."}`.',
        urls_namespace="api",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    install_error_handlers(api)
    for spec in specs:
        if not spec.router:
            continue
        api.add_router(
            spec.api_prefix or "",
            resolve(spec.router),
            tags=[spec.name],
            url_name_prefix=spec.name,
        )
    return api


def api(*, cached: bool = True) -> NinjaAPI:
    global _api_cache
    if not cached:
        return build_api(active())
    if _api_cache is None:
        _api_cache = build_api(active())
    return _api_cache


def urlpatterns() -> list[Any]:
    from django.urls import include, path

    patterns: list[Any] = []
    for spec in active():
        if spec.urlpatterns:
            included = include((resolve(spec.urlpatterns), spec.url_namespace))
            patterns.append(path(url_prefix(spec), included))
    return patterns


def websocket_urlpatterns() -> list[Any]:
    routes: list[Any] = []
    for spec in active():
        if spec.websocket_urlpatterns:
            routes.extend(resolve(spec.websocket_urlpatterns))
    return routes


def sidebar_navigation(request: HttpRequest | None = None) -> list[dict[str, Any]]:
    """Unfold sidebar groups; point ``UNFOLD["SIDEBAR"]["navigation"]`` at this function."""
    groups: list[dict[str, Any]] = []
    for spec in active():
        section = spec.admin_section
        if section is None:
            continue
        items = []
        for item in section.items:
            try:
                link = reverse(item.link)
            except NoReverseMatch:
                # e.g. the core "Users" link on a site with its own user model
                continue
            entry: dict[str, Any] = {"title": item.title, "icon": item.icon, "link": link}
            if item.permission:
                entry["permission"] = item.permission
            items.append(entry)
        if not items:
            continue
        groups.append(
            {
                "title": section.title,
                "separator": True,
                "collapsible": section.collapsible,
                "items": items,
            }
        )
    return groups
