"""The shared error body and pagination, exercised through a throwaway API."""

import pytest
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from ninja.testing import TestClient

from streamflix_core.api.pagination import PageNumber
from streamflix_core.auth import staff_auth
from streamflix_core.errors import Conflict, InvalidInput, NotFound
from streamflix_core.plugins.compose import build_api

from .fake_plugins import spec, use_plugins

router = Router()


class Filters(Schema):
    year: int


@router.get("/numbers", response=list[int])
@paginate(PageNumber)
def numbers(request):
    return list(range(1, 251))


@router.get("/missing")
def missing(request):
    raise NotFound("No widget with id 9.", code="widget_not_found")


@router.get("/refused")
def refused(request):
    raise InvalidInput("That promo code has expired.", code="promo_code_expired")


@router.get("/fields")
def fields(request):
    raise InvalidInput("Too short.", code="password_invalid", fields={"password": ["Too short."]})


@router.get("/clash")
def clash(request):
    raise Conflict("That slug is taken.")


@router.get("/filtered")
def filtered(request, filters: Query[Filters]):
    return {"year": filters.year}


@pytest.fixture
def client(monkeypatch, settings):
    settings.STREAMFLIX_PLUGINS = None
    use_plugins(
        monkeypatch,
        spec(
            "sample",
            router="tests.test_api_conventions:router",
            api_prefix="sample/",
            requires=("core",),
        ),
    )
    from streamflix_core.plugins.registry import select

    return TestClient(build_api(select(None)))


def test_pagination_shape_and_cap(client, settings):
    body = client.get("/sample/numbers?page=2&page_size=10").json()
    assert body["items"] == list(range(11, 21))
    assert (body["count"], body["page"], body["pages"]) == (250, 2, 25)
    assert (body["next"], body["previous"], body["page_size"]) == (3, 1, 10)
    capped = client.get("/sample/numbers?page_size=1000").json()
    assert capped["page_size"] == 100 and len(capped["items"]) == 100
    past_end = client.get("/sample/numbers?page=99").json()
    assert past_end["items"] == [] and past_end["next"] is None


def test_bad_page_is_a_422_with_field_errors(client):
    response = client.get("/sample/numbers?page=0")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["detail"].startswith("Invalid input at query.page")
    assert body["errors"][0]["loc"] == ["query", "page"]


def test_api_errors_carry_detail_and_code(client):
    assert client.get("/sample/missing").json() == {
        "detail": "No widget with id 9.",
        "code": "widget_not_found",
    }
    response = client.get("/sample/clash")
    assert response.status_code == 409
    assert response.json() == {"detail": "That slug is taken.", "code": "conflict"}


def test_query_validation_names_the_field(client):
    response = client.get("/sample/filtered?year=soon")
    assert response.status_code == 422
    assert "query.year" in response.json()["detail"]


@router.post("/staff-only", auth=staff_auth)
def staff_only_operation(request, payload: Filters):
    return {"year": payload.year}


def test_staff_auth_checks_staff_before_reading_the_body(client, make_user, staff_user):
    from streamflix_core.testing.api_client import bearer_header as bearer

    assert client.post("/sample/staff-only", json={}).status_code == 401
    member = client.post("/sample/staff-only", json={"year": "bad"}, headers=bearer(make_user()))
    assert member.status_code == 403
    assert member.json()["code"] == "permission_denied"
    staff = client.post("/sample/staff-only", json={"year": 1999}, headers=bearer(staff_user))
    assert staff.status_code == 200
    assert staff.json() == {"year": 1999}


def test_a_service_422_has_the_validation_shape(client):
    response = client.get("/sample/refused")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "That promo code has expired.",
        "code": "promo_code_expired",
        "errors": [],
    }


def test_every_domain_error_class_has_its_status_and_keeps_its_code():
    import inspect

    from streamflix_core import errors
    from streamflix_core.api.errors import STATUS_FOR_ERROR, status_for

    classes = [
        klass
        for _, klass in inspect.getmembers(errors, inspect.isclass)
        if issubclass(klass, errors.DomainError)
    ]
    assert set(classes) == set(STATUS_FOR_ERROR)
    for klass in classes:
        error = klass("Something is wrong.")
        assert status_for(error) == STATUS_FOR_ERROR[klass]
        assert (error.message, error.detail, error.code) == (
            "Something is wrong.",
            "Something is wrong.",
            klass.code,
        )


def test_a_subclass_takes_the_status_of_its_nearest_mapped_class():
    from streamflix_core.api.errors import status_for
    from streamflix_core.errors import InvalidInput, TooLarge

    class Rejected(InvalidInput):
        code = "rejected"

    class RejectedTooLarge(TooLarge, Rejected):
        code = "rejected_too_large"

    assert (status_for(Rejected("x")), status_for(RejectedTooLarge("x"))) == (422, 413)


def test_a_field_error_of_a_service_is_reported_where_the_body_field_is(client):
    response = client.get("/sample/fields")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["body", "payload", "password"], "msg": "Too short.", "type": "password_invalid"}
    ]
