"""System checks for the plugin composition: problems surface in ``manage.py check``."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, register
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from .plugins.compose import active
from .plugins.registry import core_version, discovered, discovery_problems


def _plugin_errors() -> list[Error]:
    errors: list[Error] = []
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
    specs = active()
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
        for required in spec.requires:
            if required not in selected:
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
        if not apps.is_installed(spec.app_module):
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
    from .conf import unknown_keys

    errors: list[Error] = []
    known = {spec.settings_name for spec in specs}
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
    core = [spec for spec in specs if spec.name == "core"]
    if core and "STREAMFLIX_CORE" in known and not unknown_keys(core[0]):
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
    return errors


@register(Tags.compatibility)
def check_plugins(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return _plugin_errors()
