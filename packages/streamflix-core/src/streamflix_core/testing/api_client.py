"""A JSON client for a composed site's API, and the bearer header of a signed-in user.

Every package's tests talk to the API the same way::

    from streamflix_core.testing.api_client import JsonApi, bearer

    api = JsonApi()                          # anonymous
    api.as_user(user).post("/api/...", {...})  # same Django test client, with a bearer token
    client.get("/api/...", **bearer(user))   # a plain Django test client, signed in

A package's ``conftest.py`` usually wraps them in an ``api`` fixture (and helpers such as
``signed_in(user)`` or ``staff_api``).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client, TestCase

JSON = "application/json"


def bearer_token(user: Any, profile: Any = None) -> str:
    """An access token for ``user`` (carrying ``profile``'s id when one is given), issued
    the way the login endpoint issues it."""
    from streamflix_core.services.tokens import tokens_issue

    return tokens_issue(user=user, profile_id=getattr(profile, "pk", None)).access


def bearer_header(user: Any, profile: Any = None) -> dict[str, str]:
    """``{"Authorization": "Bearer ..."}`` for a client's ``headers=`` argument (Django's test
    client, Ninja's ``TestClient``)."""
    return {"Authorization": f"Bearer {bearer_token(user, profile)}"}


def bearer(user: Any, profile: Any = None) -> dict[str, str]:
    """The ``Authorization: Bearer`` header of ``user`` as a WSGI environ entry, to spread
    into a Django test client call or a ``RequestFactory``: ``client.get(url, **bearer(u))``."""
    return {"HTTP_AUTHORIZATION": f"Bearer {bearer_token(user, profile)}"}


class JsonApi:
    """A Django test client that sends JSON bodies and, when it has one, a bearer token.

    ``token`` is sent as ``Authorization: Bearer <token>`` unless a call passes its own
    ``Authorization`` header. With ``run_on_commit`` every write also runs the on-commit
    callbacks it queued (emails, tasks), as a real request's commit would; without it they
    wait for the test to run them (e.g. with ``django_capture_on_commit_callbacks``).
    """

    def __init__(
        self,
        client: Client | None = None,
        *,
        token: str | None = None,
        run_on_commit: bool = False,
    ) -> None:
        self.client = client or Client()
        self.token = token
        self.run_on_commit = run_on_commit

    def with_token(self, token: str | None) -> JsonApi:
        """The same client (cookies included) sending ``token`` instead."""
        return JsonApi(self.client, token=token, run_on_commit=self.run_on_commit)

    def as_user(self, user: Any, profile: Any = None) -> JsonApi:
        """The same client signed in as ``user`` (and ``profile``) with a fresh token."""
        return self.with_token(bearer_token(user, profile))

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = dict(headers or {})
        if self.token:
            out.setdefault("Authorization", f"Bearer {self.token}")
        return out

    def get(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        **query: Any,
    ) -> Any:
        """GET ``path`` with the query ``params`` (a dict, keywords, or both)."""
        return self.client.get(path, {**(params or {}), **query}, headers=self._headers(headers))

    def send(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        """``method`` ``path`` with ``body`` encoded as JSON (no body when it is ``None``)."""
        call = getattr(self.client, method.lower())
        data = "" if body is None else json.dumps(body, cls=DjangoJSONEncoder)
        if not self.run_on_commit:
            return call(path, data, content_type=JSON, headers=self._headers(headers))
        with TestCase.captureOnCommitCallbacks(execute=True):
            return call(path, data, content_type=JSON, headers=self._headers(headers))

    def post(self, path: str, body: Any = None, *, headers: dict[str, str] | None = None) -> Any:
        return self.send("POST", path, {} if body is None else body, headers)

    def put(self, path: str, body: Any = None, *, headers: dict[str, str] | None = None) -> Any:
        return self.send("PUT", path, {} if body is None else body, headers)

    def patch(self, path: str, body: Any = None, *, headers: dict[str, str] | None = None) -> Any:
        return self.send("PATCH", path, {} if body is None else body, headers)

    def delete(self, path: str, body: Any = None, *, headers: dict[str, str] | None = None) -> Any:
        return self.send("DELETE", path, body, headers)

    def upload(
        self, path: str, fields: dict[str, Any], *, headers: dict[str, str] | None = None
    ) -> Any:
        """POST ``fields`` (open files among them) as multipart form data."""
        return self.client.post(path, fields, headers=self._headers(headers))
