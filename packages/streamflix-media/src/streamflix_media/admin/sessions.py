"""Unfold admin of playback sessions: who watches what on which device, which sessions are
active now (staff can stop them), and a chart of the hours watched per day.

Sessions are written by players and the watching services only: the admin changes no
field; its one write is the "Stop selected sessions" action (``session_stop_by_staff``)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from unfold.admin import ModelAdmin

from streamflix_core.errors import DomainError

from .. import selectors, services
from ..models import PlaybackSession

CHART_DAYS = 30


def _email_lookup() -> str:
    return f"user__{get_user_model().get_email_field_name()}"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def watch_time_chart(*, days: int = CHART_DAYS) -> str:
    """The hours watched per day as the Chart.js data (JSON) of Unfold's bar chart."""
    per_day = selectors.watch_time_per_day(days=days)
    return json.dumps(
        {
            "labels": [day.strftime("%b %d") for day, _ in per_day],
            "datasets": [
                {
                    "label": "Hours watched",
                    "data": [hours for _, hours in per_day],
                    "backgroundColor": "var(--color-primary-600)",
                }
            ],
        }
    )


class ActiveNowFilter(admin.SimpleListFilter):
    title = "Active now"
    parameter_name = "active"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(selectors.active_now())
        if self.value() == "no":
            return queryset.exclude(selectors.active_now())
        return queryset


@admin.register(PlaybackSession)
class PlaybackSessionAdmin(ModelAdmin):
    list_display = (
        "device", "account_email", "profile", "watching", "started_at", "last_seen_at",
        "position_display", "watched_display", "state", "active",
    )  # fmt: skip
    list_filter = (ActiveNowFilter, "state", "end_reason")
    search_fields = ("device",)
    actions = ("stop_selected",)
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("id", "user", "profile", "device", "title", "episode", "asset")}),
        ("Playback", {"fields": (
            "state", "position", "duration", "complete_at", "watched_seconds", "view_counted",
            "sequence",
        )}),
        ("Times", {"fields": ("started_at", "last_seen_at", "ended_at", "end_reason")}),
    )  # fmt: skip

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        return (*self.search_fields, _email_lookup())

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlaybackSession]:
        return selectors.sessions_for_staff()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in PlaybackSession._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The list's "change" permission allows the stop action; one session's page only
        # shows it (players write sessions, staff never edit one).
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The sessions are the watch-time figures; deleting one would rewrite them.
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            "watch_time_chart": watch_time_chart(),
            "watch_time_chart_title": f"Hours watched per day (last {CHART_DAYS} days)",
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    @admin.display(description="Account", ordering=_email_lookup())
    def account_email(self, obj: PlaybackSession) -> str:
        return getattr(obj.user, get_user_model().get_email_field_name(), "") or str(obj.user)

    @admin.display(description="Watching")
    def watching(self, obj: PlaybackSession) -> str:
        episode = obj.episode
        if episode is not None:
            return f"{obj.title} S{episode.season.number}E{episode.number}"
        return str(obj.title)

    @admin.display(description="Position", ordering="position")
    def position_display(self, obj: PlaybackSession) -> str:
        return f"{_clock(obj.position)} / {_clock(obj.duration)}"

    @admin.display(description="Watched", ordering="watched_seconds")
    def watched_display(self, obj: PlaybackSession) -> str:
        return _clock(obj.watched_seconds)

    @admin.display(description="Active", boolean=True, ordering="is_active")
    def active(self, obj: PlaybackSession) -> bool:
        return bool(getattr(obj, "is_active", False))

    @admin.action(description="Stop selected sessions", permissions=("change",))
    def stop_selected(self, request: HttpRequest, queryset: QuerySet[PlaybackSession]) -> None:
        stopped = 0
        for session_id in queryset.values_list("id", flat=True):
            try:
                stopped += bool(services.session_stop_by_staff(session_id=session_id))
            except DomainError as exc:
                self.message_user(request, f"{session_id}: {exc.message}", messages.ERROR)
        self.message_user(
            request,
            f"Stopped {stopped} session(s).",
            messages.SUCCESS if stopped else messages.WARNING,
        )
