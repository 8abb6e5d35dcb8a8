"""The Unfold admin of video assets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from streamflix_media.models import VideoAsset
from tests.conftest import upload

# The tests of video assets: fast encoding and a private storage per test.
pytestmark = pytest.mark.usefixtures("media_settings")


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_admin_pages_render_with_progress_and_player(
    admin_client, staff_api, movie, episode, clip_720, run_on_commit, django_assert_max_num_queries
):
    with run_on_commit():
        upload(staff_api, clip_720, role="feature", title=movie.slug)
    ready = VideoAsset.objects.get()
    for number in range(5):
        VideoAsset.objects.create(
            role="episode",
            episode=episode,
            original_filename=f"ep{number}.mp4",
            sha256=f"{number:064d}",
            status="failed",
            error_code="corrupt_source",
            error_message="Broken.",
            progress=40,
        )
    changelist = reverse("admin:streamflix_media_videoasset_changelist")
    with django_assert_max_num_queries(12):
        page = admin_client.get(changelist)
    assert page.status_code == 200
    html = page.content.decode()
    assert "corrupt_source" in html and "240p, 360p, 720p" in html and "Harbor S1E1" in html
    change = admin_client.get(reverse("admin:streamflix_media_videoasset_change", args=[ready.pk]))
    assert change.status_code == 200
    assert "<video" in change.content.decode() and "/stream/hls/" in change.content.decode()
    assert "Original (und, 1 ch, default)" in change.content.decode()
    assert admin_client.get(reverse("admin:streamflix_media_videoasset_add")).status_code == 200
    assert admin_client.get(changelist, {"status": "failed", "q": "ep1"}).status_code == 200


def test_admin_upload_queues_a_transcode(admin_client, movie, clip_720, run_on_commit):
    url = reverse("admin:streamflix_media_videoasset_add")
    with run_on_commit(), open(clip_720, "rb") as fh:
        response = admin_client.post(url, {"role": "feature", "title": movie.pk, "source": fh})
    assert response.status_code == 302, response.content.decode()[:2000]
    asset = VideoAsset.objects.get()
    assert asset.status == "ready" and asset.uploaded_by is not None


def test_admin_upload_shows_a_rejection(admin_client, movie, tmp_path, storage_root):
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"nope" * 100)
    with open(fake, "rb") as fh:
        response = admin_client.post(
            reverse("admin:streamflix_media_videoasset_add"),
            {"role": "feature", "title": movie.pk, "source": fh},
        )
    assert response.status_code == 200
    assert "its content is not a recognised video container" in response.content.decode()
    assert VideoAsset.objects.count() == 0
    assert not list(storage_root.rglob("*.mp4"))


def test_admin_retry_action(admin_client, movie, run_on_commit):
    failed = VideoAsset.objects.create(
        role="feature",
        title=movie,
        original_filename="a.mp4",
        sha256="1" * 64,
        status="failed",
        source_path="private/sources/missing/a.mp4",
    )
    ready = VideoAsset.objects.create(
        role="trailer", title=movie, original_filename="b.mp4", sha256="2" * 64, status="ready"
    )
    with run_on_commit():
        response = admin_client.post(
            reverse("admin:streamflix_media_videoasset_changelist"),
            {"action": "retry_selected", "_selected_action": [failed.pk, ready.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    # Re-run for real: the source is gone, so it fails again, with a clear code.
    assert failed.attempts == 1 and failed.status == "failed"
    assert failed.error_code == "source_missing"
    ready.refresh_from_db()
    assert ready.status == "ready"


@pytest.fixture
def queued(monkeypatch):
    """The transcode tasks queued (django-q2's ``async_task`` recorded, not run)."""
    import django_q.tasks

    calls: list[tuple] = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda *args, **kwargs: calls.append(args))
    return calls


def test_admin_upload_creates_one_asset_and_queues_one_transcode(
    admin_client, movie, clip_720, run_on_commit, queued
):
    url = reverse("admin:streamflix_media_videoasset_add")
    with run_on_commit(), open(clip_720, "rb") as fh:
        response = admin_client.post(url, {"role": "feature", "title": movie.pk, "source": fh})
    assert response.status_code == 302, response.content.decode()[:2000]
    asset = VideoAsset.objects.get()
    assert asset.status == "pending" and asset.title == movie
    assert asset.uploaded_by is not None and asset.uploaded_by.email == "admin@example.com"
    assert [call[1] for call in queued] == [asset.pk]
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.get().object_id == str(asset.pk)


def test_admin_upload_form_only_validates(movie, clip_720, queued):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from streamflix_media.admin.assets import VideoAssetUploadForm

    source = SimpleUploadedFile("clip.mp4", clip_720.read_bytes(), content_type="video/mp4")
    form = VideoAssetUploadForm({"role": "feature", "title": movie.pk}, {"source": source})
    assert form.is_valid(), form.errors
    assert VideoAsset.objects.count() == 0 and queued == []


def test_admin_upload_for_a_wrong_target_shows_the_error_and_writes_nothing(
    admin_client, episode, clip_720, run_on_commit, queued, storage_root
):
    with run_on_commit(), open(clip_720, "rb") as fh:
        response = admin_client.post(
            reverse("admin:streamflix_media_videoasset_add"),
            {"role": "feature", "episode": episode.pk, "source": fh},
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "A feature video needs a title (and no episode)." in html
    assert VideoAsset.objects.count() == 0 and queued == []
    assert not [p for p in storage_root.rglob("*") if p.is_file()]


def test_admin_upload_rolled_back_after_creation_leaves_nothing(
    admin_client, movie, clip_720, run_on_commit, queued, storage_root, monkeypatch
):
    from streamflix_media.admin.assets import VideoAssetAdmin

    def broken(*args, **kwargs):
        raise RuntimeError("log down")

    monkeypatch.setattr(VideoAssetAdmin, "log_addition", broken)
    with run_on_commit(), open(clip_720, "rb") as fh, pytest.raises(RuntimeError):
        admin_client.post(
            reverse("admin:streamflix_media_videoasset_add"),
            {"role": "feature", "title": movie.pk, "source": fh},
        )
    assert VideoAsset.objects.count() == 0 and queued == []
    assert not [p for p in storage_root.rglob("*") if p.is_file()]


def _markers_post(client, asset: VideoAsset, **markers):
    """Post the asset's change form with the markers (and its inlines' management data)."""
    url = reverse("admin:streamflix_media_videoasset_change", args=[asset.pk])
    page = client.get(url)
    data = {name: "" if value is None else value for name, value in markers.items()}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    return client.post(url, data)


@pytest.fixture
def feature(movie) -> VideoAsset:
    return VideoAsset.objects.create(
        role="feature", title=movie, original_filename="f.mp4", sha256="3" * 64,
        status="ready", duration=1200.0,
    )  # fmt: skip


def test_admin_markers_are_saved_through_the_service(admin_client, feature, monkeypatch):
    from streamflix_media import services

    calls = []
    real = services.asset_markers_set
    monkeypatch.setattr(services, "asset_markers_set", lambda **kw: calls.append(kw) or real(**kw))
    response = _markers_post(
        admin_client, feature, intro_start=5, intro_end=65.5, credits_start=1100
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    feature.refresh_from_db()
    assert (feature.intro_start, feature.intro_end, feature.credits_start) == (5, 65.5, 1100)
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("markers", "field", "message"),
    [
        ({"intro_start": 90, "intro_end": 30}, "intro_end", "The intro must end after it starts."),
        ({"credits_start": 5000}, "credits_start", "Must be between 0 and the duration"),
    ],
)
def test_admin_markers_the_service_refuses_are_field_errors(
    admin_client, feature, markers, field, message
):
    response = _markers_post(admin_client, feature, **markers)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors and message in " ".join(errors[field])
    assert message in response.content.decode()
    feature.refresh_from_db()
    assert (feature.intro_start, feature.intro_end, feature.credits_start) == (None, None, None)


def test_admin_markers_of_a_video_without_duration_are_a_form_error(admin_client, movie):
    pending = VideoAsset.objects.create(
        role="feature", title=movie, original_filename="p.mp4", sha256="4" * 64
    )
    response = _markers_post(admin_client, pending, intro_start=1, intro_end=2)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert "Markers need the video's duration" in " ".join(errors)
    pending.refresh_from_db()
    assert pending.intro_start is None and pending.intro_end is None
