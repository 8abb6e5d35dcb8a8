from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from streamflix_core import models as core_models

pytestmark = pytest.mark.django_db

Profile = getattr(core_models, "Profile", None)


@pytest.fixture
def kids_api(api, make_user):
    if Profile is None:
        pytest.skip("core has no viewer profiles")
    user = make_user(email="family@example.com")
    Profile.objects.create(user=user, name="Kids", is_kids=True, maturity_limit=7, is_default=True)
    return api.as_user(user)


def test_kids_profile_never_sees_titles_above_its_limit(kids_api, make_title, drama):
    make_title("Harbor Pups", maturity_rating=0, featured=True, genres=[drama])
    make_title("Harbor Nights", maturity_rating=16, featured=True, genres=[drama], views=50)
    # the account's first read and the connection's one-off feature checks come first
    kids_api.get("/api/media/titles", {"page_size": 1})
    with CaptureQueriesContext(connection) as queries:
        listed = kids_api.get("/api/media/titles", {"page_size": 50}).json()
    assert len(queries) <= 4  # count, page, genres, the profile's own state
    assert [t["slug"] for t in listed["items"]] == ["harbor-pups"]
    assert kids_api.get("/api/media/titles/harbor-nights").status_code == 404
    assert kids_api.get("/api/media/titles/harbor-pups").status_code == 200
    found = kids_api.get("/api/media/search", {"q": "harbor"}).json()["results"]
    assert [r["slug"] for r in found] == ["harbor-pups"]
    home = kids_api.get("/api/media/home").json()
    assert {t["slug"] for row in home["rows"] for t in row["titles"]} == {"harbor-pups"}
