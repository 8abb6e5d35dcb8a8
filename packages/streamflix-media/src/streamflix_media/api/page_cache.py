"""The shared cache of public list pages: keyed by catalog version, maturity limit and the
request's path and query string.

A page's key names the catalog version, so finding a page takes the version first. Each
process remembers the version it saw last and asks the cache for the version and the page
under it together (one round trip); only after the catalog changed does it take a second.

Each process also keeps the last ``PAGES_KEPT`` pages it read or wrote, with the time the
shared copy expires: under a key that names the version a page never changes, so while the
version is current (asked of the shared cache on every request) and the copy has not
expired, the kept page is the shared one, and a hit reads only the version.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from ninja.errors import HttpError

from streamflix_core.auth import read_auth
from streamflix_core.kept import KeptCopies
from streamflix_core.viewer import current_viewer

from ..conf import settings
from ..search import VERSION_KEY, catalog_version
from .viewer_merge import CardSplit, page_body_for_viewer, split_cards

JSON = "application/json; charset=utf-8"

#: Pages a process keeps beside the shared cache (about 12 KB each for 24 cards).
PAGES_KEPT = 256

_last_version: str | None = None


class Page:
    """A cached page: its JSON ``body``."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    @functools.cached_property
    def cards(self) -> CardSplit | None:
        """The body cut for splicing a viewer's state in (``None`` when it is not a page of
        title cards): worked out once per kept page."""
        return split_cards(self.body)


_kept: KeptCopies[Page] = KeptCopies(max_entries=PAGES_KEPT)


def page_path(request: HttpRequest) -> str:
    """What a page is cached by: the path and the query string as the client sent it."""
    query = request.META.get("QUERY_STRING", "")
    return f"{request.path}?{query}" if query else request.path


def page_key(version: str, maturity_limit: int, path: str) -> str:
    digest = hashlib.sha256(path.encode()).hexdigest()[:32]
    return f"streamflix_media:page:{version}:{maturity_limit}:{digest}"


def find_page(path: str, maturity_limit: int) -> tuple[Page | None, str]:
    """The cached page for ``path`` (:func:`page_path`) at ``maturity_limit`` (``None`` when
    absent), and the key under which to store it when it is built."""
    global _last_version
    guess = _last_version
    if guess is not None:
        key = page_key(guess, maturity_limit, path)
        kept = _kept.live(key)
        if kept is not None:
            if cache.get(VERSION_KEY) == guess:
                return kept.value, key
        else:
            found = cache.get_many([VERSION_KEY, key])
            if found.get(VERSION_KEY) == guess:
                return _keep(key, found.get(key)), key
    version = catalog_version()
    _last_version = version
    key = page_key(version, maturity_limit, path)
    return _keep(key, cache.get(key)), key


def store_page(key: str, body: bytes, seconds: int) -> Page:
    """Put a page built just now in the shared cache for ``seconds``, and keep it here."""
    expires = time.time() + seconds
    cache.set(key, (expires, body), seconds)
    return _kept.keep(key, Page(body), expires=expires)


def _keep(key: str, stored: Any) -> Page | None:
    """Keep a page read from the shared cache (``(expires, body)``); ``None`` when there
    was none (or one written by an older release) or it has expired."""
    if not isinstance(stored, tuple) or len(stored) != 2:
        return None
    expires, body = stored
    if expires <= time.time():
        return None
    return _kept.keep(key, Page(body), expires=expires)


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
    try:
        read_auth(request)
    except HttpError:
        return None  # the operation authenticates again and answers with its error body
    viewer = current_viewer(request)
    if viewer.is_staff:
        return None
    page, _ = find_page(page_path(request), viewer.maturity_limit)
    if page is None:
        return None
    body = page.body
    if cards and viewer.profile is not None:
        body = page_body_for_viewer(body, viewer, page.cards)
    return json_response(body)


def json_response(body: bytes | str) -> HttpResponse:
    """A 200 with ``body`` as JSON (its charset given, not parsed out of the content type)."""
    return HttpResponse(body, content_type=JSON, charset="utf-8")
