"""The production layout: the documented environment passes ``check --deploy``, HTTPS
defaults, CORS, the ``.env`` file, gunicorn's worker timeout and the list of variables."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from .run_demo import manage, settings_value

DEMO = Path(__file__).resolve().parents[1]
ROOT = DEMO.parents[1]
SOURCES = [DEMO / "src" / "streamflix_demo" / name for name in ("settings.py", "env.py")]


def documented_production_env() -> dict[str, str]:
    text = (ROOT / "docs" / "operations.md").read_text()
    block = re.search(
        r"<!-- production-env:start -->\s*```ini\n(.*?)```\s*<!-- production-env:end -->",
        text,
        re.S,
    )
    assert block, "docs/operations.md lost its production environment block"
    pairs = [line.split("=", 1) for line in block.group(1).splitlines() if line.strip()]
    return dict(pairs)


def test_documented_production_environment_passes_the_deploy_check(tmp_path):
    env = {**documented_production_env(), "STREAMFLIX_DATA_DIR": str(tmp_path)}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_an_insecure_production_environment_fails_the_deploy_check(tmp_path):
    env = {
        "DJANGO_SECRET_KEY": "short",
        "DJANGO_ALLOWED_HOSTS": "streamflix.example.com",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "STREAMFLIX_DATA_DIR": str(tmp_path),
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for check_id in (
        "security.W004",  # no HSTS
        "security.W008",  # no SSL redirect
        "security.W009",  # weak secret key
        "security.W012",  # session cookie not Secure
        "security.W016",  # CSRF cookie not Secure
        "streamflix_billing.W001",  # development gateway with debug off
    ):
        assert check_id in output


def test_https_is_the_default_for_a_public_host_with_debug_off(tmp_path):
    base = {"DJANGO_SECRET_KEY": "x", "STREAMFLIX_DATA_DIR": str(tmp_path)}
    expression = (
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, "
        "settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SESSION_COOKIE_SECURE, "
        "settings.CSRF_COOKIE_SECURE, settings.SECURE_PROXY_SSL_HEADER"
    )
    public = {**base, "DJANGO_ALLOWED_HOSTS": "streamflix.example.com"}
    assert settings_value(expression, public) == "(True, 31536000, True, True, True, None)"
    # A loopback-only site (make demo, tests, benchmarks) has no certificate to redirect to.
    assert settings_value(expression, base) == "(False, 0, False, False, False, None)"
    debug = {**public, "DJANGO_DEBUG": "1"}
    assert settings_value(expression, debug) == "(False, 0, False, False, False, None)"
    proxied = {**public, "DJANGO_SECURE_PROXY_SSL_HEADER": "1", "DJANGO_SECURE_HSTS_SECONDS": "60"}
    assert settings_value(expression, proxied) == (
        "(True, 60, True, True, True, ('HTTP_X_FORWARDED_PROTO', 'https'))"
    )


def test_cors_origins_come_from_the_environment(tmp_path):
    env = {
        "DJANGO_SECRET_KEY": "x",
        "STREAMFLIX_DATA_DIR": str(tmp_path),
        "DJANGO_CORS_ALLOWED_ORIGINS": "https://app.example.com, https://tv.example.com",
    }
    assert settings_value("settings.CORS_ALLOWED_ORIGINS", env) == (
        "(['https://app.example.com', 'https://tv.example.com'],)"
    )


def preflight(origin: str):
    return Client().options(
        "/api/auth/login",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, authorization",
    )


def test_api_preflight_from_a_listed_origin_is_allowed(db, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    response = preflight("https://app.example.com")
    assert response.status_code == 200
    assert response["access-control-allow-origin"] == "https://app.example.com"
    assert "POST" in response["access-control-allow-methods"]
    allowed_headers = response["access-control-allow-headers"]
    assert "authorization" in allowed_headers and "content-type" in allowed_headers


def test_api_preflight_from_an_unlisted_origin_gets_no_allow_headers(db, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    response = preflight("https://evil.example.com")
    assert "access-control-allow-origin" not in response
    assert "access-control-allow-methods" not in response


def test_env_file_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / "site.env"
    env_file.write_text(
        "STREAMFLIX_ACCESS_TOKEN_MINUTES=42\nDJANGO_CORS_ALLOWED_ORIGINS=https://file.example.com\n"
    )
    env = {
        "DJANGO_SECRET_KEY": "x",
        "STREAMFLIX_DATA_DIR": str(tmp_path),
        "STREAMFLIX_ENV_FILE": str(env_file),
        "DJANGO_CORS_ALLOWED_ORIGINS": "https://env.example.com",
    }
    expression = (
        "settings.NINJA_JWT['ACCESS_TOKEN_LIFETIME'].seconds, settings.CORS_ALLOWED_ORIGINS"
    )
    assert settings_value(expression, env) == "(2520, ['https://env.example.com'])"


def test_env_file_defaults_to_dot_env_in_the_working_directory(monkeypatch, tmp_path):
    from streamflix_demo import env

    monkeypatch.delenv("STREAMFLIX_ENV_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("STREAMFLIX_NUM_PROXIES=1\n")
    assert env.env_file() == tmp_path / ".env"


def test_env_file_of_an_installed_site_without_dot_env_is_the_working_directorys(
    monkeypatch, tmp_path
):
    from streamflix_demo import env

    monkeypatch.delenv("STREAMFLIX_ENV_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(env, "SITE_DIR", tmp_path / "site-packages")
    assert env.env_file() == tmp_path / ".env"


def test_env_file_in_a_checkout_falls_back_to_the_one_beside_manage_py(monkeypatch, tmp_path):
    from streamflix_demo import env

    monkeypatch.delenv("STREAMFLIX_ENV_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(env, "SITE_DIR", DEMO)
    assert env.env_file() == DEMO / ".env"


def test_gunicorn_and_core_share_the_worker_timeout(tmp_path):
    code = "from streamflix_demo import gunicorn_conf as c; print(c.timeout, c.wsgi_app)"
    env = {"STREAMFLIX_HTTP_WORKER_TIMEOUT": "45", "PATH": "/usr/bin:/bin"}
    conf = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert conf.stdout.split() == ["45", "streamflix_demo.wsgi:application"]
    site = {"DJANGO_SECRET_KEY": "x", "STREAMFLIX_DATA_DIR": str(tmp_path), **env}
    value = "settings.STREAMFLIX_CORE['HTTP_WORKER_TIMEOUT_SECONDS']"
    assert settings_value(value, site) == "(45,)"


def test_a_worker_timeout_too_short_for_stripe_fails_the_system_check(tmp_path):
    env = {
        "DJANGO_SECRET_KEY": "x",
        "STREAMFLIX_DATA_DIR": str(tmp_path),
        "STREAMFLIX_HTTP_WORKER_TIMEOUT": "20",
    }
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "streamflix_billing.E001" in result.stderr


@pytest.fixture(scope="module")
def read_variables() -> set[str]:
    pattern = re.compile(r"""(?:text|flag|items)\(\s*["']([A-Z][A-Z0-9_]+)["']""")
    found = set()
    for source in SOURCES:
        found |= set(pattern.findall(source.read_text()))
    return found


def listed_in_env_example() -> set[str]:
    text = (DEMO / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.M))


def test_env_example_lists_every_variable_the_site_reads(read_variables):
    assert read_variables, "no variables found: the pattern no longer matches env.py"
    assert read_variables - listed_in_env_example() == set()


def test_every_env_example_variable_is_documented():
    readme = (ROOT / "README.md").read_text()
    settings_doc = (ROOT / "docs" / "settings.md").read_text()
    for name in sorted(listed_in_env_example()):
        assert f"`{name}`" in settings_doc, f"{name} missing from docs/settings.md"
        assert name in readme, f"{name} missing from README's configuration table"


def test_the_room_size_of_live_comments_comes_from_the_environment(tmp_path):
    env = {
        "DJANGO_SECRET_KEY": "x",
        "STREAMFLIX_DATA_DIR": str(tmp_path),
        "STREAMFLIX_WS_ROOM_MAX_CLIENTS": "1200",
    }
    expression = "settings.STREAMFLIX_SOCIAL['WS_ROOM_MAX_CLIENTS']"
    assert settings_value(expression, env) == "(1200,)"
