import pytest
from django.contrib.auth import get_user_model
from django.test import Client


@pytest.fixture
def admin_client(db):
    user = get_user_model().objects.create_superuser(email="root@example.com", password="pw-123456")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/streamflix_core/user/",
        "/admin/streamflix_core/user/add/",
        "/admin/streamflix_core/user/?is_active__exact=0&email_verified__exact=1",
        "/admin/streamflix_core/profile/",
        "/admin/streamflix_core/profile/?q=root",
        "/admin/auth/group/",
        "/admin/django_q/schedule/",
        "/admin/django_q/failure/",
        "/admin/token_blacklist/outstandingtoken/",
    ],
)
def test_admin_pages_render_in_unfold(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b"unfold" in response.content.lower()


def test_admin_user_search(admin_client):
    response = admin_client.get("/admin/streamflix_core/user/?q=root")
    assert response.status_code == 200
    assert b"root@example.com" in response.content


def test_email_is_unique_ignoring_case(db):
    from django.db import IntegrityError, transaction

    users = get_user_model().objects
    users.create_user(email="Ana@Example.com", password="x")
    assert users.get_by_natural_key("ana@example.com").email == "ana@example.com"
    with pytest.raises(IntegrityError), transaction.atomic():
        users.model(email="ANA@example.com").save()


def test_admin_user_page_shows_profiles_and_hides_pins(admin_client):
    from streamflix_core.models import Profile

    user = get_user_model().objects.get()
    Profile.objects.create(user=user, name="Kiddo", is_kids=True, pin_hash="secret-hash")
    page = admin_client.get(f"/admin/streamflix_core/user/{user.pk}/change/")
    assert page.status_code == 200 and b"Kiddo" in page.content
    profile_page = admin_client.get(
        f"/admin/streamflix_core/profile/{Profile.objects.get().pk}/change/"
    )
    assert profile_page.status_code == 200 and b"secret-hash" not in profile_page.content


@pytest.mark.parametrize(
    ("action", "active_after"),
    [("activate_accounts", True), ("deactivate_accounts", False)],
)
def test_admin_activate_and_deactivate_actions(admin_client, action, active_after):
    users = get_user_model().objects
    other = users.create_user(email="other@example.com", password="x", is_active=not active_after)
    response = admin_client.post(
        "/admin/streamflix_core/user/",
        {"action": action, "_selected_action": [other.pk]},
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.is_active is active_after


def test_admin_resend_activation_action(admin_client, django_capture_on_commit_callbacks):
    from django.core import mail

    users = get_user_model().objects
    waiting = users.create_user(email="wait@example.com", password="x", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/streamflix_core/user/",
            {"action": "resend_activation", "_selected_action": [waiting.pk]},
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["wait@example.com"]]
