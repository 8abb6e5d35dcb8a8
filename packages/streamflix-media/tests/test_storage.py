"""Sources and HLS output live in the private storage, never under MEDIA_ROOT; the system
checks warn about a shared location and refuse unsigned custom-domain output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import checks

from streamflix_media.checks import check_private_storage, check_signed_output_urls
from streamflix_media.models import VideoAsset
from tests.conftest import stored, upload

# The tests of video assets: fast encoding and a private storage per test.
pytestmark = pytest.mark.usefixtures("media_settings")


def _demo_like(settings: Any, tmp_path: Path) -> tuple[Path, Path]:
    media_root, private_root = tmp_path / "media", tmp_path / "private"
    settings.MEDIA_ROOT = str(media_root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media_root), "base_url": "/media/"},
        },
        "streamflix_private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(private_root), "base_url": None},
        },
    }
    return media_root, private_root


def _ids(messages: list[checks.CheckMessage]) -> list[str]:
    return [m.id for m in messages if m.id]


def test_sources_and_hls_output_are_not_under_media_root(
    settings, tmp_path, staff_api, viewer_api, movie, clip_720, run_on_commit
):
    media_root, private_root = _demo_like(settings, tmp_path)
    with run_on_commit():
        response = upload(staff_api, clip_720, role="feature", title=movie.slug)
    assert response.status_code == 201, response.json()
    asset = VideoAsset.objects.get(pk=response.json()["id"])
    assert asset.status == "ready" and asset.source_path and asset.output_prefix
    assert stored(media_root) == []
    assert asset.source_path in stored(private_root)
    assert any(p.endswith("master.m3u8") for p in stored(private_root, asset.output_prefix))
    play = viewer_api.post(f"/api/media/titles/{movie.slug}/playback", {})
    assert play.status_code == 201
    assert _ids(check_private_storage()) == []


def test_missing_private_alias_warns(settings):
    settings.STORAGES = {k: v for k, v in settings.STORAGES.items() if k != "streamflix_private"}
    assert _ids(check_private_storage()) == ["streamflix_media.W001"] * 2


def test_private_alias_inside_media_root_warns(settings, tmp_path):
    _demo_like(settings, tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "streamflix_private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media" / "private"), "base_url": None},
        },
    }
    assert _ids(check_private_storage()) == ["streamflix_media.W001"] * 2


def _s3(**options: Any) -> dict[str, Any]:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "site",
            "region_name": "us-east-1",
            "access_key": "x",
            "secret_key": "y",
            **options,
        },
    }


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"custom_domain": "cdn.example.com", "querystring_auth": True}, ["streamflix_media.E001"]),
        ({"custom_domain": None, "querystring_auth": True}, []),
    ],
)
def test_custom_domain_without_signing_is_an_error(settings, options, expected):
    settings.STORAGES = {**settings.STORAGES, "streamflix_private": _s3(**options)}
    assert _ids(check_signed_output_urls()) == expected


def test_s3_private_prefix_beside_public_media_passes(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": _s3(custom_domain="cdn.example.com"),
        "streamflix_private": _s3(location="private"),
    }
    assert _ids(check_private_storage()) == []
    assert _ids(check_signed_output_urls()) == []
    settings.STORAGES = {**settings.STORAGES, "streamflix_private": _s3()}
    assert _ids(check_private_storage()) == ["streamflix_media.W001"] * 2
