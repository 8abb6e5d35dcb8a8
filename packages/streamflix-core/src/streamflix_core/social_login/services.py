"""Social sign-in writes: one-time codes, pending links to existing accounts, linking and
unlinking provider accounts. allauth runs the provider flows; these are the Streamflix rules
around them (docs/social-login.md).

Every code, pending link and emailed token lives in the site's shared cache under a random
key, works once (the cache ``delete`` that wins is the one use) and expires on its own.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import login
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest

from streamflix_core import signals
from streamflix_core.errors import (
    Conflict,
    InvalidInput,
    InvalidLink,
    NotFound,
    NotPermitted,
    WrongCredentials,
)
from streamflix_core.services.profiles import profile_create_default
from streamflix_core.services.tokens import TokenPair, tokens_issue
from streamflix_core.users import (
    email_of,
    find_by_email,
    has_field,
    normalize_email,
    user_model,
)

CODE_KEY = "streamflix:social-login:code:"
PENDING_KEY = "streamflix:social-login:pending:"
EMAILED_KEY = "streamflix:social-login:emailed:"
CONNECT_KEY = "streamflix:social-login:connect:"
COMPLETE_PATH = "/social-login/complete"


class InvalidSocialCode(InvalidLink):
    code = "social_code_invalid"


class PendingLinkInvalid(InvalidLink):
    code = "social_link_invalid"


class LastLoginMethod(Conflict):
    code = "last_login_method"


class UnknownProvider(NotFound):
    code = "unknown_provider"


def _config() -> Any:
    from streamflix_core.conf import settings

    return settings()


def _new_key() -> str:
    return secrets.token_urlsafe(32)


def _take(prefix: str, key: str) -> Any:
    """The value stored under ``prefix + key``, removed; ``None`` when absent, expired or
    taken by a concurrent request (only one ``delete`` reports it removed the key)."""
    if not key or len(key) > 200:
        return None
    value = cache.get(prefix + key)
    if value is None or not cache.delete(prefix + key):
        return None
    return value


def redirect_allowed(url: str) -> bool:
    """Whether ``url`` is one of ``SOCIAL_LOGIN_REDIRECT_URLS`` (exactly)."""
    return url in _config().SOCIAL_LOGIN_REDIRECT_URLS


def redirect_target(next_url: str | None) -> str:
    """``next_url`` when it is allowed, the default (first) one when it is missing; any other
    value is refused (422), so no flow redirects to a page the site did not list."""
    if not next_url:
        return str(_config().SOCIAL_LOGIN_REDIRECT_URLS[0])
    if not redirect_allowed(next_url):
        raise InvalidInput(
            "This return address is not one the site allows (SOCIAL_LOGIN_REDIRECT_URLS).",
            code="redirect_not_allowed",
            fields={"next": ["not an allowed return address"]},
        )
    return next_url


def with_params(url: str, params: dict[str, str]) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def complete_url(*, next_url: str, process: str = "login") -> str:
    """The Streamflix page allauth returns to once a provider flow ends."""
    return with_params(COMPLETE_PATH, {"next": next_url, "process": process})


# --- sign-in: the one-time code ------------------------------------------------------------


def login_code_issue(*, user: Any) -> str:
    """A one-time code for ``user`` (``SOCIAL_LOGIN_CODE_SECONDS``), put in the redirect to
    the front end instead of tokens, which never travel in URLs."""
    code = _new_key()
    cache.set(CODE_KEY + code, user.pk, timeout=_config().SOCIAL_LOGIN_CODE_SECONDS)
    return code


def _active_user(pk: Any) -> Any:
    user = user_model()._default_manager.filter(pk=pk).first()
    if user is None:
        raise InvalidSocialCode("This sign-in code is invalid, used or expired.")
    if not user.is_active:
        raise NotPermitted("This account is not active.", code="account_inactive")
    return user


def tokens_for_sign_in(user: Any) -> TokenPair:
    """The pair a password login gives: the default profile, or none when it has a PIN."""
    from django.utils import timezone

    from streamflix_core.selectors import open_default_profile_id

    user_model()._default_manager.filter(pk=user.pk).update(last_login=timezone.now())
    return tokens_issue(user=user, profile_id=open_default_profile_id(user))


def login_code_exchange(*, code: str) -> TokenPair:
    """Trade a one-time code for the token pair (once)."""
    pk = _take(CODE_KEY, code)
    if pk is None:
        raise InvalidSocialCode("This sign-in code is invalid, used or expired.")
    return tokens_for_sign_in(_active_user(pk))


# --- accounts created by a provider --------------------------------------------------------


def account_setup_from_provider(*, user: Any, name: str = "") -> None:
    """Finish an account a provider sign-in just created: active, its email verified (the
    provider, or our emailed link, vouched for it), no password, a first profile, and the
    ``user_registered`` signal once committed."""
    update = []
    if has_field("email_verified") and not user.email_verified:
        user.email_verified = True
        update.append("email_verified")
    if not user.is_active:
        user.is_active = True
        update.append("is_active")
    if name and has_field("display_name") and not user.display_name:
        user.display_name = name[:150]
        update.append("display_name")
    if update:
        user.save(update_fields=update)
    profile_create_default(user=user, name=name or email_of(user).split("@")[0])
    model = user_model()
    transaction.on_commit(lambda: signals.user_registered.send_robust(sender=model, user=user))


def stale_addresses_forget(*, email: str) -> None:
    """Drop allauth's address records of ``email`` kept for accounts whose address has
    changed since (Streamflix's email change does not touch allauth's table); otherwise
    allauth would count the address as taken and refuse a new account for it."""
    from allauth.account.models import EmailAddress

    from streamflix_core.users import email_field

    EmailAddress.objects.filter(email__iexact=email).exclude(
        **{f"user__{email_field()}__iexact": email}
    ).delete()


# --- pending links (an existing account, or an unverified provider email) ------------------


@dataclass(frozen=True)
class ProviderIdentity:
    email: str
    verified: bool
    name: str


def provider_identity(sociallogin: Any) -> ProviderIdentity:
    """The email a provider gave (primary first), whether it says it verified it, and a name."""
    addresses = list(sociallogin.email_addresses or [])
    addresses.sort(key=lambda address: not address.primary)
    email = addresses[0].email if addresses else email_of(sociallogin.user)
    email = normalize_email(email) if email else ""
    verified = any(a.verified and normalize_email(a.email) == email for a in addresses)
    data = sociallogin.account.extra_data or {}
    info = data.get("userinfo") or data.get("id_token") or data
    name = str(info.get("name") or "") if isinstance(info, dict) else ""
    return ProviderIdentity(email=email, verified=verified, name=name)


def pending_stash(*, sociallogin: Any, identity: ProviderIdentity) -> str:
    """Keep a provider sign-in that may not proceed yet; returns its id."""
    pending_id = _new_key()
    value = {
        "sociallogin": sociallogin.serialize(),
        "email": identity.email,
        "name": identity.name,
        "provider": sociallogin.account.provider,
    }
    cache.set(PENDING_KEY + pending_id, value, timeout=_config().SOCIAL_LOGIN_LINK_MAX_AGE_SECONDS)
    return pending_id


def _pending(pending_id: str, *, take: bool) -> dict[str, Any]:
    if take:
        value = _take(PENDING_KEY, pending_id)
    else:
        value = cache.get(PENDING_KEY + pending_id) if 0 < len(pending_id) <= 200 else None
    if not isinstance(value, dict):
        raise PendingLinkInvalid("This sign-in link is invalid, used or expired; sign in again.")
    return value


def _provider_name(provider_id: str) -> str:
    from allauth.socialaccount.providers import registry

    try:
        return str(registry.get_class(provider_id).name)
    except Exception:  # an unknown id (sub-providers are named by their app)
        return provider_id


def pending_email_send(*, pending_id: str) -> None:
    """Email the pending sign-in's address a confirmation link.

    The message says what opening the link does: link the provider to the account that uses
    the address, or create an account for it. The caller's answer is the same either way."""
    pending = _pending(pending_id, take=False)
    token = _new_key()
    config = _config()
    cache.set(EMAILED_KEY + token, pending_id, timeout=config.SOCIAL_LOGIN_LINK_MAX_AGE_SECONDS)
    link = config.SOCIAL_LOGIN_CONFIRM_URL.format(token=token)
    provider = _provider_name(pending["provider"])
    address = pending["email"]
    if find_by_email(address) is not None:
        subject = f"Confirm signing in with {provider}"
        body = (
            f"Someone signed in with {provider} using this address. To let {provider} sign in "
            f"to your Streamflix account, open:\n\n{link}\n\nIf this was not you, ignore "
            "this message: nothing changes."
        )
    else:
        subject = f"Confirm your Streamflix account ({provider})"
        body = (
            f"To create your Streamflix account and sign in with {provider}, open:\n\n{link}"
            "\n\nIf this was not you, ignore this message: nothing is created."
        )
    # Sent directly, after commit: the link must not sit in the task queue's table.
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]))


def _connect(pending: dict[str, Any], user: Any) -> None:
    from allauth.socialaccount.models import SocialAccount, SocialLogin

    sociallogin = SocialLogin.deserialize(pending["sociallogin"])
    account = sociallogin.account
    owner = (
        SocialAccount.objects.filter(provider=account.provider, uid=account.uid)
        .values_list("user_id", flat=True)
        .first()
    )
    if owner is not None:
        if owner != user.pk:
            raise Conflict(
                "This provider account is already linked to another account.",
                code="provider_account_taken",
            )
        return
    account.user = user
    account.pk = None
    account.save()


def _open_account(user: Any) -> None:
    update = []
    if has_field("email_verified") and not user.email_verified:
        user.email_verified = True
        update.append("email_verified")
    if not user.is_active:
        user.is_active = True
        update.append("is_active")
    if update:
        user.save(update_fields=update)


@transaction.atomic
def pending_confirm_with_password(*, pending_id: str, password: str) -> TokenPair:
    """Link the pending provider account to the existing account of its (provider-verified)
    address once the account's password is given; the answer is a token pair for it."""
    pending = _pending(pending_id, take=False)
    user = find_by_email(pending["email"])
    if user is None or not user.has_usable_password() or not user.check_password(password):
        if user is None:
            user_model()().set_password(password)
        raise WrongCredentials("The password is wrong.", code="wrong_password")
    if _take(PENDING_KEY, pending_id) is None:
        raise PendingLinkInvalid("This sign-in link is invalid, used or expired; sign in again.")
    _connect(pending, user)
    _open_account(user)
    return tokens_for_sign_in(user)


@transaction.atomic
def pending_confirm_by_email(*, token: str) -> TokenPair:
    """Finish a pending sign-in from its emailed link: link the provider account to the
    account that uses the address, or create that account (and its first profile)."""
    pending_id = _take(EMAILED_KEY, token)
    pending = _pending(pending_id, take=True) if pending_id else None
    if pending is None:
        raise PendingLinkInvalid("This confirmation link is invalid, used or expired.")
    user = find_by_email(pending["email"])
    if user is None:
        model = user_model()
        fields: dict[str, Any] = {model.get_email_field_name(): pending["email"]}
        if model.get_email_field_name() != model.USERNAME_FIELD:
            fields[model.USERNAME_FIELD] = pending["email"]
        user = model._default_manager.create_user(password=None, **fields)
        account_setup_from_provider(user=user, name=pending.get("name") or "")
    else:
        _open_account(user)
    _connect(pending, user)
    return tokens_for_sign_in(user)


# --- the accounts a user has linked ----------------------------------------------------------


def _check_password_if_any(user: Any, password: str | None) -> None:
    if user.has_usable_password() and not user.check_password(password or ""):
        raise WrongCredentials("The password is wrong.", code="wrong_password")


def configured_provider(request: HttpRequest, provider_id: str) -> Any:
    """The provider configured as ``provider_id`` (settings or admin), else 404."""
    from allauth.socialaccount.adapter import get_adapter
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return get_adapter().get_provider(request, provider_id)
    except (ObjectDoesNotExist, LookupError, ValueError) as exc:
        raise UnknownProvider(f"No sign-in provider {provider_id!r} is configured.") from exc


def connect_start(
    *, request: HttpRequest, user: Any, provider_id: str, next_url: str | None, password: str
) -> str:
    """Start linking a provider to ``user`` (the password is required when the account has
    one); returns a one-time code for ``/social-login/connect/<code>``, which the browser
    opens to go through the provider."""
    configured_provider(request, provider_id)
    target = redirect_target(next_url)
    _check_password_if_any(user, password)
    code = _new_key()
    cache.set(
        CONNECT_KEY + code,
        {"user": user.pk, "provider": provider_id, "next": target},
        timeout=_config().SOCIAL_LOGIN_CODE_SECONDS,
    )
    return code


def connect_begin(*, request: HttpRequest, code: str) -> Any:
    """Open the browser session of a link started by :func:`connect_start` and send it to
    the provider (``process=connect``)."""
    from allauth.socialaccount.providers.base.constants import AuthProcess

    value = _take(CONNECT_KEY, code)
    if not isinstance(value, dict):
        raise InvalidSocialCode("This link code is invalid, used or expired.")
    user = _active_user(value["user"])
    provider = configured_provider(request, value["provider"])
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return provider.redirect(
        request,
        AuthProcess.CONNECT,
        next_url=complete_url(next_url=value["next"], process="connect"),
        headless=True,
    )


def social_accounts(*, user: Any) -> list[Any]:
    from allauth.socialaccount.models import SocialAccount

    return list(SocialAccount.objects.filter(user=user).order_by("date_joined", "pk"))


@transaction.atomic
def social_account_unlink(*, user: Any, account_id: int, password: str | None) -> None:
    """Remove a linked provider account. Refused (409 ``last_login_method``) when it is the
    account's last way to sign in (no usable password and no other provider); otherwise the
    password is required when the account has one."""
    from allauth.socialaccount.models import SocialAccount

    accounts = SocialAccount.objects.select_for_update().filter(user=user)
    account = accounts.filter(pk=account_id).first()
    if account is None:
        raise NotFound("This account has no such linked sign-in.", code="not_found")
    if not user.has_usable_password() and not accounts.exclude(pk=account.pk).exists():
        raise LastLoginMethod(
            "This is the account's only way to sign in: set a password or link another "
            "provider first."
        )
    _check_password_if_any(user, password)
    account.delete()
