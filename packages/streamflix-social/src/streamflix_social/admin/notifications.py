"""Unfold admin of notifications: read-only (receivers create them, viewers mark them read)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from ..models import Notification


@admin.register(Notification)
class NotificationAdmin(ModelAdmin):
    list_display = ("id", "kind", "profile", "title", "created_at", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("profile", "title")
    search_fields = ("profile__name", "title__name")
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    readonly_fields = (
        "profile",
        "kind",
        "title",
        "comment_id",
        "data",
        "created_at",
        "read_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
