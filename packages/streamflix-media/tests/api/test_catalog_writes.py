from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from streamflix_core import signals
from streamflix_media.models import Credit, Episode, Genre, Person, Season, Title

pytestmark = pytest.mark.django_db


def png(width: int = 1200, height: int = 1800) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("poster.png", buffer.getvalue(), content_type="image/png")


TITLE = {
    "kind": "series",
    "name": "Night Harbor",
    "year": 2024,
    "maturity_rating": 13,
    "countries": ["us", "GB"],
    "genres": ["drama"],
}


def test_staff_creates_edits_and_deletes_a_title(staff_api, drama, comedy):
    response = staff_api.post("/api/media/titles", TITLE)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "night-harbor" and body["status"] == "draft"
    assert body["countries"] == ["US", "GB"]
    assert [g["slug"] for g in body["genres"]] == ["drama"]
    response = staff_api.patch(
        "/api/media/titles/night-harbor", {"genres": ["comedy", "drama"], "featured": True}
    )
    assert response.status_code == 200
    assert [g["slug"] for g in response.json()["genres"]] == ["comedy", "drama"]
    assert response.json()["featured"] is True
    assert staff_api.delete("/api/media/titles/night-harbor").status_code == 204
    assert not Title.objects.exists()


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_writes_need_staff(api, viewer_api, make_title, method):
    make_title("Existing")
    path = "/api/media/titles" if method == "post" else "/api/media/titles/existing"
    args = (path, TITLE) if method != "delete" else (path,)
    anonymous = getattr(api, method)(*args)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    viewer = getattr(viewer_api, method)(*args)
    assert viewer.status_code == 403
    assert viewer.json() == {"detail": "Only staff can do this.", "code": "permission_denied"}
    assert Title.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/media/genres",
        "/api/media/people",
        "/api/media/titles/existing/seasons",
        "/api/media/titles/existing/credits",
        "/api/media/titles/existing/publish",
    ],
)
def test_other_writes_need_staff(api, viewer_api, make_title, path):
    make_title("Existing", published=False)
    assert api.post(path, {"name": "x"}).status_code == 401
    assert viewer_api.post(path, {"name": "x"}).status_code == 403
    assert Title.objects.get().status == "draft"


def test_duplicate_slug_is_409_and_nothing_written(staff_api, make_title, drama):
    make_title("Night Harbor")
    response = staff_api.post("/api/media/titles", TITLE)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert "night-harbor" in response.json()["detail"]
    assert Title.objects.count() == 1


def test_unknown_genre_is_422_and_nothing_written(staff_api):
    response = staff_api.post("/api/media/titles", {**TITLE, "genres": ["nope"]})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Unknown genre(s): nope.",
        "code": "unknown_reference",
        "errors": [],
    }
    assert not Title.objects.exists()


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({"name": ""}, "name"),
        ({"name": "X", "maturity_rating": 12}, "maturity_rating"),
        ({"name": "X", "countries": ["USA"]}, "countries"),
        ({"name": "X", "kind": "opera"}, "kind"),
        ({"name": "X", "slug": "Not A Slug"}, "slug"),
    ],
)
def test_bad_title_input_is_422(staff_api, payload, where):
    response = staff_api.post("/api/media/titles", payload)
    assert response.status_code == 422
    assert where in response.json()["detail"]
    assert not Title.objects.exists()


def test_write_to_unknown_slug_is_404(staff_api):
    assert staff_api.patch("/api/media/titles/nope", {"name": "x"}).status_code == 404
    assert staff_api.delete("/api/media/titles/nope").json()["code"] == "not_found"
    assert staff_api.post("/api/media/titles/nope/publish").status_code == 404


def test_publish_and_unpublish(staff_api, api, make_title, django_capture_on_commit_callbacks):
    make_title("Soon", published=False)
    received = []

    def receiver(sender, title_id, **kwargs):
        received.append(title_id)

    signals.title_published.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_api.post("/api/media/titles/soon/publish")
    finally:
        signals.title_published.disconnect(receiver)
    assert response.status_code == 200
    assert response.json()["status"] == "published" and response.json()["published_at"]
    assert received == [Title.objects.get().pk]
    assert api.get("/api/media/titles/soon").status_code == 200
    assert staff_api.post("/api/media/titles/soon/unpublish").json()["status"] == "draft"
    assert api.get("/api/media/titles/soon").status_code == 404


def test_seasons_episodes_and_credits(staff_api, make_title):
    make_title("Show", kind="series")
    make_title("Film")
    Person.objects.create(name="Ada", slug="ada")
    season = staff_api.post("/api/media/titles/show/seasons", {"number": 1, "name": "One"})
    assert season.status_code == 201
    season_id = season.json()["id"]
    duplicate = staff_api.post("/api/media/titles/show/seasons", {"number": 1})
    assert duplicate.status_code == 409
    movie = staff_api.post("/api/media/titles/film/seasons", {"number": 1})
    assert movie.status_code == 409 and movie.json()["code"] == "not_a_series"
    episode = staff_api.post(
        f"/api/media/seasons/{season_id}/episodes", {"number": 1, "name": "Pilot"}
    )
    assert episode.status_code == 201
    episode_id = episode.json()["id"]
    assert (
        staff_api.patch(f"/api/media/episodes/{episode_id}", {"name": "Start"}).json()["name"]
        == "Start"
    )
    assert staff_api.patch(f"/api/media/seasons/{season_id}", {"name": "First"}).status_code == 200
    credit = staff_api.post(
        "/api/media/titles/show/credits", {"person": "ada", "role": "actor", "character_name": "Q"}
    )
    assert credit.status_code == 201
    credit_id = credit.json()["id"]
    unknown = staff_api.post("/api/media/titles/show/credits", {"person": "bob", "role": "actor"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_reference"
    assert (
        staff_api.patch(f"/api/media/credits/{credit_id}", {"billing_order": 3}).json()[
            "billing_order"
        ]
        == 3
    )
    detail = staff_api.get("/api/media/titles/show").json()
    assert detail["seasons"][0]["episodes"][0]["name"] == "Start"
    assert detail["credits"]["actor"][0]["character_name"] == "Q"
    assert staff_api.delete(f"/api/media/credits/{credit_id}").status_code == 204
    assert staff_api.delete(f"/api/media/episodes/{episode_id}").status_code == 204
    assert staff_api.delete(f"/api/media/seasons/{season_id}").status_code == 204
    assert not (Credit.objects.exists() or Episode.objects.exists() or Season.objects.exists())
    assert staff_api.delete("/api/media/seasons/999").status_code == 404
    assert staff_api.patch("/api/media/episodes/999", {"name": "x"}).status_code == 404
    assert staff_api.delete("/api/media/credits/999").status_code == 404


def test_genres_and_people_crud(staff_api, api):
    assert staff_api.post("/api/media/genres", {"name": "Film Noir"}).json()["slug"] == "film-noir"
    dup = staff_api.post("/api/media/genres", {"name": "Film Noir"})
    assert dup.status_code == 409 and dup.json()["code"] == "duplicate"
    assert staff_api.patch("/api/media/genres/film-noir", {"name": "Noir"}).json()["name"] == "Noir"
    assert api.get("/api/media/genres").json()["items"][0]["name"] == "Noir"
    assert staff_api.delete("/api/media/genres/film-noir").status_code == 204
    assert staff_api.delete("/api/media/genres/film-noir").status_code == 404
    assert not Genre.objects.exists()
    person = staff_api.post("/api/media/people", {"name": "Zoë Adeyemi", "bio": "Actor."})
    assert person.status_code == 201 and person.json()["slug"] == "zoe-adeyemi"
    assert staff_api.post("/api/media/people", {"name": "Zoë Adeyemi"}).status_code == 409
    assert staff_api.patch("/api/media/people/zoe-adeyemi", {"bio": "Director."}).status_code == 200
    assert Person.objects.get().bio == "Director."
    assert staff_api.delete("/api/media/people/zoe-adeyemi").status_code == 204
    assert staff_api.post("/api/media/people", {"name": ""}).status_code == 422


def test_poster_upload_makes_variants(staff_api, make_title):
    make_title("Posterized")
    response = staff_api.upload("/api/media/titles/posterized/images/poster", {"file": png()})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["poster"].endswith(".png")
    assert set(body["poster_variants"]) == {"w185", "w342", "w780"}
    title = Title.objects.get()
    from django.core.files.storage import default_storage

    stored = body["poster_variants"]["w342"].removeprefix("/media/")
    with default_storage.open(stored) as handle, Image.open(handle) as image:
        assert image.size == (342, 513)
    assert title.poster.name


def test_bad_image_is_422_and_nothing_saved(staff_api, make_title):
    make_title("Plain")
    fake = SimpleUploadedFile("poster.png", b"not an image", content_type="image/png")
    response = staff_api.upload("/api/media/titles/plain/images/poster", {"file": fake})
    assert response.status_code == 422
    assert response.json() == {"detail": "The file is not a readable image.",
                               "code": "invalid_image", "errors": []}  # fmt: skip
    assert not Title.objects.get().poster
    bad_kind = staff_api.upload("/api/media/titles/plain/images/logo", {"file": png()})
    assert bad_kind.status_code == 422


def test_image_too_large(staff_api, make_title, settings):
    settings.STREAMFLIX_MEDIA = {"MAX_IMAGE_PIXELS": 1000}
    make_title("Huge")
    response = staff_api.upload("/api/media/titles/huge/images/backdrop", {"file": png(100, 100)})
    assert response.status_code == 422
    assert "pixels" in response.json()["detail"]
