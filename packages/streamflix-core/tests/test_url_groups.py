"""The API's URL patterns nested by leading segment resolve and reverse as the flat list did."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import URLResolver, path, resolve, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

from streamflix_core.plugins import api
from streamflix_core.plugins.url_groups import SegmentResolver, nested_by_segment


def view(name: str) -> Any:
    def answer(request: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponse(name)

    answer.__name__ = name
    return answer


FLAT = [
    path("health", view("health"), name="health"),
    path("media/titles", view("titles"), name="titles"),
    path("media/titles/<slug>", view("title"), name="title"),
    path("media/titles/search", view("shadowed"), name="shadowed"),  # after <slug>: never reached
    path("media/titles/<slug>/seasons", view("seasons"), name="seasons"),
    path("media/genres", view("genres"), name="genres"),
    path("social/titles/<slug>/like", view("like"), name="like"),
    path("<kind>/anything", view("any-kind"), name="any-kind"),
    path("media/late", view("late"), name="late"),  # media again, after a converter segment
]


def flat_and_nested() -> tuple[URLResolver, URLResolver]:
    flat = URLResolver(RoutePattern("api/", is_endpoint=False), FLAT)
    nested = URLResolver(RoutePattern("api/", is_endpoint=False), nested_by_segment(FLAT))
    return flat, nested


@pytest.mark.parametrize(
    "url",
    [
        "api/health",
        "api/media/titles",
        "api/media/titles/search",
        "api/media/titles/dune",
        "api/media/titles/dune/seasons",
        "api/media/genres",
        "api/social/titles/dune/like",
        "api/media/anything",
        "api/media/late",
    ],
)
def test_a_nested_path_resolves_to_the_view_arguments_and_route_of_the_flat_list(url):
    flat, nested = flat_and_nested()
    expected, found = flat.resolve(url), nested.resolve(url)
    assert found.func is expected.func
    assert (found.kwargs, found.url_name, found.route) == (
        expected.kwargs,
        expected.url_name,
        expected.route,
    )


def test_only_runs_of_neighbouring_patterns_are_nested_so_the_order_of_trying_holds():
    nested = nested_by_segment(FLAT)
    media = [p for p in nested if isinstance(p, SegmentResolver) and p.prefix == "media/"]
    assert len(media) == 1  # media/late comes after <kind>/anything and stays apart
    assert str(nested[-1].pattern) == "media/late"


def test_a_path_no_pattern_matches_is_still_a_404():
    _, nested = flat_and_nested()
    with pytest.raises(Resolver404):
        nested.resolve("api/media/nothing-here")


def test_every_path_of_the_composed_api_reverses_and_resolves_as_before():
    from ninja import NinjaAPI

    composed = api(cached=False)
    flat = NinjaAPI._get_urls(composed)  # Django Ninja's own list, not nested
    flat_resolver = URLResolver(RoutePattern("", is_endpoint=False), flat)
    checked = 0
    for pattern in flat:
        route = str(pattern.pattern)
        if not pattern.name or "<" in route:
            continue
        assert reverse(f"api:{pattern.name}") == f"/api/{route}"
        # the first of the patterns with this path answers it, nested or flat
        assert resolve(f"/api/{route}").url_name == flat_resolver.resolve(route).url_name
        checked += 1
    assert checked > 5
