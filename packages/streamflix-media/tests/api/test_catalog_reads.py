from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from streamflix_media.models import Credit, Person

pytestmark = pytest.mark.django_db


def test_search_finds_titles_with_typos(api, make_title):
    make_title("The Silent Harbor")
    make_title("Silver Horizon")
    make_title("Midnight Empire", original_name="Imperio de Medianoche")
    for query in ("silent harbor", "slient harbr", "The Silnet Habor", "midnite empire",
                  "imperio medianoche", "silent"):  # fmt: skip
        results = api.get("/api/media/search", {"q": query}).json()["results"]
        assert results, query
        assert results[0]["type"] == "title"
    assert api.get("/api/media/search", {"q": "slient harbr"}).json()["results"][0]["slug"] == (
        "the-silent-harbor"
    )
    assert api.get("/api/media/search", {"q": "imperio"}).json()["results"][0]["slug"] == (
        "midnight-empire"
    )


def test_search_finds_words_out_of_order_and_part_of_a_name(api, make_title):
    for name in ("Silver Lion of the North", "The Silver Line", "Silver Lions", "The Silver Lion"):
        make_title(name)
    make_title("Fearless Nights of Lagos")
    make_title("Night of Lagos")
    first = {
        query: api.get("/api/media/search", {"q": query}).json()["results"][0]["slug"]
        for query in ("lion silver the", "nights of lagos", "fearless ni")
    }
    assert first == {
        "lion silver the": "the-silver-lion",
        "nights of lagos": "fearless-nights-of-lagos",
        "fearless ni": "fearless-nights-of-lagos",
    }


def test_search_exact_and_prefix_rank_first(api, make_title):
    make_title("Harbor")
    make_title("Harbor Lights")
    make_title("The Dark Harbor")
    slugs = [r["slug"] for r in api.get("/api/media/search", {"q": "harbor"}).json()["results"]]
    assert slugs[:2] == ["harbor", "harbor-lights"]
    assert "the-dark-harbor" in slugs


def test_search_people_and_genres(api, make_title, drama):
    title = make_title("Lighthouse", genres=[drama])
    person = Person.objects.create(name="Ada Lovelace", slug="ada-lovelace")
    Credit.objects.create(title=title, person=person, role="actor")
    results = api.get("/api/media/search", {"q": "ada lovelce"}).json()["results"]
    assert results[0] == {
        "type": "person", "score": results[0]["score"], "id": person.pk,
        "slug": "ada-lovelace", "name": "Ada Lovelace", "kind": None, "year": None,
        "maturity_rating": None,
    }  # fmt: skip
    by_genre = api.get("/api/media/search", {"q": "drama"}).json()["results"]
    assert by_genre[0]["slug"] == "lighthouse"


def test_search_respects_published_state_and_maturity(api, make_title, kids_limit):
    make_title("Harbor Cartoon", maturity_rating=0)
    make_title("Harbor Massacre", maturity_rating=18)
    make_title("Harbor Draft", published=False)
    slugs = [r["slug"] for r in api.get("/api/media/search", {"q": "harbor"}).json()["results"]]
    assert slugs == ["harbor-cartoon"]


def test_search_index_follows_catalog_changes(
    api, staff_api, make_title, django_capture_on_commit_callbacks
):
    make_title("Alpha Station")
    assert api.get("/api/media/search", {"q": "zulu"}).json()["results"] == []
    with django_capture_on_commit_callbacks(execute=True):
        staff_api.post("/api/media/titles", {"name": "Zulu Station"})
        staff_api.post("/api/media/titles/zulu-station/publish")
    results = api.get("/api/media/search", {"q": "zulu"}).json()["results"]
    assert [r["slug"] for r in results] == ["zulu-station"]


def test_search_needs_a_query(api):
    response = api.get("/api/media/search")
    assert response.status_code == 422
    assert "q" in response.json()["detail"]
    assert api.get("/api/media/search", {"q": "x" * 101}).status_code == 422
    assert api.get("/api/media/search", {"q": "!!!"}).json()["results"] == []


def test_home_rows(api, make_title, drama, comedy):
    make_title("Star", featured=True, views=10, genres=[drama])
    make_title("Popular", views=100, genres=[drama, comedy])
    make_title("Fresh", views=1, genres=[comedy])
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/media/home").json()
    assert len(queries) <= 6
    rows = {row["key"]: [t["slug"] for t in row["titles"]] for row in body["rows"]}
    assert rows["featured"] == ["star"]
    assert rows["most_viewed"] == ["popular", "star", "fresh"]
    assert rows["new"][0] == "star"
    assert rows["genre:comedy"] == ["popular", "fresh"]
    assert rows["genre:drama"] == ["popular", "star"]
    assert body["rows"][0]["titles"][0]["genres"][0]["slug"] == "drama"
    with CaptureQueriesContext(connection) as cached:
        assert api.get("/api/media/home").json() == body
    assert len(cached) == 0


def test_home_respects_maturity(api, make_title, drama, kids_limit):
    make_title("Kids Show", maturity_rating=7, featured=True, genres=[drama])
    make_title("Adult Show", maturity_rating=18, featured=True, genres=[drama], views=99)
    body = api.get("/api/media/home").json()
    seen = {t["slug"] for row in body["rows"] for t in row["titles"]}
    assert seen == {"kids-show"}


def test_genres_and_people_lists(api, drama, comedy):
    for name in ("Zed", "Amy"):
        Person.objects.create(name=name, slug=name.lower())
    with CaptureQueriesContext(connection) as queries:
        genres = api.get("/api/media/genres").json()
    assert len(queries) <= 6
    assert [g["slug"] for g in genres["items"]] == ["comedy", "drama"]
    assert [p["slug"] for p in api.get("/api/media/people").json()["items"]] == ["amy", "zed"]
    assert [p["slug"] for p in api.get("/api/media/people", {"q": "ze"}).json()["items"]] == ["zed"]


def test_person_filmography(api, make_title, kids_limit):
    ada = Person.objects.create(name="Ada", slug="ada", bio="Writes.")
    family = make_title("Family Film", maturity_rating=0)
    adult = make_title("Adult Film", maturity_rating=18)
    draft = make_title("Draft Film", published=False)
    for title in (family, adult, draft):
        Credit.objects.create(title=title, person=ada, role="writer")
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/media/people/ada").json()
    assert len(queries) <= 8
    assert body["bio"] == "Writes."
    assert [c["title"]["slug"] for c in body["filmography"]] == ["family-film"]
    assert body["filmography"][0]["role"] == "writer"
    missing = api.get("/api/media/people/bob")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
