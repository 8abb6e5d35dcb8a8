"""The shared cache of public list pages: keyed by catalog version, maturity limit and the
request's path and query string.

A page's key names the catalog version, so finding a page takes the version first. Each
process remembers the version it saw last and asks the cache for the version and the page
under it together (one round trip); only after the catalog changed does it take a second.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from ninja.errors import HttpError

from streamflix_core.auth import read_auth
from streamflix_core.viewer import current_viewer

from ..conf import settings
from ..search import VERSION_KEY, catalog_version

JSON = "application/json; charset=utf-8"

_last_version: str | None = None


def page_key(version: str, maturity_limit: int, full_path: str) -> str:
    digest = hashlib.sha256(full_path.encode()).hexdigest()[:32]
    return f"streamflix_media:page:{version}:{maturity_limit}:{digest}"


def cached_page_body(full_path: str, maturity_limit: int) -> tuple[str | None, str]:
    """The cached page for ``full_path`` at ``maturity_limit`` (``None`` when absent), and
    the key under which to store it when it is built."""
    global _last_version
    guess = _last_version
    if guess is not None:
        key = page_key(guess, maturity_limit, full_path)
        found = cache.get_many([VERSION_KEY, key])
        if found.get(VERSION_KEY) == guess:
            return found.get(key), key
    version = catalog_version()
    _last_version = version
    key = page_key(version, maturity_limit, full_path)
    return cache.get(key), key


def cache_hits_before_parsing(*, cards: bool) -> Callable[..., Any]:
    """Wrap an operation's ``run`` (Django Ninja's ``decorate_view``) so a request whose page
    is in the cache gets it before Ninja parses the parameters — the request that filled the
    cache already passed that (the key holds the whole query string). The request is
    authenticated here as the operation would (``read_auth``: no query, the account from the
    shared cache); a refused token, a staff user or a miss go through the operation as usual,
    which answers them. With ``cards``, a signed-in profile's own state is spliced in."""

    def wrap(run: Callable[..., Any]) -> Callable[..., Any]:
        def run_or_serve(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method == "GET" and settings().LIST_CACHE_SECONDS:
                served = _from_cache(request, cards=cards)
                if served is not None:
                    return served
            return run(request, *args, **kwargs)

        return run_or_serve

    return wrap


def _from_cache(request: HttpRequest, *, cards: bool) -> HttpResponse | None:
    from .viewer_merge import page_body_for_viewer

    try:
        read_auth(request)
    except HttpError:
        return None  # the operation authenticates again and answers with its error body
    viewer = current_viewer(request)
    if viewer.is_staff:
        return None
    body, _ = cached_page_body(request.get_full_path(), viewer.maturity_limit)
    if body is None:
        return None
    if cards and viewer.profile is not None:
        body = page_body_for_viewer(body, viewer)
    return HttpResponse(body, content_type=JSON)
