"""Unfold admin for users and viewer profiles, and Unfold-styled admins for the third-party
models core brings."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from unfold.admin import ModelAdmin, TabularInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from ..account_cache import account_forget, token_user_id
from ..models import Profile, User


def _set_active(queryset: QuerySet, active: bool) -> int:
    """Bulk update (no ``post_save``), so the accounts' cached copies are dropped here."""
    users = list(queryset)
    count = queryset.model._default_manager.filter(pk__in=[u.pk for u in users]).update(
        is_active=active
    )
    for user in users:
        account_forget(token_user_id(user))
    return count


@admin.action(description="Activate the selected accounts")
def activate_accounts(modeladmin: Any, request: HttpRequest, queryset: QuerySet) -> None:
    count = _set_active(queryset, True)
    modeladmin.message_user(request, f"{count} account(s) activated.", messages.SUCCESS)


@admin.action(description="Deactivate the selected accounts")
def deactivate_accounts(modeladmin: Any, request: HttpRequest, queryset: QuerySet) -> None:
    count = _set_active(queryset.exclude(pk=request.user.pk), False)
    modeladmin.message_user(request, f"{count} account(s) deactivated.", messages.SUCCESS)


@admin.action(description="Resend the activation email")
def resend_activation(modeladmin: Any, request: HttpRequest, queryset: QuerySet) -> None:
    from ..services.accounts import account_resend_activation
    from ..users import email_of

    for user in queryset:
        account_resend_activation(email=email_of(user))
    modeladmin.message_user(
        request, "Activation emails queued for the unverified accounts.", messages.SUCCESS
    )


class ProfileInline(TabularInline):
    model = Profile
    extra = 0
    fields = ("name", "is_kids", "maturity_limit", "language", "is_default")
    show_change_link = True


def _reregister(model: type, admin_class: type) -> None:
    if admin.site.is_registered(model):
        original = type(admin.site._registry[model])
        admin.site.unregister(model)
        admin_class = type(f"Unfold{original.__name__}", (original, ModelAdmin), {})
    admin.site.register(model, admin_class)


class EmailUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("email",)


class EmailUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


if get_user_model() is User:

    @admin.register(User)
    class UserAdmin(BaseUserAdmin, ModelAdmin):
        form = EmailUserChangeForm
        add_form = EmailUserCreationForm
        change_password_form = AdminPasswordChangeForm
        ordering = ("-date_joined",)
        list_display = ("email", "display_name", "is_active", "email_verified", "is_staff")
        list_filter = ("is_active", "email_verified", "is_staff", "date_joined")
        search_fields = ("email", "display_name")
        readonly_fields = ("date_joined", "last_login")
        inlines = (ProfileInline,)
        actions = (activate_accounts, deactivate_accounts, resend_activation)
        fieldsets = (
            (None, {"fields": ("email", "password")}),
            ("Profile", {"fields": ("display_name", "avatar", "email_verified")}),
            (
                "Permissions",
                {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
            ),
            ("Dates", {"fields": ("last_login", "date_joined")}),
        )
        add_fieldsets = (
            (None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),
        )


@admin.register(Profile)
class ProfileAdmin(ModelAdmin):
    list_display = ("name", "user", "is_kids", "maturity_limit", "language", "is_default")
    list_filter = ("is_kids", "maturity_limit", "is_default")
    search_fields = ("name", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    exclude = ("pin_hash",)
    readonly_fields = ("created_at",)


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass


def _restyle_third_party() -> None:
    from django_q.models import Failure, OrmQ, Schedule, Success
    from ninja_jwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    for model in (Schedule, Success, Failure, OrmQ, OutstandingToken, BlacklistedToken):
        if admin.site.is_registered(model):
            _reregister(model, ModelAdmin)


_restyle_third_party()
