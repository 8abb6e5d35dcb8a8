"""The browser end of a provider flow: the page allauth returns to, and the start of a link."""

from __future__ import annotations

import re
import time

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET

from streamflix_core.errors import DomainError

from . import services

SESSION_RECORDS = "account_authentication_methods"
FRESH_SECONDS = 300
ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")


def _fresh_provider_sign_in(request: HttpRequest) -> bool:
    records = request.session.get(SESSION_RECORDS) or []
    last = records[-1] if records and isinstance(records[-1], dict) else {}
    at = last.get("at")
    return (
        last.get("method") == "socialaccount"
        and isinstance(at, int | float)
        and time.time() - at < FRESH_SECONDS
    )


@require_GET
def complete(request: HttpRequest) -> HttpResponse:
    """Where allauth returns once a provider flow ends. The Django session it opened is
    closed here; a sign-in continues in the front end with a one-time ``code`` (exchanged
    at ``POST /api/auth/social/exchange``), never with tokens in the URL. Only the allowed
    return addresses are redirected to."""
    next_url = request.GET.get("next") or ""
    target = next_url if services.redirect_allowed(next_url) else services.redirect_target(None)
    process = request.GET.get("process") or "login"
    params: dict[str, str] = {}
    error = request.GET.get("error") or ""
    if error:
        params["error"] = error if ERROR_CODE.match(error) else "unknown"
    elif request.GET.get("email_sent"):
        params["email_sent"] = "1"
    elif request.GET.get("link"):
        params["link"] = request.GET["link"][:200]
        params["provider"] = (request.GET.get("provider") or "")[:60]
    elif not request.user.is_authenticated:
        params["error"] = "unknown"
    elif process == "connect":
        params["linked"] = "1"
    elif _fresh_provider_sign_in(request):
        params["code"] = services.login_code_issue(user=request.user)
    else:
        params["error"] = "unknown"
    if request.user.is_authenticated:
        logout(request)
    return HttpResponseRedirect(services.with_params(target, params))


@require_GET
def connect(request: HttpRequest, code: str) -> HttpResponse:
    """Open the link started by ``POST /api/me/social/link`` and go to the provider."""
    try:
        return services.connect_begin(request=request, code=code)
    except DomainError as exc:
        target = services.redirect_target(None)
        return HttpResponseRedirect(services.with_params(target, {"error": exc.code}))
