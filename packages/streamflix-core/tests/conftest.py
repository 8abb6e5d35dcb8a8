from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from streamflix_core.testing.api_client import JsonApi


def pytest_ignore_collect(collection_path: Any, config: Any) -> bool | None:
    # The custom-user project runs in its own pytest invocation (its own settings).
    custom = settings.AUTH_USER_MODEL != "streamflix_core.User"
    if "custom_user" in collection_path.parts and not custom:
        return True
    return None


class Api(JsonApi):
    """Core's JSON client: a write also runs the on-commit callbacks it queued (account
    emails), since the test transaction never commits."""

    def __init__(self, client: Client | None = None, token: str | None = None) -> None:
        super().__init__(client, token=token, run_on_commit=True)


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
