from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, TestCase


def pytest_ignore_collect(collection_path: Any, config: Any) -> bool | None:
    # The custom-user project runs in its own pytest invocation (its own settings).
    custom = settings.AUTH_USER_MODEL != "streamflix_core.User"
    if "custom_user" in collection_path.parts and not custom:
        return True
    return None


class Api:
    """A JSON client for the composed site's API."""

    def __init__(self, client: Client | None = None, token: str | None = None) -> None:
        self.client = client or Client()
        self.token = token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = dict(headers or {})
        if self.token:
            out.setdefault("Authorization", f"Bearer {self.token}")
        return out

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        return self.client.get(path, params, headers=self._headers(headers))

    def send(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        call = getattr(self.client, method.lower())
        data = json.dumps(body) if body is not None else ""
        # The test transaction never commits; run on-commit work (emails) as a real
        # request's commit would.
        with TestCase.captureOnCommitCallbacks(execute=True):
            return call(path, data, content_type="application/json", headers=self._headers(headers))

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.send("POST", path, body if body is not None else {}, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.send("PATCH", path, body if body is not None else {}, **kw)

    def delete(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.send("DELETE", path, body, **kw)


@pytest.fixture
def api() -> Api:
    return Api()


@pytest.fixture
def signed_in(token_for: Any) -> Any:
    """``signed_in(user, profile=None)`` is an :class:`Api` with the user's bearer token."""

    def make(user: Any, profile: Any = None) -> Api:
        return Api(token=token_for(user, profile))

    return make


def link_parts(message: Any) -> tuple[str, str]:
    """The ``uid`` and ``token`` of the link in an account email."""
    found = re.search(r"uid=([\w-]+)&token=([\w-]+)", message.body)
    assert found, message.body
    return found.group(1), found.group(2)


def last_mail_to(address: str) -> Any:
    sent = [m for m in mail.outbox if address in m.to]
    assert sent, f"no mail to {address}"
    return sent[-1]


STRONG = "A-very-long-passphrase-42"
