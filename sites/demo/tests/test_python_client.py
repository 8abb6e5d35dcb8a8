"""A typed Python client generated from the demo's OpenAPI by openapi-python-client, used
against a real demo server: sign in, pick a profile, browse, open a title.

The client is generated into a temporary directory on every run (nothing generated is
committed), so a schema it cannot turn into a client fails here: fix the schema (operation
ids, schema names), never the generated code."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from streamflix_core.testing.net import ServerDidNotStart, free_port, stop, wait_until_answers

from .run_demo import manage

DEMO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PACKAGE = "streamflix_client"
VIEWER = ("viewer@streamflix.local", "streamflix-viewer")


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated client, importable as ``streamflix_client``."""
    from streamflix_core import plugins

    root = tmp_path_factory.mktemp("python-client")
    schema = root / "openapi.json"
    schema.write_text(json.dumps(plugins.api().get_openapi_schema(path_prefix="/api/")))
    config = root / "config.yml"
    config.write_text("post_hooks: []\n")  # no formatter run on generated code
    generated = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(root / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    # Schemas it cannot represent are skipped with a warning, not an error.
    assert "Warning" not in output and "Unable" not in output, output
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A seeded demo (a small catalog, no videos) under gunicorn, on SQLite in its own
    data directory (``manage`` leaves ``DATABASE_URL`` out)."""
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.process_settings",
        "DJANGO_SECRET_KEY": "streamflix-client-tests",
        "STREAMFLIX_DATA_DIR": str(tmp_path_factory.mktemp("client-site")),
        "STREAMFLIX_DEMO_TITLES": "40",
        "STREAMFLIX_DEMO_VIDEOS": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(DEMO), os.environ.get("PYTHONPATH", "")]),
    }
    for command in (("migrate", "--noinput"), ("demo_seed",)):
        done = manage(*command, env=env)
        assert done.returncode == 0, done.stderr
    port = free_port()
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "STREAMFLIX_", "DATABASE_URL", "REDIS_URL"))
    }
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "streamflix_demo.wsgi:application"],
        env={**inherited, **env},
        cwd=DEMO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_answers(f"{base}/api/health", server, timeout=90, name="gunicorn")
        except ServerDidNotStart as error:
            pytest.fail(f"{error}: {server.stderr.read() if server.poll() is not None else ''}")
        yield base
    finally:
        stop(server, timeout=20)


def test_the_generated_client_signs_in_picks_a_profile_and_browses(
    client_package: Any, demo_url: str
) -> None:
    sf = client_package
    from streamflix_client.api.core import (
        core_auth_login,
        core_profile_list,
        core_profile_switch,
    )
    from streamflix_client.api.media import (
        media_title_detail,
        media_title_list,
    )
    from streamflix_client.models import (
        ErrorOut,
        LoginIn,
        PagedProfileOut,
        PagedTitleCardOut,
        SwitchIn,
        TitleOut,
        TokensOut,
    )

    anonymous = sf.Client(base_url=demo_url, raise_on_unexpected_status=True)
    refused = core_auth_login.sync_detailed(
        client=anonymous, body=LoginIn(email=VIEWER[0], password="not-the-password")
    )
    assert refused.status_code == 401 and isinstance(refused.parsed, ErrorOut), refused
    assert refused.parsed.code == "invalid_credentials", refused.parsed

    tokens = core_auth_login.sync(client=anonymous, body=LoginIn(*VIEWER))
    assert isinstance(tokens, TokensOut) and tokens.access, tokens
    account = sf.AuthenticatedClient(base_url=demo_url, token=tokens.access)

    profiles = core_profile_list.sync(client=account)
    assert isinstance(profiles, PagedProfileOut)
    by_name = {profile.name: profile for profile in profiles.items}
    assert set(by_name) == {"Alex", "Kids"}, by_name
    kids = by_name["Kids"]
    assert kids.is_kids

    switched = core_profile_switch.sync(profile_id=kids.id, client=account, body=SwitchIn())
    assert isinstance(switched, TokensOut) and switched.profile_id == kids.id, switched
    watching = sf.AuthenticatedClient(base_url=demo_url, token=switched.access)

    everything = media_title_list.sync(client=account, page_size=100)
    page = media_title_list.sync(client=watching, page_size=100)
    assert isinstance(page, PagedTitleCardOut) and isinstance(everything, PagedTitleCardOut)
    # The kids profile sees only what its maturity limit allows, and fewer titles.
    assert page.items and all(card.maturity_rating <= kids.maturity_limit for card in page.items)
    assert page.count < everything.count == 40

    chosen = page.items[0]
    title = media_title_detail.sync(slug=chosen.slug, client=watching)
    assert isinstance(title, TitleOut), title
    assert (title.slug, title.name) == (chosen.slug, chosen.name)
    assert title.poster and "poster" in title.poster

    adult_only = next(c for c in everything.items if c.maturity_rating > kids.maturity_limit)
    hidden = media_title_detail.sync_detailed(slug=adult_only.slug, client=watching)
    assert hidden.status_code in (403, 404) and isinstance(hidden.parsed, ErrorOut), hidden
