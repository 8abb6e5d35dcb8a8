"""The plugin declaration. Importable without Django: a site's settings read it at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any


def resolve(dotted: str) -> Any:
    """Import ``"package.module:attribute"`` (or ``"package.module.attribute"``)."""
    if ":" in dotted:
        module_path, _, attribute = dotted.partition(":")
    else:
        module_path, _, attribute = dotted.rpartition(".")
    module = import_module(module_path)
    obj: Any = module
    for part in attribute.split("."):
        obj = getattr(obj, part)
    return obj


@dataclass(frozen=True)
class Schedule:
    """A django-q2 schedule a plugin wants; synced by ``manage.py streamflix_sync_schedules``.

    ``name`` is unique across plugins (prefix it with the plugin name). ``schedule_type`` is one
    of django-q2's codes: ``"I"`` minutes, ``"H"`` hourly, ``"D"`` daily, ``"W"`` weekly,
    ``"M"`` monthly, ``"C"`` cron (then ``cron`` holds the expression).
    """

    name: str
    func: str
    schedule_type: str = "I"
    minutes: int | None = None
    cron: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskTimeout:
    """How long a task a plugin queues may run, for core's django-q2 check (``streamflix.E011``).

    ``seconds`` is the timeout the plugin passes to ``async_task(timeout=...)``; ``None``
    means the task runs without a limit of its own (the plugin passes none, so
    ``Q_CLUSTER["timeout"]`` applies). ``settings`` names the plugin settings that make up
    ``seconds``, for the check's message (``'STREAMFLIX_MEDIA["TRANSCODE_TIMEOUT_SECONDS"]'``).
    ``cluster`` is the django-q2 cluster the task is queued to (``async_task(cluster=...)``);
    empty: the site's default one. A named cluster's worker runs with ``Q_CLUSTER`` merged with
    ``Q_CLUSTER["ALT_CLUSTERS"][cluster]``, and the check reads that.
    """

    task: str
    seconds: int | None
    settings: str
    cluster: str = ""


@dataclass(frozen=True)
class AdminLink:
    """One item of a plugin's admin sidebar section. ``link`` is a URL name, reversed lazily."""

    title: str
    link: str
    icon: str = "circle"
    permission: str | None = None


@dataclass(frozen=True)
class AdminSection:
    """A titled group of links in the Unfold sidebar."""

    title: str
    items: tuple[AdminLink, ...] = ()
    collapsible: bool = True


@dataclass(frozen=True)
class PluginSpec:
    """Everything a site needs to know to compose a plugin.

    Every reference to code is a dotted path, resolved only when the site asks for it, so
    this object (and the ``plugin.py`` that builds it) can be imported before Django starts.

    Attributes:
        name: the short plugin name (``"media"``); also its settings dict suffix
            (``STREAMFLIX_MEDIA``) and its OpenAPI tag.
        distribution: the installed distribution name, used for the reported version.
        app_config: dotted path of the Django ``AppConfig`` class. The app's module and label
            are read from that AppConfig once Django is set up (``plugins.app_config(spec)``).
        extra_apps: third-party Django apps the plugin needs installed (order-insensitive ones).
        router: ``"module:attribute"`` of the Ninja ``Router``; ``None`` for no API.
        api_prefix: where the router is mounted below the site's API root (``"media/"``).
        urlpatterns: dotted path of a list of plain Django URL patterns (HLS delivery, uploads,
            webhooks, a sitemap). They are mounted under ``url_prefix`` in the URL namespace
            ``url_namespace`` (the plugin's name); reverse them as ``"<name>:<url name>"``.
        url_prefix: the default path of those patterns below the site root (``"stream/"``);
            a site moves them with ``STREAMFLIX_URL_PREFIXES = {"<name>": "<prefix>"}``.
        websocket_urlpatterns: dotted path of a list of Channels URL routes.
        admin_section: the Unfold sidebar section.
        hooks: module imported when Django is ready; it registers the plugin's hook providers.
        settings: dotted path of a dataclass (or pydantic model) whose typed fields and
            defaults are the plugin's settings; core validates the site's dict against it.
        task_timeouts: dotted path of a callable returning the ``TaskTimeout`` of each task
            the plugin queues with a timeout of its own (checked against ``Q_CLUSTER``).
        schedules: django-q2 schedules the plugin runs.
        requires: names of the plugins this one needs.
        requires_core: a PEP 440 specifier the installed core version must satisfy.
        demo_seed: dotted path of ``seed(stdout)``, called by the demo's seed command.
    """

    name: str
    distribution: str
    app_config: str
    extra_apps: tuple[str, ...] = ()
    router: str | None = None
    api_prefix: str | None = None
    urlpatterns: str | None = None
    url_prefix: str = ""
    websocket_urlpatterns: str | None = None
    admin_section: AdminSection | None = None
    hooks: str | None = None
    settings: str | None = None
    task_timeouts: str | None = None
    schedules: tuple[Schedule, ...] = ()
    requires: tuple[str, ...] = ()
    requires_core: str = ""
    demo_seed: str | None = None

    @property
    def url_namespace(self) -> str:
        """The URL namespace of the plugin's plain URL patterns: its name (``"media"``)."""
        return self.name

    @property
    def settings_name(self) -> str:
        """Name of the site setting holding this plugin's dict (``STREAMFLIX_MEDIA``)."""
        return f"STREAMFLIX_{self.name.upper()}"
