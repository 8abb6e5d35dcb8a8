"""Likes, My List and ratings through the API: idempotency, visibility, exact counters."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from streamflix_core.maturity import Maturity
from streamflix_core.testing.api_client import JsonApi, bearer_token
from streamflix_media.models import Genre, Title
from streamflix_social.models import Like, ListItem, Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer_api(make_viewer: Any) -> JsonApi:
    return make_viewer()[2]


@pytest.fixture
def movie(make_title: Any) -> Title:
    return make_title("Harbor Lights", maturity_rating=Maturity.AGE_13)


def counters(title: Title) -> tuple[int, int, int, float]:
    title.refresh_from_db()
    return title.likes, title.rating_sum, title.rating_count, title.rating_average


WRITES = [
    ("put", "like", None),
    ("delete", "like", None),
    ("put", "list", None),
    ("delete", "list", None),
    ("put", "rating", {"rating": 4}),
    ("delete", "rating", None),
]


# --- who may write ------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "what", "body"), WRITES)
def test_writes_need_a_signed_in_profile(api, make_user, movie, method, what, body):
    path = f"/api/social/titles/{movie.slug}/{what}"
    response = api.send(method, path, body)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    lonely = make_user(email="noprofile@example.com")
    response = api.as_user(lonely).send(method, path, body)
    assert response.status_code == 403 and response.json()["code"] == "profile_required"
    assert not (Like.objects.exists() or ListItem.objects.exists() or Rating.objects.exists())


@pytest.mark.parametrize(("method", "what", "body"), WRITES)
def test_titles_the_profile_may_not_see_are_404(
    viewer_api, make_viewer, make_title, movie, method, what, body
):
    draft = make_title("Draft Film", status=Title.Status.DRAFT, published_at=None)
    adult = make_title("Adult Film", maturity_rating=Maturity.AGE_18)
    _, _, kids_api = make_viewer("kids@example.com", is_kids=True, maturity_limit=Maturity.AGE_7)
    for client, slug in (
        (viewer_api, "no-such-title"),
        (viewer_api, draft.slug),
        (kids_api, adult.slug),
        (kids_api, movie.slug),
    ):
        response = client.send(method, f"/api/social/titles/{slug}/{what}", body)
        assert response.status_code == 404, (slug, response.json())
        assert response.json()["code"] == "not_found"
    assert counters(adult) == (0, 0, 0, 0.0) and counters(movie) == (0, 0, 0, 0.0)
    assert not (Like.objects.exists() or ListItem.objects.exists() or Rating.objects.exists())


# --- likes ----------------------------------------------------------------------------------


def test_liking_is_idempotent_and_counts_once(viewer_api, make_viewer, movie):
    path = f"/api/social/titles/{movie.slug}/like"
    assert viewer_api.put(path).json() == {"liked": True, "likes": 1}
    assert viewer_api.put(path).json() == {"liked": True, "likes": 1}
    _, _, other = make_viewer("other@example.com")
    assert other.put(path).json() == {"liked": True, "likes": 2}
    assert viewer_api.delete(path).json() == {"liked": False, "likes": 1}
    assert viewer_api.delete(path).json() == {"liked": False, "likes": 1}
    assert other.delete(path).json() == {"liked": False, "likes": 0}
    assert other.delete(path).json() == {"liked": False, "likes": 0}
    assert counters(movie)[0] == 0 and not Like.objects.exists()


def test_profiles_of_one_account_like_separately(make_viewer, make_profile, movie):
    user, _, first = make_viewer()
    second = JsonApi(token=bearer_token(user, make_profile(user, name="Second")))
    first.put(f"/api/social/titles/{movie.slug}/like")
    assert second.put(f"/api/social/titles/{movie.slug}/like").json()["likes"] == 2


def test_a_kids_profile_likes_what_it_may_see(make_viewer, make_title):
    _, _, kids = make_viewer(is_kids=True, maturity_limit=Maturity.AGE_7)
    cartoon = make_title("Cartoon", maturity_rating=Maturity.ALL)
    assert kids.put(f"/api/social/titles/{cartoon.slug}/like").json() == {
        "liked": True,
        "likes": 1,
    }


# --- My List --------------------------------------------------------------------------------


def test_my_list_adds_once_and_lists_newest_first(viewer_api, make_title):
    first, second, third = (make_title(f"Show {n}") for n in (1, 2, 3))
    added = viewer_api.put(f"/api/social/titles/{first.slug}/list").json()
    assert added["in_list"] is True and added["added_at"]
    # again: no second row, and it keeps its place
    assert viewer_api.put(f"/api/social/titles/{first.slug}/list").json() == added
    viewer_api.put(f"/api/social/titles/{second.slug}/list")
    viewer_api.put(f"/api/social/titles/{third.slug}/list")
    viewer_api.put(f"/api/social/titles/{third.slug}/like")
    viewer_api.put(f"/api/social/titles/{third.slug}/rating", {"rating": 5})
    body = viewer_api.get("/api/social/list").json()
    assert body["count"] == 3
    assert [item["slug"] for item in body["items"]] == [third.slug, second.slug, first.slug]
    top = body["items"][0]
    assert (top["in_list"], top["liked"], top["my_rating"]) == (True, True, 5)
    assert top["added_at"] and top["likes"] == 1 and top["rating_count"] == 1
    assert (body["items"][1]["liked"], body["items"][1]["my_rating"]) == (False, None)
    page = viewer_api.get("/api/social/list", page=2, page_size=2).json()
    assert [item["slug"] for item in page["items"]] == [first.slug]


def test_removing_from_my_list_is_idempotent(viewer_api, movie):
    path = f"/api/social/titles/{movie.slug}/list"
    viewer_api.put(path)
    assert viewer_api.delete(path).json() == {"in_list": False, "added_at": None}
    assert viewer_api.delete(path).json() == {"in_list": False, "added_at": None}
    assert viewer_api.get("/api/social/list").json()["items"] == []


def test_my_list_is_the_profiles_own_and_hides_what_it_may_no_longer_see(
    viewer_api, make_viewer, make_title, movie
):
    gone = make_title("Withdrawn")
    for title in (movie, gone):
        viewer_api.put(f"/api/social/titles/{title.slug}/list")
    Title.objects.filter(pk=gone.pk).update(status=Title.Status.ARCHIVED)
    assert [i["slug"] for i in viewer_api.get("/api/social/list").json()["items"]] == [movie.slug]
    _, _, other = make_viewer("other@example.com")
    assert other.get("/api/social/list").json()["count"] == 0


def test_my_list_needs_a_profile(api, make_user):
    assert api.get("/api/social/list").status_code == 401
    response = api.as_user(make_user()).get("/api/social/list")
    assert response.status_code == 403 and response.json()["code"] == "profile_required"


def test_my_list_costs_the_same_queries_whatever_its_size(viewer_api, make_title):
    drama = Genre.objects.create(name="Drama", slug="drama")

    def add(count: int) -> None:
        for _ in range(count):
            title = make_title()
            title.genres.add(drama)
            viewer_api.put(f"/api/social/titles/{title.slug}/list")

    add(2)
    with CaptureQueriesContext(connection) as small:
        assert len(viewer_api.get("/api/social/list").json()["items"]) == 2
    add(8)
    with CaptureQueriesContext(connection) as large:
        items = viewer_api.get("/api/social/list").json()["items"]
    assert len(items) == 10 and items[0]["genres"][0]["slug"] == "drama"
    assert len(large) == len(small) <= 6, [q["sql"] for q in large.captured_queries]


# --- ratings --------------------------------------------------------------------------------


def test_rating_replaces_and_keeps_the_average_exact(viewer_api, make_viewer, movie):
    path = f"/api/social/titles/{movie.slug}/rating"
    assert viewer_api.put(path, {"rating": 5}).json() == {
        "my_rating": 5,
        "rating_average": 5.0,
        "rating_count": 1,
    }
    assert viewer_api.put(path, {"rating": 3}).json() == {
        "my_rating": 3,
        "rating_average": 3.0,
        "rating_count": 1,
    }
    assert viewer_api.put(path, {"rating": 3}).json()["rating_count"] == 1
    _, _, other = make_viewer("other@example.com")
    assert other.put(path, {"rating": 4}).json() == {
        "my_rating": 4,
        "rating_average": 3.5,
        "rating_count": 2,
    }
    assert counters(movie)[1:3] == (7, 2)
    assert viewer_api.delete(path).json() == {
        "my_rating": None,
        "rating_average": 4.0,
        "rating_count": 1,
    }
    assert viewer_api.delete(path).json()["rating_count"] == 1
    other.delete(path)
    assert counters(movie)[1:] == (0, 0, 0.0) and not Rating.objects.exists()


@pytest.mark.parametrize("bad", [0, 6, 99, -1, 3.5, "4", True, None])
def test_a_rating_outside_1_to_5_is_422(viewer_api, movie, bad):
    path = f"/api/social/titles/{movie.slug}/rating"
    viewer_api.put(path, {"rating": 2})
    response = viewer_api.put(path, {"rating": bad})
    assert response.status_code == 422, response.json()
    body = response.json()
    assert body["code"] == "validation_error" and "rating" in body["detail"]
    assert body["errors"][0]["loc"][-1] == "rating"
    assert list(Rating.objects.values_list("value", flat=True)) == [2]
    assert counters(movie)[1:3] == (2, 1)


def test_a_rating_needs_a_body(viewer_api, movie):
    response = viewer_api.put(f"/api/social/titles/{movie.slug}/rating", {})
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


def test_the_service_refuses_a_bad_rating_too(make_viewer, movie):
    from streamflix_core.errors import InvalidInput
    from streamflix_core.viewer import Viewer
    from streamflix_social import services

    user, profile, _ = make_viewer()
    viewer = Viewer(user=user, profile=profile, maturity_limit=profile.maturity_limit)
    for bad in (0, 6, 3.5):
        with pytest.raises(InvalidInput) as error:
            services.rating_set(viewer=viewer, slug=movie.slug, value=bad)
        assert "rating" in error.value.fields
    assert not Rating.objects.exists()


# --- concurrency (PostgreSQL) ---------------------------------------------------------------


def _at_once(calls: list[Any]) -> list[Any]:
    """Run each call in its own thread, released together; each closes its connection."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Any) -> None:
        try:
            start.wait()
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write, so it cannot show a race (set DATABASE_URL)",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_ten_profiles_rating_at_once_count_exactly(make_viewer, make_title):
    title = make_title("Busy Premiere")
    clients = [make_viewer(f"rater{n}@example.com")[2] for n in range(10)]
    values = [n % 5 + 1 for n in range(10)]
    path = f"/api/social/titles/{title.slug}/rating"
    calls = [
        lambda c=c, v=v: c.put(path, {"rating": v}) for c, v in zip(clients, values, strict=True)
    ]
    assert [r.status_code for r in _at_once(calls)] == [200] * 10
    _, rating_sum, rating_count, average = counters(title)
    assert (rating_count, rating_sum) == (10, sum(values))
    assert average == pytest.approx(sum(values) / 10)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_like_and_rating_at_once_count_once(make_viewer, make_title):
    title = make_title("Double Tap")
    _, _, client = make_viewer()
    like = f"/api/social/titles/{title.slug}/like"
    rate = f"/api/social/titles/{title.slug}/rating"
    ratings = [lambda n=n: client.put(rate, {"rating": n}) for n in (1, 2, 3, 4, 5)]
    calls = [lambda: client.put(like)] * 5 + ratings
    assert {r.status_code for r in _at_once(calls)} == {200}
    likes, rating_sum, rating_count, _ = counters(title)
    assert (likes, rating_count) == (1, 1)
    assert rating_sum == Rating.objects.get().value
    _at_once([lambda: client.delete(like)] * 5)
    assert counters(title)[0] == 0


# --- admin ----------------------------------------------------------------------------------


def test_the_admin_lists_marks_read_only(client, staff_user, make_viewer, make_title):
    staff_user.is_superuser = True
    staff_user.save()
    harbor, night = make_title("Harbor"), make_title("Night Train")
    _, _, viewer = make_viewer(name="Ada")
    for title, stars in ((harbor, 5), (night, 2)):
        viewer.put(f"/api/social/titles/{title.slug}/like")
        viewer.put(f"/api/social/titles/{title.slug}/list")
        viewer.put(f"/api/social/titles/{title.slug}/rating", {"rating": stars})
    client.force_login(staff_user)
    for model in ("like", "listitem", "rating"):
        page = client.get(f"/admin/streamflix_social/{model}/", {"q": "harbor"})
        assert page.status_code == 200 and "Harbor" in page.text and "Night Train" not in page.text
        assert client.get(f"/admin/streamflix_social/{model}/", {"q": "ada"}).status_code == 200
        assert client.get(f"/admin/streamflix_social/{model}/add/").status_code == 403
    page = client.get("/admin/streamflix_social/rating/", {"value__exact": 2})
    assert "Night Train" in page.text and "Harbor" not in page.text
    rating = Rating.objects.get(title=night)
    change = client.post(f"/admin/streamflix_social/rating/{rating.pk}/change/", {"value": 5})
    assert change.status_code == 403 and Rating.objects.get(pk=rating.pk).value == 2


def test_deleting_a_profile_takes_its_likes_and_ratings_off_the_counters(make_viewer, make_title):
    from streamflix_core.models import Profile

    title = make_title("Dune")
    _, leaving, leaving_api = make_viewer("leaving@example.com")
    _, _, staying_api = make_viewer("staying@example.com")
    for client, stars in ((leaving_api, 5), (staying_api, 2)):
        assert client.put(f"/api/social/titles/{title.slug}/like").status_code == 200
        assert (
            client.put(f"/api/social/titles/{title.slug}/rating", {"rating": stars}).status_code
            == 200
        )
    Profile.objects.filter(pk=leaving.pk).delete()
    title.refresh_from_db()
    assert (title.likes, title.rating_count, title.rating_sum) == (1, 1, 2)
    assert title.rating_average == 2.0


def test_counter_changes_are_announced_after_the_commit(
    make_viewer, make_title, django_capture_on_commit_callbacks
):
    from streamflix_social.signals import title_counters_changed

    title = make_title("Dune")
    _, _, client = make_viewer()
    heard: list[int] = []

    def receiver(**kwargs):
        heard.append(kwargs["title_id"])

    title_counters_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.put(f"/api/social/titles/{title.slug}/like")
            client.put(f"/api/social/titles/{title.slug}/like")  # no change: no announcement
            client.put(f"/api/social/titles/{title.slug}/rating", {"rating": 4})
    finally:
        title_counters_changed.disconnect(receiver)
    assert heard == [title.pk, title.pk]
