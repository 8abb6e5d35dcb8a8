"""allauth's provider admins, Unfold-styled: sign-in providers (client id and secret per
provider, besides those from the environment) and the provider accounts users linked."""

from __future__ import annotations

from allauth.socialaccount import admin as allauth_admin
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from unfold.admin import ModelAdmin

for model in (SocialApp, SocialAccount, SocialToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(SocialApp)
class SocialAppAdmin(allauth_admin.SocialAppAdmin, ModelAdmin):
    pass


@admin.register(SocialAccount)
class SocialAccountAdmin(allauth_admin.SocialAccountAdmin, ModelAdmin):
    pass
