"""Unfold admin of discovery: curators pin titles to the top of a row or exclude them from
it; the refreshes are listed read-only, with "Refresh now" buttons that queue one on the
task cluster."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from unfold.admin import ModelAdmin
from unfold.decorators import action

from .. import services
from ..models import GenrePreference, RefreshRun, RowCuration


@admin.register(RowCuration)
class RowCurationAdmin(ModelAdmin):
    list_display = ("title", "row", "action", "position", "created_at")
    list_filter = ("row", "action")
    list_editable = ("position",)
    search_fields = ("title__name", "title__slug")
    autocomplete_fields = ("title",)
    list_select_related = ("title",)
    fields = ("row", "title", "action", "position")


@admin.register(GenrePreference)
class GenrePreferenceAdmin(ModelAdmin):
    """What profiles said they like (read-only: a profile chooses its own)."""

    list_display = ("profile", "genre", "chosen_at")
    list_filter = ("genre",)
    search_fields = ("profile__name", "profile__user__email")
    list_select_related = ("profile", "genre")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RefreshRun)
class RefreshRunAdmin(ModelAdmin):
    list_display = (
        "started_at", "mode", "status", "seconds", "profiles", "titles", "interactions",
        "profiles_refreshed", "profile_coverage", "title_coverage",
    )  # fmt: skip
    list_filter = ("mode", "status")
    ordering = ("-started_at", "-id")
    actions_list = ("refresh_now", "refresh_full")

    exclude = ("profile_fingerprints",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("profile_fingerprints")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields if f.name != "profile_fingerprints"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _queue(self, request: HttpRequest, *, full: bool) -> HttpResponse:
        services.recommendations_refresh_queue(full=full)
        kind = "full" if full else "incremental"
        self.message_user(
            request,
            f"An {kind} refresh is queued; it appears here when it starts.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:streamflix_social_refreshrun_changelist"))

    @action(description="Refresh now", url_path="refresh-now", icon="update")
    def refresh_now(self, request: HttpRequest) -> HttpResponse:
        return self._queue(request, full=False)

    @action(description="Full refresh", url_path="refresh-full", icon="restart_alt")
    def refresh_full(self, request: HttpRequest) -> HttpResponse:
        return self._queue(request, full=True)
