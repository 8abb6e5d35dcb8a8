"""The composed OpenAPI documents what the machinery around an operation answers (401/403,
422, 400, 429) and optional authentication; the body parser refuses absurd nesting."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from ninja import Router, Schema
from ninja.testing import TestClient

from streamflix_core.api.parser import MAX_BODY_DEPTH, body_depth_exceeds
from streamflix_core.auth import jwt_auth, optional_auth, staff_auth
from streamflix_core.plugins.compose import build_api
from streamflix_core.throttles import login_throttle

from .fake_plugins import spec, use_plugins

router = Router()


class ThingIn(Schema):
    name: str


@router.get("/public", auth=optional_auth)
def public_read(request):
    return {"ok": True}


@router.get("/mine", auth=jwt_auth)
def mine_read(request):
    return {"ok": True}


@router.post("/things", auth=jwt_auth, response={201: dict})
def thing_create(request, payload: ThingIn):
    return 201, {"name": payload.name}


@router.get("/staff", auth=staff_auth)
def staff_read(request, page: int = 1):
    return {"page": page}


@router.post("/open", throttle=[login_throttle()], response={200: dict, 400: dict})
def open_write(request, payload: ThingIn):
    return {"name": payload.name}


@pytest.fixture
def api(monkeypatch, settings):
    settings.STREAMFLIX_PLUGINS = None
    use_plugins(
        monkeypatch,
        spec("sample", router="tests.test_openapi_and_parser:router", api_prefix="sample/"),
    )
    from streamflix_core.plugins.registry import select

    return build_api(select(None))


def operation(schema, path, method):
    return schema["paths"][f"/api/sample/{path}"][method]


def statuses(schema, path, method):
    return sorted(int(s) for s in operation(schema, path, method)["responses"])


def test_optional_auth_is_declared_as_anonymous_or_bearer_and_still_documents_401(api):
    schema = api.get_openapi_schema(path_prefix="/api/")
    public = operation(schema, "public", "get")
    assert public["security"] == [{}, {"OptionalAccessTokenAuth": []}]
    assert statuses(schema, "public", "get") == [200, 401]
    assert operation(schema, "mine", "get")["security"] == [{"AccessTokenAuth": []}]


def test_statuses_implied_by_auth_validation_body_and_throttle_are_documented(api):
    schema = api.get_openapi_schema(path_prefix="/api/")
    assert statuses(schema, "mine", "get") == [200, 401]
    # unsafe: a cookie session without its CSRF token is refused (403)
    assert statuses(schema, "things", "post") == [201, 400, 401, 403, 422]
    assert statuses(schema, "staff", "get") == [200, 401, 403, 422]
    assert statuses(schema, "open", "post") == [200, 400, 422, 429]
    # what the operation declares itself is kept, not replaced
    assert operation(schema, "open", "post")["responses"][400]["content"]["application/json"][
        "schema"
    ] == {"additionalProperties": True, "title": "Response", "type": "object"}
    throttled = operation(schema, "open", "post")["responses"][429]["content"]
    assert throttled["application/json"]["schema"] == {"$ref": "#/components/schemas/ThrottledOut"}
    components = schema["components"]["schemas"]
    assert {"ErrorOut", "ValidationErrorOut", "FieldErrorOut", "ThrottledOut"} <= set(components)


def test_the_sites_openapi_documents_401_on_every_authenticated_operation(db):
    schema = Client().get("/api/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method, details in methods.items():
            if details.get("security"):
                assert "401" in details["responses"], (method, path)
            if details.get("requestBody"):
                assert {"400", "422"} <= set(details["responses"]), (method, path)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_body_nested_50000_deep_is_a_400_with_the_error_body(api):
    response = TestClient(api).post("/sample/open", data=nested(50_000))
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"The JSON body is nested more than {MAX_BODY_DEPTH} levels deep.",
        "code": "body_too_deep",
    }


def test_a_body_just_past_the_depth_limit_is_refused_and_one_at_it_is_validated(api):
    client = TestClient(api)
    deep = client.post("/sample/open", data=json.dumps({"name": json.loads(nested(32))}))
    assert deep.status_code == 400 and deep.json()["code"] == "body_too_deep"
    at_limit = client.post("/sample/open", data=json.dumps({"name": json.loads(nested(31))}))
    assert at_limit.status_code == 422 and at_limit.json()["code"] == "validation_error"


def test_brackets_inside_strings_do_not_count_as_nesting(api):
    name = '"[{' * 200 + "\\"
    response = TestClient(api).post("/sample/open", data=json.dumps({"name": name}))
    assert response.status_code == 200 and response.json() == {"name": name}


def test_a_body_that_is_not_json_is_a_400_invalid_json(api):
    for body in ("{", "\x00", "[1,]", '{"name": "a"'):
        response = TestClient(api).post("/sample/open", data=body)
        assert response.status_code == 400
        assert response.json() == {
            "detail": "The request body is not valid JSON.",
            "code": "invalid_json",
        }


def depth_of(value) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    return 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab'),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\ab', max_size=4), children, max_size=3)
    ),
    max_leaves=60,
)


@given(value=json_values, limit=st.integers(min_value=0, max_value=8))
@settings(max_examples=300, deadline=None)
def test_the_depth_scan_agrees_with_the_parsed_depth(value, limit):
    assert body_depth_exceeds(json.dumps(value), limit) == (depth_of(value) > limit)


def test_a_json_body_that_is_not_an_object_is_a_422_validation_error(api):
    for body in ("[null, null]", "[]", '"name"', "1", "null", "true"):
        response = TestClient(api).post("/sample/open", data=body)
        assert response.status_code == 422, body
        assert response.json() == {
            "detail": "The request body must be a JSON object.",
            "code": "validation_error",
            "errors": [{"loc": ["body"], "msg": "Input should be an object", "type": "dict_type"}],
        }


def test_a_json_array_as_a_profile_patch_changes_nothing_and_is_a_422(
    make_user, make_profile, token_for, client
):
    user = make_user(email="ana@example.com")
    profile = make_profile(user, name="Ana")
    response = client.patch(
        f"/api/profiles/{profile.pk}",
        data="[null, null]",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(user)}",
    )
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


def test_maturity_limit_false_is_refused_at_the_schema(make_user, make_profile, token_for, client):
    user = make_user(email="ana@example.com")
    profile = make_profile(user, name="Ana")
    for patch in ({"maturity_limit": False}, {"is_kids": 1}, {"is_default": "yes"}):
        response = client.patch(
            f"/api/profiles/{profile.pk}",
            data=json.dumps(patch),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token_for(user)}",
        )
        assert response.status_code == 422, patch
    profile.refresh_from_db()
    assert profile.maturity_limit != 0
