"""Unfold admin of comments and comment bans: the moderators' queue.

The "Reported" filter is the queue (comments with reports, most reported first); the bulk
actions hide or unhide comments and ban their authors' accounts from commenting, each
through a service. Moderators never edit what someone wrote."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from .. import services
from ..models import Comment, CommentBan, CommentReport


class ModerationFilter(admin.SimpleListFilter):
    title = "Moderation"
    parameter_name = "moderation"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("reported", "Reported (visible)"), ("hidden", "Hidden")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "reported":
            return queryset.filter(report_count__gt=0, is_hidden=False).order_by(
                "-report_count", "-created_at"
            )
        if self.value() == "hidden":
            return queryset.filter(is_hidden=True)
        return queryset


class CommentReportInline(admin.TabularInline):
    model = CommentReport
    extra = 0
    can_delete = False
    fields = ("profile", "reason", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(ModelAdmin):
    list_display = (
        "id", "excerpt", "author", "title", "parent_id", "position", "report_count",
        "is_hidden", "is_removed", "created_at",
    )  # fmt: skip
    list_filter = (ModerationFilter, "is_removed")
    search_fields = ("text", "title__name", "profile__name")
    list_select_related = ("title", "profile")
    actions = ("hide_selected", "unhide_selected", "ban_authors")
    inlines = (CommentReportInline,)
    list_per_page = 50

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in Comment._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Text")
    def excerpt(self, obj: Comment) -> str:
        if obj.is_removed:
            return "(deleted)"
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    @admin.display(description="Author")
    def author(self, obj: Comment) -> str:
        return obj.profile.name if obj.profile is not None else "deleted account"

    @admin.action(description="Hide selected", permissions=("change",))
    def hide_selected(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        hidden = services.comments_hide(comment_ids=queryset.values_list("id", flat=True))
        self.message_user(request, f"Hid {hidden} comment(s).", messages.SUCCESS)

    @admin.action(description="Unhide", permissions=("change",))
    def unhide_selected(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        shown = services.comments_unhide(comment_ids=queryset.values_list("id", flat=True))
        self.message_user(request, f"Unhid {shown} comment(s).", messages.SUCCESS)

    @admin.action(description="Ban authors from commenting", permissions=("change",))
    def ban_authors(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        banned = services.comment_authors_ban(
            comment_ids=queryset.values_list("id", flat=True),
            reason=f"Banned by {request.user} from the comments admin.",
        )
        self.message_user(
            request,
            f"Banned {banned} account(s) from commenting.",
            messages.SUCCESS if banned else messages.WARNING,
        )


@admin.register(CommentBan)
class CommentBanAdmin(ModelAdmin):
    list_display = ("user", "reason", "until", "created_at")
    search_fields = ("reason",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
