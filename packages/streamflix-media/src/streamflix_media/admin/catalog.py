"""Unfold admin for curators: titles with seasons and credits inline, genres, people.

A title's status is read-only: publishing and unpublishing go through the catalog services,
as a list action or as a "Save and publish" / "Save and unpublish" button of the form."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action

from streamflix_core.errors import DomainError

from .. import selectors, services
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
        "watch_hours", "poster_thumbnail",
    )  # fmt: skip
    list_filter = ("status", "kind", "maturity_rating", "featured", "exclusive", "genres")
    search_fields = ("name", "original_name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("genres",)
    readonly_fields = (
        "status", "poster_preview", "backdrop_preview", "published_at", "views", "watch_hours",
        "likes", "rating_average", "rating_count", "created_at", "updated_at",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("kind", "name", "original_name", "slug", "synopsis", "genres")}),
        ("Facts", {"fields": (
            "year", "release_date", "runtime_minutes", "maturity_rating", "countries_field",
            "original_language",
        )}),
        ("Images", {"fields": ("poster", "poster_preview", "backdrop", "backdrop_preview")}),
        ("Curation", {"fields": ("status", "published_at", "featured", "exclusive")}),
        ("Engagement", {"fields": (
            "views", "watch_hours", "likes", "rating_average", "rating_count",
        )}),
    )  # fmt: skip
    inlines = (SeasonInline, CreditInline)
    actions = ("publish_selected", "unpublish_selected")
    # Buttons beside "Save": unfold runs the pressed one after the title is saved.
    actions_submit_line = ("publish_on_save", "unpublish_on_save")
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Title]:
        return selectors.titles_with_watch_time(super().get_queryset(request))

    @admin.display(description="Watch time (h)", ordering="watched_seconds_total")
    def watch_hours(self, obj: Title) -> str:
        # A title being added has no sessions (and no annotation).
        seconds = getattr(obj, "watched_seconds_total", 0.0) or 0.0
        return f"{seconds / 3600:.1f}"

    @admin.display(description="Poster")
    def poster_thumbnail(self, obj: Title) -> str:
        return _preview(obj.poster, 48)

    @admin.display(description="Poster preview")
    def poster_preview(self, obj: Title) -> str:
        return _preview(obj.poster, 180)

    @admin.display(description="Backdrop preview")
    def backdrop_preview(self, obj: Title) -> str:
        return _preview(obj.backdrop, 140)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Title | None = None,
    ) -> Any:
        # Offer the button that applies to the title as it is (unfold lists none on "add").
        published = obj is not None and obj.status == Title.Status.PUBLISHED
        wanted = "unpublish_on_save" if published else "publish_on_save"
        context["actions_submit_line"] = [
            a
            for a in self.get_actions_submit_line(request, obj.pk if obj else None)
            if a.method.original_function_name == wanted
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request: HttpRequest, obj: Title, form: Any, change: bool) -> None:
        # Django saves the fields (status is not among them), then unfold runs the pressed
        # publish/unpublish button; the image variants follow the saved files.
        super().save_model(request, obj, form, change)
        images = tuple(f for f in ("poster", "backdrop") if f in form.changed_data)
        if images:
            services.title_images_refresh(title=obj, fields=images)

    def _publish(self, request: HttpRequest, titles: Any) -> None:
        done = 0
        for title in titles:
            if title.status == Title.Status.PUBLISHED:
                self.message_user(request, f"{title}: already published.", messages.WARNING)
                continue
            try:
                services.title_publish(title=title)
            except DomainError as exc:
                self.message_user(request, f"{title}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"Published {done} title(s).", messages.SUCCESS)

    def _unpublish(self, request: HttpRequest, titles: Any) -> None:
        done = 0
        for title in titles:
            if title.status != Title.Status.PUBLISHED:
                self.message_user(request, f"{title}: not published.", messages.WARNING)
                continue
            try:
                services.title_unpublish(title=title)
            except DomainError as exc:
                self.message_user(request, f"{title}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"Unpublished {done} title(s).", messages.SUCCESS)

    @admin.action(description="Publish selected titles")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Title]) -> None:
        self._publish(request, queryset)

    @admin.action(description="Unpublish selected titles")
    def unpublish_selected(self, request: HttpRequest, queryset: QuerySet[Title]) -> None:
        self._unpublish(request, queryset)

    @action(description="Save and publish", icon="public")
    def publish_on_save(self, request: HttpRequest, obj: Title) -> None:
        self._publish(request, [obj])

    @action(description="Save and unpublish", icon="public_off")
    def unpublish_on_save(self, request: HttpRequest, obj: Title) -> None:
        self._unpublish(request, [obj])


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
