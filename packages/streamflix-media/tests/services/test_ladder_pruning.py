"""A run records which rungs the complexity probe pruned, and why, on the asset: staff see it
in the asset API and on the admin's asset page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from streamflix_media.models import VideoAsset
from tests.conftest import upload

pytestmark = pytest.mark.usefixtures("media_settings")


@pytest.fixture
def pruning_on(settings: Any, media_settings: Any) -> None:
    settings.STREAMFLIX_MEDIA = {
        **settings.STREAMFLIX_MEDIA,
        "LADDER_PRUNING": True,
        "COMPLEXITY_PROBE_SAMPLES": 2,
        "COMPLEXITY_PROBE_SECONDS": 1.0,
    }


@pytest.fixture
def flat_clip(make_clip):
    return make_clip("flat640.mp4", size="640x360", seconds=3, pattern="color")


@pytest.mark.usefixtures("pruning_on")
def test_the_pruned_rungs_are_recorded_and_shown_to_staff(
    staff_api, viewer_api, client, make_user, movie, flat_clip, run_on_commit
):
    with run_on_commit():
        response = upload(staff_api, flat_clip, role="feature", title=movie.slug)
    assert response.status_code == 201, response.json()
    asset = VideoAsset.objects.get(pk=response.json()["id"])
    assert asset.status == "ready", asset.error_message
    assert asset.rungs == [360]
    assert [p["rung"] for p in asset.ladder_pruning["pruned"]] == ["240p"]
    reason = asset.ladder_pruning["pruned"][0]["reason"]
    assert "top rung 360p" in reason

    detail = staff_api.get(f"/api/media/assets/{asset.pk}").json()
    assert detail["ladder_pruning"] == asset.ladder_pruning
    assert detail["encoders"]["h264"]["encoder"] == "libx264"
    assert detail["encoders"]["h264"]["hardware"] is False
    listed = staff_api.get("/api/media/assets").json()["items"][0]
    assert listed["ladder_pruning"]["pruned"][0]["rung"] == "240p"
    assert viewer_api.get(f"/api/media/assets/{asset.pk}").status_code == 403

    client.force_login(make_user(email="boss@example.com", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:streamflix_media_videoasset_change", args=[asset.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ladder pruning" in html and "<b>240p</b>" in html and "top rung 360p" in html
    assert "libx264" in html and "h264_nvenc" in html


def test_with_pruning_off_the_asset_says_so(staff_api, movie, flat_clip, run_on_commit):
    with run_on_commit():
        response = upload(staff_api, flat_clip, role="feature", title=movie.slug)
    asset = VideoAsset.objects.get(pk=response.json()["id"])
    assert asset.rungs == [240, 360]
    assert asset.ladder_pruning == {"enabled": False, "pruned": []}
    detail = staff_api.get(f"/api/media/assets/{asset.pk}").json()
    assert detail["ladder_pruning"] == {"enabled": False, "pruned": []}
