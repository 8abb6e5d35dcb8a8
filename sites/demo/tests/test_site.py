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


@pytest.fixture
def built_app(tmp_path, settings):
    (tmp_path / "index.html").write_text("<!doctype html><title>Streamflix app</title>")
    settings.STREAMFLIX_WEB_APP_DIR = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/signin",
        "/profiles",
        "/title/some-title",
        "/watch/some-title",
        "/watch/some-title/episodes/3",
        "/activate?uid=MQ&token=abc",
        "/reset-password?uid=MQ&token=abc",
        "/confirm-email?token=abc",
        "/account",
        "/search?q=x",
    ],
)
def test_app_routes_answer_the_web_app(built_app, path):
    response = Client().get(path)
    assert response.status_code == 200
    assert b"<title>Streamflix app</title>" in response.content
    assert response["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/nowhere", "/titles/x", "/watchlist"])
def test_other_paths_keep_their_404(built_app, path):
    assert Client().get(path).status_code == 404


def test_the_app_does_not_take_the_api_or_the_admin(built_app, db):
    client = Client()
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/plugins").status_code == 200
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/nowhere").status_code == 404


def test_an_unbuilt_app_explains_how_to_build_it(tmp_path, settings):
    settings.STREAMFLIX_WEB_APP_DIR = tmp_path / "missing"
    response = Client().get("/")
    assert response.status_code == 503
    assert b"npm run build" in response.content and b"/api/docs" in response.content


def test_the_app_answers_only_safe_methods(built_app):
    assert Client().post("/account").status_code in (403, 405)


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


def test_export_openapi_writes_the_document_the_api_serves(tmp_path):
    import json

    target = tmp_path / "openapi.json"
    call_command("export_openapi", output=str(target))
    written = json.loads(target.read_text())
    served = Client().get("/api/openapi.json").json()
    assert written == served
    assert "/api/media/home" in written["paths"]


def test_whitenoise_serves_the_built_assets_for_good(built_app, settings):
    (built_app / "assets").mkdir()
    (built_app / "assets" / "index-Ab12Cd34.js").write_text("console.log('app')")
    settings.WHITENOISE_ROOT = built_app
    response = Client().get("/assets/index-Ab12Cd34.js")
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    # a proxy or CDN serves them instead
    settings.STREAMFLIX_SERVE_STATIC = False
    assert Client().get("/assets/index-Ab12Cd34.js").status_code == 404
