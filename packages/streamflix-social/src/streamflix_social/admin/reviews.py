"""Unfold admin of reviews: read and, where needed, delete them (staff never rewrite one)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from ..models import Review


@admin.register(Review)
class ReviewAdmin(ModelAdmin):
    list_display = ("id", "title", "profile", "rating", "spoiler", "created_at")
    list_filter = ("rating", "spoiler")
    search_fields = ("text", "title__name", "profile__name")
    list_select_related = ("title", "profile")
    list_per_page = 50

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in Review._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
