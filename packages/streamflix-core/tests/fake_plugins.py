"""Synthetic plugins for testing composition and checks without installing distributions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.apps import AppConfig
from django.http import HttpResponse
from django.urls import path
from ninja import Router, Schema
from pydantic import BaseModel

from streamflix_core.plugins import registry
from streamflix_core.plugins.spec import PluginSpec, Schedule, TaskTimeout

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
    SIZE: int = 3
    TAGS: tuple[str, ...] = ()
    LIMIT: float | None = None
    TIDY_TIMEOUT_SECONDS: int | None = 20
    TIDY_CLUSTER: str = ""


class GizmoSettings(BaseModel):
    """A settings class may also be a pydantic model."""

    SPEED: int = 1


def widget_detail(request, pk):
    return HttpResponse(str(pk))


widget_urlpatterns = [path("w/<int:pk>", widget_detail, name="detail")]


def widget_task_timeouts() -> list[TaskTimeout]:
    from streamflix_core.conf import plugin_settings

    config = plugin_settings(WIDGETS)
    return [
        TaskTimeout(
            "tests.fake_plugins.tidy",
            config.TIDY_TIMEOUT_SECONDS,
            'STREAMFLIX_WIDGETS["TIDY_TIMEOUT_SECONDS"]',
            cluster=config.TIDY_CLUSTER,
        )
    ]


class WidgetsConfig(AppConfig):
    """An AppConfig outside an ``apps`` module, with a label of its own."""

    name = "tests"
    label = "widgets_app"
    default = False


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
    urlpatterns="tests.fake_plugins:widget_urlpatterns",
    url_prefix="widgets/",
    task_timeouts="tests.fake_plugins:widget_task_timeouts",
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
