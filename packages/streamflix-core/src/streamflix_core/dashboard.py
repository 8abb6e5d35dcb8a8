"""The admin dashboard: cards every installed plugin contributes to the Unfold index.

A plugin registers a provider of the ``admin_dashboard_cards`` hook (declared in
:mod:`streamflix_core.hooks`) that returns a list of :class:`DashboardCard`. Unfold calls
:func:`dashboard_callback` (``UNFOLD["DASHBOARD_CALLBACK"]``) for the index page; it collects
every provider's cards, sorts them by ``order`` (then provider order, which follows plugin
dependency order) and hands them to ``streamflix_core/admin/index.html``, which renders them
with Unfold's components. A provider that raises is logged and shown as an error card; the
index still renders.

Cards are site-wide figures, the same for every staff member, so each provider's answer may
be kept in the Django cache for ``STREAMFLIX_CORE["DASHBOARD_CACHE_SECONDS"]``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.html import format_html

from . import hooks

logger = logging.getLogger(__name__)

CardKind = Literal["metrics", "chart", "table", "progress"]
ChartType = Literal["line", "bar"]

DASHBOARD_CALLBACK = "streamflix_core.dashboard.dashboard_callback"
INDEX_TEMPLATE = "streamflix_core/admin/index.html"
CACHE_KEY_PREFIX = "streamflix:dashboard:"

# Unfold's palette (CSS variables its chart script resolves), one per dataset in turn.
CHART_COLOURS = (
    "var(--color-primary-600)",
    "var(--color-primary-300)",
    "var(--color-base-400)",
)


@dataclass(frozen=True)
class Metric:
    """One figure: ``value`` is already formatted for people (``"1,204"``, ``"€12.99"``);
    ``hint`` is a short line under it; ``link`` an admin URL it opens."""

    label: str
    value: str
    hint: str = ""
    link: str = ""


@dataclass(frozen=True)
class Dataset:
    """One series of a chart: a value per label."""

    label: str
    data: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """A Chart.js line or bar chart as Unfold's ``unfold/components/chart/*.html`` expect."""

    labels: tuple[str, ...]
    datasets: tuple[Dataset, ...]
    type: ChartType = "line"
    suffix: str = ""

    def as_json(self) -> str:
        """The ``data`` attribute of Unfold's chart component (Chart.js ``data``)."""
        datasets = []
        for index, dataset in enumerate(self.datasets):
            colour = CHART_COLOURS[index % len(CHART_COLOURS)]
            entry: dict[str, Any] = {
                "label": dataset.label,
                "data": list(dataset.data),
                "borderColor": colour,
                "backgroundColor": colour,
                "displayYAxis": True,
                "maxTicksXLimit": 7,
            }
            if self.suffix:
                entry["suffixYAxis"] = self.suffix
            datasets.append(entry)
        return json.dumps({"labels": list(self.labels), "datasets": datasets})


@dataclass(frozen=True)
class ProgressItem:
    """A bar of Unfold's progress component: ``percent`` from 0 to 100."""

    label: str
    percent: float
    description: str = ""
    link: str = ""


@dataclass(frozen=True)
class Table:
    """Rows of text under ``headers``; ``links`` (when given) holds one admin URL (or ``""``)
    per row, which the row's first cell opens."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class DashboardCard:
    """One card of the admin index.

    ``kind`` says what the card mainly shows (``metrics``, ``chart``, ``table`` or
    ``progress``; chart and table cards are laid out wider) and which of ``metrics``,
    ``chart``, ``table`` and ``progress`` it fills — a card may fill several (metrics above
    a chart). ``order`` sorts cards across plugins (lower first; core's accounts are 10,
    media 20-29, billing 30-39, social 40-49). ``link`` is the admin page the card is about
    (a changelist), shown as its footer; ``empty`` is the text shown when nothing is filled.
    """

    title: str
    plugin: str
    kind: CardKind = "metrics"
    order: int = 100
    metrics: tuple[Metric, ...] = ()
    chart: Chart | None = None
    table: Table | None = None
    progress: tuple[ProgressItem, ...] = ()
    link: str = ""
    link_label: str = ""
    empty: str = ""
    error: bool = False

    @property
    def wide(self) -> bool:
        return self.kind in ("chart", "table")

    @property
    def chart_json(self) -> str:
        return self.chart.as_json() if self.chart else ""

    @property
    def table_data(self) -> dict[str, Any]:
        """The ``table`` argument of Unfold's table component (first cells linked)."""
        if self.table is None:
            return {"headers": [], "rows": []}
        rows = []
        for index, row in enumerate(self.table.rows):
            cells: list[Any] = list(row)
            link = self.table.links[index] if index < len(self.table.links) else ""
            if link and cells:
                cells[0] = format_html('<a class="text-primary-600" href="{}">{}</a>', link, row[0])
            rows.append(cells)
        return {"headers": list(self.table.headers), "rows": rows}


CardProvider = Callable[[], Sequence[DashboardCard]]


def error_card(provider: Callable[..., Any]) -> DashboardCard:
    """What the index shows instead of the cards of a provider that failed."""
    module = getattr(provider, "__module__", "") or ""
    plugin = module.split(".")[0].removeprefix("streamflix_") or "?"
    name = getattr(provider, "__qualname__", repr(provider))
    return DashboardCard(
        title=f"{plugin}: cards unavailable",
        plugin=plugin,
        kind="metrics",
        order=1000,
        empty=f"{module}.{name} failed; the error is in the server log.",
        error=True,
    )


def _provider_key(provider: Callable[..., Any]) -> str:
    module = getattr(provider, "__module__", "")
    name = getattr(provider, "__qualname__", repr(provider))
    return f"{CACHE_KEY_PREFIX}{module}.{name}"


def _cards_of(provider: CardProvider, cache_seconds: int) -> list[DashboardCard]:
    from django.core.cache import cache

    key = _provider_key(provider)
    if cache_seconds > 0:
        try:
            cached = cache.get(key)
        except Exception:  # a cache outage must not take the index down
            logger.exception("The dashboard cache could not be read.")
            cached = None
        if cached is not None:
            return list(cached)
    try:
        cards = list(provider())
        if not all(isinstance(card, DashboardCard) for card in cards):
            raise TypeError(f"{key} returned something other than DashboardCard objects")
    except Exception:
        logger.exception("Dashboard card provider %s failed", key.removeprefix(CACHE_KEY_PREFIX))
        return [error_card(provider)]
    if cache_seconds > 0:
        try:
            cache.set(key, cards, cache_seconds)
        except Exception:
            logger.exception("The dashboard cache could not be written.")
    return cards


def collect_cards(*, cache_seconds: int | None = None) -> list[DashboardCard]:
    """Every provider's cards, sorted by ``order`` (stable: provider order, then the order
    each provider gave). A provider that raises, or returns anything but cards, yields one
    error card instead (logged with its traceback)."""
    if cache_seconds is None:
        from .conf import settings

        cache_seconds = settings().DASHBOARD_CACHE_SECONDS
    cards: list[DashboardCard] = []
    for provider in hooks.admin_dashboard_cards.providers:
        cards.extend(_cards_of(provider, cache_seconds))
    return sorted(cards, key=lambda card: card.order)


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """Unfold's ``DASHBOARD_CALLBACK``: adds ``dashboard_cards`` to the index context.

    Set ``UNFOLD["DASHBOARD_CALLBACK"] = "streamflix_core.dashboard.dashboard_callback"``;
    core then renders the index with ``streamflix_core/admin/index.html`` (see
    :func:`use_index_template`).
    """
    context["dashboard_cards"] = collect_cards()
    return context


def use_index_template() -> None:
    """Point the default admin site at core's dashboard index when the site uses core's
    dashboard callback and has not chosen an index template of its own.

    Unfold's app ships ``admin/index.html`` and comes before every plugin in
    ``INSTALLED_APPS``, so a plugin's template of the same name would never be found; the
    site's ``index_template`` is the one place that picks the index.
    """
    from django.apps import apps
    from django.conf import settings as django_settings

    if not apps.is_installed("django.contrib.admin"):
        return
    unfold = getattr(django_settings, "UNFOLD", None) or {}
    if unfold.get("DASHBOARD_CALLBACK") != DASHBOARD_CALLBACK:
        return
    from django.contrib import admin

    if admin.site.index_template is None:
        admin.site.index_template = INDEX_TEMPLATE


# --- helpers for providers ------------------------------------------------------------------


def day_labels(days: Sequence[dt.date]) -> tuple[str, ...]:
    """Short chart labels for a run of days (``"Dec 2"``)."""
    return tuple(f"{day:%b} {day.day}" for day in days)


def count(value: int | float) -> str:
    """A whole number for people: ``1204`` -> ``"1,204"``."""
    return f"{round(value):,}"


def duration_hours(hours: float) -> str:
    """Hours watched for people: ``"1,204.5 h"``."""
    return f"{hours:,.1f} h"


def file_size(size: int) -> str:
    """Bytes for people, in powers of 1024 (``"1.5 GiB"``)."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} PiB"  # pragma: no cover


__all__ = [
    "DASHBOARD_CALLBACK",
    "INDEX_TEMPLATE",
    "CardKind",
    "CardProvider",
    "Chart",
    "DashboardCard",
    "Dataset",
    "Metric",
    "ProgressItem",
    "Table",
    "collect_cards",
    "count",
    "dashboard_callback",
    "day_labels",
    "duration_hours",
    "error_card",
    "file_size",
    "use_index_template",
]
