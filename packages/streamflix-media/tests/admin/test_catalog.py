"""The Unfold admin of the catalogue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from streamflix_media.models import Title

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    user = make_user(email="curator@example.com", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_admin_pages(admin_client, series_with_everything):
    title = series_with_everything
    for name, args in (
        ("admin:streamflix_media_title_changelist", ()),
        ("admin:streamflix_media_title_change", (title.pk,)),
        ("admin:streamflix_media_title_add", ()),
        ("admin:streamflix_media_season_change", (title.seasons.first().pk,)),
        ("admin:streamflix_media_genre_changelist", ()),
        ("admin:streamflix_media_person_changelist", ()),
    ):
        response = admin_client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    found = admin_client.get(
        reverse("admin:streamflix_media_title_changelist"), {"q": "harbor", "status": "published"}
    )
    assert b"Harbor Lights" in found.content
    autocomplete = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "streamflix_media", "model_name": "credit", "field_name": "person",
         "term": "ada"},
    )  # fmt: skip
    assert autocomplete.status_code == 200 and "Ada Lovelace" in autocomplete.content.decode()


def test_admin_bulk_publish_and_unpublish(admin_client, make_title):
    make_title("One", published=False)
    make_title("Two", published=False)
    url = reverse("admin:streamflix_media_title_changelist")
    ids = list(Title.objects.values_list("pk", flat=True))
    admin_client.post(url, {"action": "publish_selected", "_selected_action": ids})
    assert set(Title.objects.values_list("status", flat=True)) == {"published"}
    assert all(Title.objects.values_list("published_at", flat=True))
    admin_client.post(url, {"action": "unpublish_selected", "_selected_action": ids})
    assert set(Title.objects.values_list("status", flat=True)) == {"draft"}


def test_admin_sidebar_has_the_catalog_section(admin_client):
    from streamflix_core.plugins import sidebar_navigation

    sections = sidebar_navigation()
    catalog = next(s for s in sections if s["title"] == "Catalog")
    assert [item["title"] for item in catalog["items"]][:2] == ["Titles", "Seasons"]


def test_admin_form_publishes_and_makes_image_variants(admin_client, drama):
    import io as _io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = _io.BytesIO()
    Image.new("RGB", (800, 1200), (10, 20, 30)).save(buffer, "JPEG")
    poster = SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")
    management = {}
    for prefix in ("seasons", "credits"):
        for field, value in (("TOTAL", "0"), ("INITIAL", "0"), ("MIN_NUM", "0"), ("MAX_NUM", "9")):
            management[f"{prefix}-{field}_FORMS"] = value
    response = admin_client.post(
        reverse("admin:streamflix_media_title_add"),
        {
            "kind": "movie", "name": "Admin Made", "slug": "admin-made", "genres": [drama.pk],
            "maturity_rating": "0", "poster": poster, **management,
            # Status is read-only: the form's "Save and publish" button publishes.
            "streamflix_media_title_publish_on_save": "",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    title = Title.objects.get(slug="admin-made")
    assert title.status == "published" and title.published_at
    assert set(title.poster_variants) == {"w185", "w342", "w780"}
