from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from streamflix_media.models import Credit, Genre, Person, Title

pytestmark = pytest.mark.django_db

URL = "/api/media/titles"


def test_lists_published_titles_newest_first(api, make_title):
    older = make_title("Older")
    newer = make_title("Newer")
    newer.published_at = older.published_at.replace(year=older.published_at.year + 1)
    newer.save()
    make_title("Draft", published=False)
    body = api.get(URL).json()
    assert [t["slug"] for t in body["items"]] == ["newer", "older"]
    assert body["count"] == 2 and body["page"] == 1 and body["pages"] == 1


def test_filters(api, make_title, drama, comedy):
    a = make_title("Alpha", genres=[drama], kind="series", countries=["FR"], year=1999)
    make_title("Beta", genres=[comedy], countries=["US", "GB"], year=2010, exclusive=True)
    make_title("Gamma", genres=[drama, comedy], synopsis="A lost violin.", year=2020)
    person = Person.objects.create(name="Ada", slug="ada")
    Credit.objects.create(title=a, person=person, role="director")

    def slugs(**params: Any) -> list[str]:
        response = api.get(URL, {"ordering": "name", **params})
        assert response.status_code == 200, response.json()
        return [t["slug"] for t in response.json()["items"]]

    assert slugs(genre="drama") == ["alpha", "gamma"]
    assert slugs(genre="nothing") == []
    assert slugs(kind="series") == ["alpha"]
    assert slugs(country="gb") == ["beta"]
    assert slugs(year_from=2000) == ["beta", "gamma"]
    assert slugs(year_from=2000, year_to=2015) == ["beta"]
    assert slugs(exclusive="true") == ["beta"]
    assert slugs(q="violin") == ["gamma"]
    assert slugs(q="alp") == ["alpha"]
    assert slugs(person="ada") == ["alpha"]
    assert slugs(person="ada", role="director") == ["alpha"]
    assert slugs(person="ada", role="actor") == []


def test_orderings(api, make_title):
    make_title("B", views=5, likes=1, rating_average=4.5, rating_count=2)
    make_title("A", views=1, likes=9, rating_average=3.0, rating_count=9)
    make_title("C", views=9, likes=5, rating_average=4.5, rating_count=7)

    def order(ordering: str) -> list[str]:
        return [t["name"] for t in api.get(URL, {"ordering": ordering}).json()["items"]]

    assert order("name") == ["A", "B", "C"]
    assert order("views") == ["C", "B", "A"]
    assert order("likes") == ["A", "C", "B"]
    assert order("rating") == ["C", "B", "A"]
    assert order("newest") == ["B", "A", "C"]
    assert order("oldest") == ["C", "A", "B"]


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"kind": "opera"}, "kind"),
        ({"ordering": "random"}, "ordering"),
        ({"year_from": "soon"}, "year_from"),
        ({"year_from": 2020, "year_to": 2000}, "year_from must not be after year_to"),
        ({"country": "USA"}, "country"),
        ({"role": "grip"}, "role"),
        ({"exclusive": "maybe"}, "exclusive"),
        ({"page_size": 0}, "page_size"),
    ],
)
def test_invalid_filters_are_422_with_a_clear_message(api, params, where):
    response = api.get(URL, params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert where in body["detail"]


def test_page_size_is_capped(api, make_title, settings):
    settings.STREAMFLIX_CORE = {"MAX_PAGE_SIZE": 3}
    for _ in range(5):
        make_title()
    body = api.get(URL, {"page_size": 50}).json()
    assert body["page_size"] == 3 and len(body["items"]) == 3 and body["pages"] == 2


def test_list_query_count_is_constant(api, make_title, drama, comedy, staff_api):
    for _ in range(30):
        make_title(genres=[drama, comedy])
    for client in (api, staff_api):
        client.get("/api/media/genres")  # a signed-in account is read once, then cached
        counts = []
        for size in (1, 30):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(URL, {"page_size": size, "genre": "drama"})
            assert response.status_code == 200
            assert len(response.json()["items"]) == size
            counts.append(len(queries))
        assert counts[0] == counts[1] <= 6


def test_drafts_are_staff_only(api, viewer_api, staff_api, make_title):
    make_title("Draft", published=False)
    make_title("Live")
    assert [t["slug"] for t in staff_api.get(URL, {"status": "draft"}).json()["items"]] == ["draft"]
    assert staff_api.get(URL, {"status": "any"}).json()["count"] == 2
    for client in (api, viewer_api):
        response = client.get(URL, {"status": "draft"})
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert client.get("/api/media/titles/draft").status_code == 404
    assert staff_api.get("/api/media/titles/draft").status_code == 200


def test_detail(api, series_with_everything):
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/media/titles/harbor-lights")
    assert response.status_code == 200
    assert len(queries) <= 8
    body = response.json()
    assert [s["number"] for s in body["seasons"]] == [1, 2]
    assert [e["number"] for e in body["seasons"][0]["episodes"]] == [1, 2, 3]
    assert [c["person"]["slug"] for c in body["credits"]["actor"]] == [
        "ben-okafor",
        "ada-lovelace",
    ]
    assert body["credits"]["creator"][0]["person"]["name"] == "Ada Lovelace"
    assert body["credits"]["director"] == []
    assert body["genres"] == [{"id": body["genres"][0]["id"], "name": "Drama", "slug": "drama"}]
    assert {"views", "likes", "rating_average", "rating_count"} <= set(body)


def test_detail_query_count_signed_in(viewer_api, series_with_everything):
    with CaptureQueriesContext(connection) as queries:
        assert viewer_api.get("/api/media/titles/harbor-lights").status_code == 200
    assert len(queries) <= 9  # + the user, the profile and its progress


def test_unknown_slug_is_404(api):
    response = api.get("/api/media/titles/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "No title 'nope'.", "code": "not_found"}


def test_kids_viewer_never_sees_titles_above_the_limit(api, make_title, kids_limit):
    make_title("Cartoon", maturity_rating=0)
    make_title("Thriller", maturity_rating=16)
    assert [t["slug"] for t in api.get(URL).json()["items"]] == ["cartoon"]
    assert api.get("/api/media/titles/thriller").status_code == 404
    assert api.get("/api/media/titles/cartoon").status_code == 200


def test_invalid_token_is_401(api):
    api = api.with_token("nonsense")
    response = api.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_title_stays_in_genre_lists(api, make_title, drama):
    make_title("Solo", genres=[drama])
    assert Genre.objects.get(slug="drama").titles.count() == 1
    assert api.get(URL, {"genre": "drama"}).json()["count"] == 1
    assert Title.objects.count() == 1


def test_public_pages_are_cached_until_the_catalog_changes(
    api, staff_api, make_title, django_capture_on_commit_callbacks
):
    make_title("First")
    first = api.get(URL).json()
    with CaptureQueriesContext(connection) as queries:
        assert api.get(URL).json() == first
    assert len(queries) == 0
    with django_capture_on_commit_callbacks(execute=True):
        staff_api.patch("/api/media/titles/first", {"name": "Renamed"})
    assert api.get(URL).json()["items"][0]["name"] == "Renamed"


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_a_page_from_the_cache_is_the_same_bytes_as_the_page_that_filled_it(
    api, viewer_api, make_title, signed_in
):
    client = viewer_api if signed_in else api
    make_title("Amélie", year=2001)  # not ASCII: both answers must encode it the same way
    make_title("Zulu")

    uncached = client.send("get", URL).content
    cached = client.send("get", URL).content

    assert b"Am\xc3\xa9lie" in uncached
    assert cached == uncached


def test_openapi_documents_the_catalog(api):
    schema = api.get("/api/openapi.json").json()
    assert "/api/media/titles" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/media/titles"]["get"]["parameters"]}
    assert {"genre", "ordering", "page", "page_size"} <= parameters
