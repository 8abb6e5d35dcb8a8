"""Unfold admin of engagement: likes, My List items and ratings, to look at, never to edit
(the title counters move only through the engagement services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from ..models import Like, ListItem, Rating


class ReadOnlyEngagementAdmin(ModelAdmin):
    """A list of one kind of mark, searchable by title and profile; nothing is writable."""

    search_fields = ("title__name", "title__slug", "profile__name")
    list_select_related = ("title", "profile")
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("title", "profile")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Like)
class LikeAdmin(ReadOnlyEngagementAdmin):
    list_display = ("title", "profile", "created_at")
    date_hierarchy = "created_at"


@admin.register(ListItem)
class ListItemAdmin(ReadOnlyEngagementAdmin):
    list_display = ("title", "profile", "added_at")
    date_hierarchy = "added_at"


@admin.register(Rating)
class RatingAdmin(ReadOnlyEngagementAdmin):
    list_display = ("title", "profile", "value", "updated_at")
    list_filter = ("value",)
    date_hierarchy = "updated_at"
