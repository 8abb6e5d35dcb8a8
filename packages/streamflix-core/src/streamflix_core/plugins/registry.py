"""Discovery of installed plugins through the ``streamflix.plugins`` entry-point group.

Nothing here imports Django: ``installed_apps()`` runs inside a site's settings module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, entry_points, version

from .spec import PluginSpec

ENTRY_POINT_GROUP = "streamflix.plugins"


@dataclass(frozen=True)
class DiscoveryProblem:
    """An entry point that could not be loaded; reported as a system-check error."""

    entry_point: str
    message: str


@cache
def _discover() -> tuple[dict[str, PluginSpec], tuple[DiscoveryProblem, ...]]:
    found: dict[str, PluginSpec] = {}
    problems: list[DiscoveryProblem] = []
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            spec = entry_point.load()
        except Exception as exc:  # a broken plugin must not stop the site from starting
            problems.append(DiscoveryProblem(entry_point.value, f"{type(exc).__name__}: {exc}"))
            continue
        if not isinstance(spec, PluginSpec):
            problems.append(
                DiscoveryProblem(entry_point.value, "the entry point is not a PluginSpec")
            )
        elif spec.name != entry_point.name:
            problems.append(
                DiscoveryProblem(
                    entry_point.value,
                    f"entry point name {entry_point.name!r} differs from spec name {spec.name!r}",
                )
            )
        elif spec.name in found:
            problems.append(
                DiscoveryProblem(entry_point.value, f"plugin name {spec.name!r} is declared twice")
            )
        else:
            found[spec.name] = spec
    return found, tuple(problems)


def discovered() -> dict[str, PluginSpec]:
    """Every plugin installed in this environment, by name."""
    return dict(_discover()[0])


def discovery_problems() -> tuple[DiscoveryProblem, ...]:
    return _discover()[1]


def distribution_version(spec: PluginSpec) -> str:
    """The installed version of the plugin's distribution (``"unknown"`` when not installed
    as one). Read from the distribution's metadata once per process: finding it walks
    ``sys.path`` (about 0.3 ms a distribution), and an upgrade restarts the process anyway."""
    return _installed_version(spec.distribution)


@cache
def _installed_version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"


def core_version() -> str:
    from streamflix_core import __version__

    return __version__


def _dependency_order(specs: dict[str, PluginSpec]) -> list[PluginSpec]:
    """Core first, then every plugin after the plugins it requires; ties by name."""
    ordered: list[PluginSpec] = []
    placed: set[str] = set()

    def place(name: str, trail: tuple[str, ...]) -> None:
        if name in placed or name not in specs or name in trail:
            return
        for required in sorted(specs[name].requires):
            place(required, (*trail, name))
        placed.add(name)
        ordered.append(specs[name])

    if "core" in specs:
        place("core", ())
    for name in sorted(specs):
        place(name, ())
    return ordered


def select(names: Sequence[str] | None = None, exclude: Iterable[str] = ()) -> list[PluginSpec]:
    """The plugins a site composes, in dependency order.

    ``names=None`` means every discovered plugin. Unknown names and missing requirements
    are not errors here (a settings module must not crash); the system checks report them.
    """
    available = discovered()
    wanted = set(available) if names is None else {n for n in names if n in available}
    wanted -= set(exclude)
    return _dependency_order({name: available[name] for name in wanted})


def composable(specs: Sequence[PluginSpec]) -> list[PluginSpec]:
    """``specs`` (in dependency order) without the plugins missing a plugin they require,
    directly or through another: those are left out of the site (apps, routes, hooks), so it
    still starts and the system check can say what is missing (``streamflix.E004``) instead
    of an import failing."""
    kept: list[PluginSpec] = []
    names: set[str] = set()
    for spec in specs:
        if all(required in names for required in spec.requires):
            kept.append(spec)
            names.add(spec.name)
    return kept


def installed_apps(names: Sequence[str] | None = None, exclude: Iterable[str] = ()) -> list[str]:
    """``INSTALLED_APPS`` entries for the selected plugins and the third-party apps they need.

    Pass the same values as the ``STREAMFLIX_PLUGINS`` / ``STREAMFLIX_EXCLUDE_PLUGINS``
    settings. Apps whose position matters (``daphne``, ``unfold`` before
    ``django.contrib.admin``) stay in the site's own list. A plugin whose required plugins
    are not selected is left out (see :func:`composable`).
    """
    apps: list[str] = []
    for spec in composable(select(names, exclude)):
        for app in (*spec.extra_apps, spec.app_config):
            if app not in apps:
                apps.append(app)
    return apps
