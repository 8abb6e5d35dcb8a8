import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client


def test_health_is_ok_on_the_demo(transactional_db):
    # Not inside a test transaction: the demo's SQLite begins transactions IMMEDIATE, so an
    # open one holds the write lock and health would rightly report the database locked.
    response = Client().get("/api/health")
    assert response.status_code == 200, response.content
    assert response.json()["failed"] == []


def test_root_redirects_to_the_api_docs(db):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"] == "/api/docs"


def test_seed_creates_the_admin_and_is_repeatable(db, capsys, monkeypatch):
    from streamflix_media.models import Title, VideoAsset

    # A small catalog and one clip: the seed's pieces have tests of their own in media.
    monkeypatch.setenv("STREAMFLIX_DEMO_TITLES", "30")
    monkeypatch.setenv("STREAMFLIX_DEMO_VIDEOS", "1")
    call_command("demo_seed")
    call_command("demo_seed")
    out = capsys.readouterr().out
    assert "admin@streamflix.local / streamflix-admin" in out
    assert not Title.objects.filter(poster="").exists()
    # Queued for the worker (it runs once the seed's transaction commits), made once.
    assert list(VideoAsset.objects.values_list("status", flat=True)) == ["pending"]
    assert "these titles play" in out and "/admin/streamflix_media/videoasset/" in out
    admin = get_user_model().objects.get(email="admin@streamflix.local")
    assert admin.is_superuser and admin.check_password("streamflix-admin")


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/streamflix_core/user/", "/admin/django_q/schedule/"]
)
def test_admin_renders_with_the_plugin_sidebar(db, url):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root@example.com", "pw"))
    response = client.get(url)
    assert response.status_code == 200
    assert b"Accounts and operations" in response.content


def test_admin_index_is_the_dashboard_of_every_plugin(db, django_assert_max_num_queries):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root@example.com", "pw"))
    # The session, the user, the recent actions and every plugin's cards (core 3, media 7,
    # billing 5, social 4).
    with django_assert_max_num_queries(22):
        response = client.get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    for plugin in ("core", "media", "billing", "social"):
        assert f'data-dashboard-card="{plugin}"' in page, plugin
    assert "data-card-error" not in page
    assert 'class="chart"' in page
    assert "minor units" not in page


def test_migrations_are_complete(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_public_media_is_served_and_videos_stay_private(db, settings):
    from django.core import checks
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from streamflix_media.storage import output_storage, source_storage

    name = default_storage.save("avatars/probe.txt", ContentFile(b"avatar"))
    response = Client().get(default_storage.url(name))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"avatar"
    media_root = str(settings.MEDIA_ROOT)
    for storage in (source_storage(), output_storage()):
        assert not str(storage.path("x")).startswith(media_root)
    assert not [m for m in checks.run_checks() if m.id and m.id.startswith("streamflix_media")]
