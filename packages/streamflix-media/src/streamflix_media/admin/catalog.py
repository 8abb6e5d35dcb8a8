"""Unfold admin for curators: titles with seasons and credits inline, genres, people."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from unfold.admin import ModelAdmin, TabularInline

from .. import services
from ..models import Credit, Episode, Genre, Person, Season, Title


def _preview(field: Any, height: int = 90) -> str:
    if not field:
        return "—"
    return format_html(
        '<img src="{}" style="max-height:{}px;border-radius:4px">', field.url, height
    )


class SeasonInline(TabularInline):
    model = Season
    extra = 0
    fields = ("number", "name")
    show_change_link = True


class CreditInline(TabularInline):
    model = Credit
    extra = 0
    fields = ("person", "role", "character_name", "billing_order")
    autocomplete_fields = ("person",)
    ordering = ("role", "billing_order")


class EpisodeInline(TabularInline):
    model = Episode
    extra = 0
    fields = ("number", "name", "runtime_minutes", "air_date")


@admin.register(Title)
class TitleAdmin(ModelAdmin):
    list_display = (
        "name", "kind", "year", "maturity_rating", "status", "featured", "exclusive", "views",
        "poster_thumbnail",
    )  # fmt: skip
    list_filter = ("status", "kind", "maturity_rating", "featured", "exclusive", "genres")
    search_fields = ("name", "original_name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("genres",)
    readonly_fields = (
        "poster_preview", "backdrop_preview", "published_at", "views", "likes",
        "rating_average", "rating_count", "created_at", "updated_at",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("kind", "name", "original_name", "slug", "synopsis", "genres")}),
        ("Facts", {"fields": (
            "year", "release_date", "runtime_minutes", "maturity_rating", "countries_field",
            "original_language",
        )}),
        ("Images", {"fields": ("poster", "poster_preview", "backdrop", "backdrop_preview")}),
        ("Curation", {"fields": ("status", "published_at", "featured", "exclusive")}),
        ("Engagement", {"fields": ("views", "likes", "rating_average", "rating_count")}),
    )  # fmt: skip
    inlines = (SeasonInline, CreditInline)
    actions = ("publish_selected", "unpublish_selected")
    list_per_page = 50

    @admin.display(description="Poster")
    def poster_thumbnail(self, obj: Title) -> str:
        return _preview(obj.poster, 48)

    @admin.display(description="Poster preview")
    def poster_preview(self, obj: Title) -> str:
        return _preview(obj.poster, 180)

    @admin.display(description="Backdrop preview")
    def backdrop_preview(self, obj: Title) -> str:
        return _preview(obj.backdrop, 140)

    def save_model(self, request: HttpRequest, obj: Title, form: Any, change: bool) -> None:
        publishing = obj.status == Title.Status.PUBLISHED and (
            not change or "status" in form.changed_data
        )
        if publishing:
            obj.status = Title.Status.DRAFT if not change else form.initial.get("status", "draft")
        super().save_model(request, obj, form, change)
        images = tuple(f for f in ("poster", "backdrop") if f in form.changed_data)
        if images:
            services.title_images_refresh(title=obj, fields=images)
        if publishing:
            services.title_publish(title=obj)

    @admin.action(description="Publish selected titles")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Title]) -> None:
        titles = list(queryset.exclude(status=Title.Status.PUBLISHED))
        for title in titles:
            services.title_publish(title=title)
        self.message_user(request, f"Published {len(titles)} title(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected titles")
    def unpublish_selected(self, request: HttpRequest, queryset: QuerySet[Title]) -> None:
        titles = list(queryset.filter(status=Title.Status.PUBLISHED))
        for title in titles:
            services.title_unpublish(title=title)
        self.message_user(request, f"Unpublished {len(titles)} title(s).", messages.SUCCESS)


@admin.register(Season)
class SeasonAdmin(ModelAdmin):
    list_display = ("__str__", "title", "number")
    search_fields = ("title__name", "name")
    autocomplete_fields = ("title",)
    list_select_related = ("title",)
    inlines = (EpisodeInline,)


@admin.register(Genre)
class GenreAdmin(ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Person)
class PersonAdmin(ModelAdmin):
    list_display = ("name", "slug", "photo_thumbnail")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("photo_preview",)

    @admin.display(description="Photo")
    def photo_thumbnail(self, obj: Person) -> str:
        return _preview(obj.photo, 48)

    @admin.display(description="Photo preview")
    def photo_preview(self, obj: Person) -> str:
        return _preview(obj.photo, 180)
