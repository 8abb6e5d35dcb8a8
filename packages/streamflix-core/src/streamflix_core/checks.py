"""System checks for the plugin composition: problems surface in ``manage.py check``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from .plugins.compose import app_config, url_prefix
from .plugins.compose import selected as selected_plugins
from .plugins.registry import core_version, discovered, discovery_problems


def _plugin_errors() -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for problem in discovery_problems():
        errors.append(
            Error(
                f"Plugin entry point {problem.entry_point!r} could not be loaded.",
                hint=problem.message,
                id="streamflix.E001",
            )
        )
    available = discovered()
    for setting_name in ("STREAMFLIX_PLUGINS", "STREAMFLIX_EXCLUDE_PLUGINS"):
        for name in getattr(settings, setting_name, None) or ():
            if name not in available:
                errors.append(
                    Error(
                        f"{setting_name} names unknown plugin {name!r}.",
                        hint="Installed plugins: " + ", ".join(sorted(available)) + ".",
                        id="streamflix.E002",
                    )
                )
    specs = selected_plugins()
    selected = {spec.name for spec in specs}
    if "core" not in selected:
        errors.append(
            Error(
                "The core plugin is not selected.",
                hint="Every site needs 'core'; add it to STREAMFLIX_PLUGINS.",
                id="streamflix.E003",
            )
        )
    version = core_version()
    prefixes: dict[str, str] = {}
    for spec in specs:
        missing = [required for required in spec.requires if required not in selected]
        for required in missing:
            errors.append(
                Error(
                    f"Plugin {spec.name!r} requires plugin {required!r}, which is not "
                    + ("installed." if required not in available else "selected."),
                    hint=f"Install and select {required!r}, or exclude {spec.name!r}.",
                    id="streamflix.E004",
                )
            )
        errors.extend(_core_version_errors(spec.name, spec.requires_core, version))
        if spec.router:
            prefix = (spec.api_prefix or "").strip("/")
            if prefix in prefixes:
                errors.append(
                    Error(
                        f"Plugins {prefixes[prefix]!r} and {spec.name!r} both use the API "
                        f"prefix {prefix + '/' if prefix else '(root)'!r}.",
                        hint="Give each plugin its own api_prefix.",
                        id="streamflix.E006",
                    )
                )
            else:
                prefixes[prefix] = spec.name
        if app_config(spec) is None and not missing:
            # (A plugin missing a requirement is left out of INSTALLED_APPS on purpose.)
            errors.append(
                Error(
                    f"Plugin {spec.name!r} is selected but {spec.app_config!r} is not in "
                    "INSTALLED_APPS.",
                    hint="Build INSTALLED_APPS with streamflix_core.plugins.installed_apps(), "
                    "passing the same STREAMFLIX_PLUGINS.",
                    id="streamflix.E007",
                )
            )
    errors.extend(_settings_errors(specs))
    errors.extend(_url_errors(specs, available))
    return errors


def _core_version_errors(name: str, requirement: str, version: str) -> list[Error]:
    if not requirement:
        return []
    try:
        specifier = SpecifierSet(requirement)
    except InvalidSpecifier:
        return [
            Error(
                f"Plugin {name!r} declares an invalid core version requirement {requirement!r}.",
                id="streamflix.E005",
            )
        ]
    if specifier.contains(version, prereleases=True):
        return []
    return [
        Error(
            f"Plugin {name!r} needs streamflix-core {requirement}, but {version} is installed.",
            hint="Upgrade or downgrade one of the two so that they match.",
            id="streamflix.E005",
        )
    ]


def _settings_errors(specs: list[Any]) -> list[Error]:
    from .conf import settings_problems, type_problems, unknown_keys

    errors: list[Error] = []
    valid: set[str] = set()
    for spec in specs:
        unknown = unknown_keys(spec)
        if unknown:
            errors.append(
                Error(
                    f"{spec.settings_name} has unknown key(s): {', '.join(unknown)}.",
                    hint="Check the spelling against the plugin's settings documentation.",
                    id="streamflix.E008",
                )
            )
        for problem in type_problems(spec):
            errors.append(
                Error(
                    problem.message(spec.settings_name) + ".",
                    hint=f"Give {spec.settings_name}[{problem.key!r}] a {problem.expected} "
                    "value (see the plugin's settings documentation).",
                    id="streamflix.E010",
                )
            )
        value = getattr(settings, spec.settings_name, None)
        if value is not None and not isinstance(value, dict):
            errors.append(
                Error(
                    f"{spec.settings_name} must be a dict, got {type(value).__name__}.",
                    id="streamflix.E010",
                )
            )
        if not settings_problems(spec):
            valid.add(spec.name)
    if "core" in valid:
        from .conf import settings as core_settings
        from .hooks import DEFAULT_POLICIES

        policy = core_settings().DEFAULT_PLAYBACK_POLICY
        if policy not in DEFAULT_POLICIES:
            errors.append(
                Error(
                    f"STREAMFLIX_CORE['DEFAULT_PLAYBACK_POLICY'] is {policy!r}.",
                    hint="Use one of: " + ", ".join(DEFAULT_POLICIES) + ".",
                    id="streamflix.E009",
                )
            )
    errors.extend(_task_queue_errors([spec for spec in specs if spec.name in valid]))
    return errors


# django-q2 brokers that re-deliver a task not acknowledged within Q_CLUSTER["retry"]
# seconds; the Redis broker (django-q2's default) never does.
_REDELIVERING_BROKERS = {
    "orm": "ORM",
    "sqs": "SQS",
    "iron_mq": "IronMQ",
    "mongo": "MongoDB",
    "broker_class": "custom",
}

# A task's process is stopped a few seconds after its timeout (django-q2's guard adds 3 s) and
# its result saved before it is acknowledged: Q_CLUSTER["retry"] must leave this much more.
QUEUE_RETRY_HEADROOM_SECONDS = 30


def _redelivering_broker(cluster: dict[str, Any]) -> str | None:
    for key, name in _REDELIVERING_BROKERS.items():
        if cluster.get(key):
            return name
    return None


def cluster_config(
    site_cluster: dict[str, Any], name: str
) -> tuple[dict[str, Any], str, str | None]:
    """``(configuration, where it is set, problem)`` of the django-q2 cluster ``name`` as its
    worker sees it (``""`` or ``Q_CLUSTER["name"]``: the default cluster).

    A worker started with ``Q_CLUSTER_NAME=<name>`` reads ``Q_CLUSTER`` updated with
    ``Q_CLUSTER["ALT_CLUSTERS"][name]`` — and django-q2 fails to start it when
    ``Q_CLUSTER`` has no ``"ALT_CLUSTERS"`` key at all: that is the problem reported."""
    if not name or name == site_cluster.get("name", "default"):
        return site_cluster, "Q_CLUSTER", None
    where = f'Q_CLUSTER["ALT_CLUSTERS"]["{name}"]'
    alternatives = site_cluster.get("ALT_CLUSTERS")
    if not isinstance(alternatives, dict):
        return (
            site_cluster,
            f'Add "ALT_CLUSTERS": {{"{name}": {{...}}}} to Q_CLUSTER (it may be empty).',
            f"A task is queued to the django-q2 cluster {name!r}, but Q_CLUSTER has no "
            '"ALT_CLUSTERS": a worker started with Q_CLUSTER_NAME=' + name + " fails.",
        )
    merged = {k: v for k, v in site_cluster.items() if k != "ALT_CLUSTERS"}
    merged.update(alternatives.get(name) or {})
    return merged, where, None


def _task_queue_errors(specs: list[Any]) -> list[Error]:
    """E011: django-q2 would re-deliver (``retry``) or kill (``timeout``) a plugin's task
    while it still has time to run."""
    from .plugins.spec import resolve

    site_cluster = getattr(settings, "Q_CLUSTER", None) or {}
    if site_cluster.get("sync"):
        return []  # tasks run inline: no broker re-delivers them, no guard kills them
    errors: list[Error] = []
    for spec in specs:
        if not spec.task_timeouts:
            continue
        for task in resolve(spec.task_timeouts)():
            cluster, where, problem = cluster_config(site_cluster, task.cluster)
            if problem is not None:
                errors.append(Error(problem, hint=where, id="streamflix.E013"))
                continue
            broker = _redelivering_broker(cluster)
            retry = cluster.get("retry", 60)
            cluster_timeout = cluster.get("timeout")
            if task.seconds is None:
                if cluster_timeout:
                    errors.append(
                        Error(
                            f"{task.settings} lets the task {task.task!r} run without a time "
                            f'limit, but {where}["timeout"] ({cluster_timeout} s) kills it '
                            "after that.",
                            hint=f'Give {task.settings} a limit, or remove {where}["timeout"].',
                            id="streamflix.E011",
                        )
                    )
                if broker:
                    errors.append(
                        Error(
                            f"{task.settings} lets the task {task.task!r} run without a time "
                            f"limit, but the {broker} broker re-delivers it while it runs, "
                            f'after {where}["retry"] ({retry} s).',
                            hint=f'Give {task.settings} a limit and set {where}["retry"] above it.',
                            id="streamflix.E011",
                        )
                    )
                continue
            needed = task.seconds + QUEUE_RETRY_HEADROOM_SECONDS
            if broker and retry < needed:
                errors.append(
                    Error(
                        f'{where}["retry"] ({retry} s) is too short for the task '
                        f"{task.task!r}, which may run {task.seconds} s ({task.settings}): "
                        f"the {broker} broker re-delivers it while it still runs.",
                        hint=f'Set {where}["retry"] to at least {needed} (the task\'s '
                        f"{task.seconds} s + {QUEUE_RETRY_HEADROOM_SECONDS} s), or lower "
                        f"{task.settings}.",
                        id="streamflix.E011",
                    )
                )
    return errors


def _url_errors(specs: list[Any], available: dict[str, Any]) -> list[CheckMessage]:
    """E002 for unknown names in STREAMFLIX_URL_PREFIXES, E012 for two plugins' plain URLs
    under one prefix, W001 for plain URLs under MEDIA_URL or STATIC_URL."""
    messages: list[CheckMessage] = []
    configured = getattr(settings, "STREAMFLIX_URL_PREFIXES", None) or {}
    if not isinstance(configured, dict):
        return [
            Error(
                "STREAMFLIX_URL_PREFIXES must be a dict of plugin name -> URL prefix, got "
                f"{type(configured).__name__}.",
                id="streamflix.E012",
            )
        ]
    for name, prefix in configured.items():
        if name not in available:
            messages.append(
                Error(
                    f"STREAMFLIX_URL_PREFIXES names unknown plugin {name!r}.",
                    hint="Installed plugins: " + ", ".join(sorted(available)) + ".",
                    id="streamflix.E002",
                )
            )
        elif not isinstance(prefix, str):
            messages.append(
                Error(
                    f"STREAMFLIX_URL_PREFIXES[{name!r}]: expected str, got {prefix!r} "
                    f"({type(prefix).__name__}).",
                    id="streamflix.E012",
                )
            )
    if any(m.id == "streamflix.E012" for m in messages):
        return messages
    owners: dict[str, str] = {}
    public = {}
    for setting in ("MEDIA_URL", "STATIC_URL"):
        url = urlsplit(str(getattr(settings, setting, "") or ""))
        path = url.path.strip("/")
        if path and not url.netloc:  # another host (a CDN) cannot shadow this site's URLs
            public[setting] = f"/{path}/"
    for spec in specs:
        if not spec.urlpatterns:
            continue
        prefix = url_prefix(spec)
        if prefix and prefix in owners:
            messages.append(
                Error(
                    f"Plugins {owners[prefix]!r} and {spec.name!r} both mount their URLs at "
                    f"{'/' + prefix!r}.",
                    hint="Give one of them another prefix in STREAMFLIX_URL_PREFIXES.",
                    id="streamflix.E012",
                )
            )
            continue
        owners[prefix] = spec.name
        for setting, served in public.items():
            if ("/" + prefix).startswith(served):
                messages.append(
                    Warning(
                        f"Plugin {spec.name!r} mounts its URLs at {'/' + prefix!r}, under "
                        f"{setting} ({served!r}): a web server or CDN that serves {setting} "
                        "answers those requests instead of the site.",
                        hint=f"Set STREAMFLIX_URL_PREFIXES[{spec.name!r}] to a path outside "
                        f"{setting}.",
                        id="streamflix.W001",
                    )
                )
    return messages


@register(Tags.compatibility)
def check_plugins(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return _plugin_errors()
