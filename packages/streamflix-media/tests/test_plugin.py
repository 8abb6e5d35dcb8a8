from streamflix_core.testing.contract import assert_plugin_contract


def test_media_is_a_well_formed_plugin(db, settings):
    assert_plugin_contract("media", settings)


def _check_messages():
    from django.core import checks

    return {m.id: m.msg for m in checks.run_checks() if m.id and m.id.startswith("streamflix")}


def test_a_wrongly_typed_media_setting_fails_manage_py_check(settings):
    import pytest
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.STREAMFLIX_MEDIA = {"HLS_SEGMENT_SECONDS": "six"}
    with pytest.raises(SystemCheckError) as failure:
        call_command("check")
    report = str(failure.value)
    assert "streamflix.E010" in report
    assert "STREAMFLIX_MEDIA[\"HLS_SEGMENT_SECONDS\"]: expected int, got 'six' (str)" in report


def test_media_checks_stay_quiet_on_invalid_settings(settings):
    # The storage checks read the settings: they must not crash `check`, core names the key.
    settings.STREAMFLIX_MEDIA = {"OUTPUT_STORAGE": 5, "LADDER_HEIGHTS": "240"}
    messages = _check_messages()
    assert (
        "OUTPUT_STORAGE" in messages["streamflix.E010"] or "LADDER" in messages["streamflix.E010"]
    )
    assert "streamflix_media.E001" not in messages


def test_the_media_accessor_returns_validated_values(settings):
    from streamflix_media.conf import settings as media_settings

    settings.STREAMFLIX_MEDIA = {"HLS_SEGMENT_SECONDS": "4", "LADDER_HEIGHTS": [240, 480]}
    config = media_settings()
    assert config.HLS_SEGMENT_SECONDS == 4
    assert config.LADDER_HEIGHTS == (240, 480)


def test_queue_retry_shorter_than_a_transcode_fails_the_check(settings):
    settings.Q_CLUSTER = {"name": "t", "orm": "default", "retry": 600, "timeout": 60}
    settings.STREAMFLIX_MEDIA = {"TRANSCODE_TIMEOUT_SECONDS": 1800, "PUBLISH_MARGIN_SECONDS": 600}
    message = _check_messages()["streamflix.E011"]
    assert 'Q_CLUSTER["retry"] (600 s)' in message
    assert 'STREAMFLIX_MEDIA["TRANSCODE_TIMEOUT_SECONDS"]' in message
    assert 'STREAMFLIX_MEDIA["PUBLISH_MARGIN_SECONDS"]' in message
    assert "2400 s" in message
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "retry": 2430}
    assert "streamflix.E011" not in _check_messages()


def test_a_transcode_without_a_limit_against_the_cluster_timeout(settings):
    settings.Q_CLUSTER = {"name": "t", "redis": "redis://localhost", "timeout": 3600}
    settings.STREAMFLIX_MEDIA = {"TRANSCODE_TIMEOUT_SECONDS": 0}
    assert 'Q_CLUSTER["timeout"] (3600 s)' in _check_messages()["streamflix.E011"]
    settings.Q_CLUSTER = {"name": "t", "redis": "redis://localhost"}
    assert "streamflix.E011" not in _check_messages()


def test_a_transcode_without_a_limit_is_queued_without_a_timeout(db, settings, monkeypatch):
    import django_q.tasks
    from django.test import TestCase

    from streamflix_media.services import run_leases as runs

    settings.STREAMFLIX_MEDIA = {"TRANSCODE_TIMEOUT_SECONDS": 0}
    calls = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda *a, **kw: calls.append(kw))

    class Asset:
        pk = 5

    with TestCase.captureOnCommitCallbacks(execute=True):
        runs.asset_enqueue_transcode(asset=Asset())
    assert len(calls) == 1 and "timeout" not in calls[0]


def test_plain_urls_are_namespaced_under_the_default_prefix():
    from django.urls import reverse

    from streamflix_media.storage import hls_base_url

    assert reverse("media:video-sitemap") == "/stream/sitemap-video.xml"
    assert reverse("media:hls", kwargs={"path": "hls/1/v1/master.m3u8"}) == (
        "/stream/hls/hls/1/v1/master.m3u8"
    )
    assert hls_base_url() == "/stream/hls/"


def test_the_site_moves_the_plain_urls(settings):
    import importlib
    import uuid

    from django.test import Client
    from django.urls import clear_url_caches, reverse

    from streamflix_media.storage import hls_base_url

    settings.STREAMFLIX_URL_PREFIXES = {"media": "video/delivery/"}
    urls = importlib.import_module(settings.ROOT_URLCONF)
    try:
        importlib.reload(urls)
        clear_url_caches()
        session = uuid.uuid4()
        assert reverse("media:upload", args=[session]) == f"/video/delivery/uploads/{session}"
        assert hls_base_url() == "/video/delivery/hls/"
        assert Client().get("/stream/sitemap-video.xml").status_code == 404
    finally:
        del settings.STREAMFLIX_URL_PREFIXES
        importlib.reload(urls)
        clear_url_caches()
    assert hls_base_url() == "/stream/hls/"
