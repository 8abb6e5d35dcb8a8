"""The demo's environment switches, each read in a fresh process."""

import pytest

from .run_demo import manage, settings_value


def test_secret_key_is_required_when_debug_is_off(tmp_path):
    result = manage("check", env={"STREAMFLIX_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off" in result.stderr


def test_debug_is_off_unless_asked(tmp_path):
    env = {"DJANGO_SECRET_KEY": "x", "STREAMFLIX_DATA_DIR": str(tmp_path)}
    assert settings_value("settings.DEBUG", env) == "(False,)"
    assert settings_value("settings.DEBUG", {**env, "DJANGO_DEBUG": "1"}) == "(True,)"


def test_embedded_defaults(tmp_path):
    env = {"DJANGO_SECRET_KEY": "x", "STREAMFLIX_DATA_DIR": str(tmp_path)}
    expression = (
        "settings.DATABASES['default']['ENGINE'], settings.CACHES['default']['BACKEND'],"
        "settings.CHANNEL_LAYERS['default']['BACKEND'], settings.Q_CLUSTER.get('orm'),"
        "settings.STORAGES['default']['BACKEND'], settings.EMAIL_BACKEND"
    )
    out = settings_value(expression, env)
    for expected in (
        "sqlite3",
        "streamflix_core.cache.SQLiteCache",
        "InMemoryChannelLayer",
        "'default'",
        "FileSystemStorage",
        "console.EmailBackend",
    ):
        assert expected in out


def test_scale_switches(tmp_path):
    env = {
        "DJANGO_SECRET_KEY": "x",
        "STREAMFLIX_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/streamflix",
        "REDIS_URL": "redis://127.0.0.1:6379/3",
        "STREAMFLIX_S3_BUCKET": "videos",
        "STREAMFLIX_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "DJANGO_EMAIL_HOST": "smtp.example.com",
    }
    expression = (
        "settings.DATABASES['default']['ENGINE'], settings.CACHES['default']['BACKEND'],"
        "settings.CHANNEL_LAYERS['default']['BACKEND'], settings.Q_CLUSTER.get('redis'),"
        "settings.STORAGES['default'], settings.EMAIL_BACKEND"
    )
    out = settings_value(expression, env)
    for expected in (
        "django.db.backends.postgresql",
        "RedisCache",
        "RedisChannelLayer",
        "redis://127.0.0.1:6379/3",
        "storages.backends.s3.S3Storage",
        "'bucket_name': 'videos'",
        "smtp.EmailBackend",
    ):
        assert expected in out


def test_social_login_is_off_without_providers(tmp_path):
    env = {"DJANGO_SECRET_KEY": "x", "STREAMFLIX_DATA_DIR": str(tmp_path)}
    out = settings_value("'streamflix_core.social_login' in settings.INSTALLED_APPS", env)
    assert out == "(False,)"


def test_a_provider_in_the_environment_turns_social_login_on(tmp_path):
    pytest.importorskip("allauth")
    env = {
        "DJANGO_SECRET_KEY": "x",
        "STREAMFLIX_DATA_DIR": str(tmp_path),
        "SOCIAL_LOGIN_GOOGLE_CLIENT_ID": "google-client",
        "SOCIAL_LOGIN_GOOGLE_SECRET": "google-secret",
        "SOCIAL_LOGIN_REDIRECT_URLS": "https://app.example.com/auth/callback",
    }
    expression = (
        "'streamflix_core.social_login' in settings.INSTALLED_APPS, "
        "sorted(settings.SOCIALACCOUNT_PROVIDERS), "
        "settings.STREAMFLIX_CORE['SOCIAL_LOGIN_REDIRECT_URLS']"
    )
    out = settings_value(expression, env)
    assert out == "(True, ['google'], ('https://app.example.com/auth/callback',))"
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr
