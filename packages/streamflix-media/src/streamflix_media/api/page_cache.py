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

from streamflix_core.auth import carries_credentials

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


def anonymous_cache_hits(run: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an operation's ``run`` (Django Ninja's ``decorate_view``) so a request without
    credentials whose page is in the cache gets it at once — before authentication and
    parameter parsing, which the request that filled the cache already passed (the key holds
    the whole query string). Anything else runs as usual."""

    def run_or_serve(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method == "GET" and not carries_credentials(request):
            from streamflix_core.conf import settings as core_settings

            if settings().LIST_CACHE_SECONDS:
                limit = core_settings().ANONYMOUS_MATURITY_LIMIT
                body, _ = cached_page_body(request.get_full_path(), limit)
                if body is not None:
                    return HttpResponse(body, content_type=JSON)
        return run(request, *args, **kwargs)

    return run_or_serve
