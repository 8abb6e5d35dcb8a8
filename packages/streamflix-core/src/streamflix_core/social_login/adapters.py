"""allauth adapters: Streamflix's account rules inside allauth's provider flows."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.http import HttpRequest, HttpResponseRedirect

from streamflix_core.users import find_by_email

from . import services


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are opened by Streamflix's own API; allauth only signs up provider users."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return True


def _back(sociallogin: Any, params: dict[str, str]) -> ImmediateHttpResponse:
    url = sociallogin.state.get("next") or services.COMPLETE_PATH
    return ImmediateHttpResponse(HttpResponseRedirect(services.with_params(url, params)))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """A provider sign-in whose account is not linked yet goes through the linking rules:

    - no email from the provider: refused (``error=email_missing``);
    - an email the provider did not verify: nothing is created or linked; the address gets
      a confirmation link (which links to the account that uses it, or creates one), and
      the answer (``email_sent=1``) is the same whether or not the address has an account;
    - a verified email of an existing account: not linked until the viewer gives the
      account's password or opens an emailed link (``link=<pending id>``);
    - a verified new email: the account and its first profile are created.
    """

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        if sociallogin.is_existing or sociallogin.state.get("process") != AuthProcess.LOGIN:
            return
        identity = services.provider_identity(sociallogin)
        if not identity.email:
            raise _back(sociallogin, {"error": "email_missing"})
        if not identity.verified:
            pending_id = services.pending_stash(sociallogin=sociallogin, identity=identity)
            services.pending_email_send(pending_id=pending_id)
            raise _back(sociallogin, {"email_sent": "1"})
        if find_by_email(identity.email) is not None:
            pending_id = services.pending_stash(sociallogin=sociallogin, identity=identity)
            raise _back(sociallogin, {"link": pending_id, "provider": sociallogin.account.provider})
        services.stale_addresses_forget(email=identity.email)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return True

    def can_authenticate_by_email(self, login: Any, email: str) -> bool:
        # Never, whatever a provider app's settings say: a provider's email alone must not
        # sign in to (take over) an existing account; pre_social_login asks for proof.
        return False

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        user = super().save_user(request, sociallogin, form)
        services.account_setup_from_provider(
            user=user, name=services.provider_identity(sociallogin).name
        )
        return user
