"""Synthetic plugins for testing composition and checks without installing distributions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from ninja import Router, Schema

from streamflix_core.plugins import registry
from streamflix_core.plugins.spec import PluginSpec, Schedule

widgets = Router()


class WidgetOut(Schema):
    id: int
    name: str


@widgets.get("/widgets", response=list[WidgetOut])
def list_widgets(request):
    return [{"id": 1, "name": "one"}]


gadgets = Router()


@gadgets.get("/gadgets")
def list_gadgets(request):
    return {"ok": True}


@dataclass(frozen=True)
class WidgetSettings:
    COLOUR: str = "blue"


def spec(name: str, **fields) -> PluginSpec:
    fields.setdefault("distribution", f"streamflix-{name}")
    fields.setdefault("app_config", f"fake_{name}.apps.FakeConfig")
    return PluginSpec(name=name, **fields)


WIDGETS = spec(
    "widgets",
    router="tests.fake_plugins:widgets",
    api_prefix="widgets/",
    requires=("core",),
    requires_core=">=0.1,<1",
    settings="tests.fake_plugins:WidgetSettings",
    schedules=(Schedule(name="widgets.tidy", func="tests.fake_plugins.tidy", minutes=5),),
)
GADGETS = spec(
    "gadgets",
    router="tests.fake_plugins:gadgets",
    api_prefix="gadgets/",
    requires=("core", "widgets"),
)


def tidy() -> None:
    """A schedule target."""


def use_plugins(monkeypatch: pytest.MonkeyPatch, *specs: PluginSpec) -> None:
    """Make discovery return the real core plus ``specs``."""
    from streamflix_core.plugin import plugin as core

    found = {core.name: core, **{s.name: s for s in specs}}
    monkeypatch.setattr(registry, "_discover", lambda: (found, ()))
