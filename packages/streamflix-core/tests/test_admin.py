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
