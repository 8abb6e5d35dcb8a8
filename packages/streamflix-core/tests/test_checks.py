import pytest

from streamflix_core.checks import check_plugins

from .fake_plugins import GADGETS, WIDGETS, spec, use_plugins


def _errors():
    return {e.id: e.msg for e in check_plugins() if e.id != "streamflix.E007"}


@pytest.fixture
def select_all(settings):
    settings.STREAMFLIX_PLUGINS = None
    return settings


def test_a_clean_composition_has_no_errors(settings):
    assert check_plugins() == []


def test_unknown_plugin_name(settings):
    settings.STREAMFLIX_PLUGINS = ["core", "mdia"]
    errors = _errors()
    assert "streamflix.E002" in errors
    assert "'mdia'" in errors["streamflix.E002"]


def test_unknown_excluded_plugin_name(settings):
    settings.STREAMFLIX_EXCLUDE_PLUGINS = ["ghost"]
    assert "'ghost'" in _errors()["streamflix.E002"]


def test_missing_required_plugin(monkeypatch, select_all):
    use_plugins(monkeypatch, GADGETS)  # gadgets requires widgets, which is not installed
    message = _errors()["streamflix.E004"]
    assert "'gadgets' requires plugin 'widgets'" in message
    assert "not installed" in message


def test_required_plugin_excluded_by_the_site(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS, GADGETS)
    select_all.STREAMFLIX_EXCLUDE_PLUGINS = ["widgets"]
    assert "not selected" in _errors()["streamflix.E004"]


def test_incompatible_core_version(monkeypatch, select_all):
    use_plugins(monkeypatch, spec("old", requires_core=">=2.0"))
    message = _errors()["streamflix.E005"]
    assert "needs streamflix-core >=2.0, but 0.1.0 is installed" in message


def test_invalid_core_version_requirement(monkeypatch, select_all):
    use_plugins(monkeypatch, spec("odd", requires_core="about one"))
    assert "invalid core version requirement" in _errors()["streamflix.E005"]


def test_duplicate_api_prefix(monkeypatch, select_all):
    twin = spec("twin", router="tests.fake_plugins:gadgets", api_prefix="/widgets")
    use_plugins(monkeypatch, WIDGETS, twin)
    message = _errors()["streamflix.E006"]
    assert "'twin'" in message and "'widgets'" in message and "widgets/" in message


def test_unknown_settings_key(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS)
    select_all.STREAMFLIX_WIDGETS = {"COLOUR": "red", "COLOR": "red"}
    assert _errors()["streamflix.E008"] == "STREAMFLIX_WIDGETS has unknown key(s): COLOR."


def test_unknown_core_settings_key(settings):
    settings.STREAMFLIX_CORE = {"MAX_PAGE_SIZ": 10}
    assert "MAX_PAGE_SIZ" in _errors()["streamflix.E008"]


def test_invalid_default_playback_policy(settings):
    settings.STREAMFLIX_CORE = {"DEFAULT_PLAYBACK_POLICY": "everyone"}
    assert "everyone" in _errors()["streamflix.E009"]


def test_selected_plugin_missing_from_installed_apps(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS)
    ids = {e.id: e.msg for e in check_plugins()}
    assert "'widgets' is selected but" in ids["streamflix.E007"]


def test_core_must_be_selected(settings):
    settings.STREAMFLIX_PLUGINS = []
    assert "streamflix.E003" in _errors()


def test_broken_entry_point_is_reported(monkeypatch):
    from streamflix_core.plugin import plugin as core
    from streamflix_core.plugins import registry
    from streamflix_core.plugins.registry import DiscoveryProblem

    problem = DiscoveryProblem("broken.plugin:plugin", "ImportError: no module named broken")
    monkeypatch.setattr(registry, "_discover", lambda: ({"core": core}, (problem,)))
    message = _errors()["streamflix.E001"]
    assert "broken.plugin:plugin" in message


def test_checks_run_through_manage_py_check(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.STREAMFLIX_PLUGINS = ["core", "mdia"]
    with pytest.raises(SystemCheckError, match="unknown plugin 'mdia'"):
        call_command("check")


# Typed settings (E010) and the validated accessor.


def test_wrongly_typed_settings_key_names_key_and_type(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS)
    select_all.STREAMFLIX_WIDGETS = {"SIZE": "three"}
    assert _errors()["streamflix.E010"] == (
        "STREAMFLIX_WIDGETS[\"SIZE\"]: expected int, got 'three' (str)."
    )


def test_each_wrongly_typed_key_is_reported(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS)
    select_all.STREAMFLIX_WIDGETS = {"TAGS": ["a", 2], "LIMIT": "high", "COLOUR": 7}
    messages = [e.msg for e in check_plugins() if e.id == "streamflix.E010"]
    assert messages == [
        'STREAMFLIX_WIDGETS["COLOUR"]: expected str, got 7 (int).',
        "STREAMFLIX_WIDGETS[\"TAGS\"]: expected tuple[str, ...], got ['a', 2] (list).",
        "STREAMFLIX_WIDGETS[\"LIMIT\"]: expected float | None, got 'high' (str).",
    ]


def test_a_settings_value_that_is_not_a_dict(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS)
    select_all.STREAMFLIX_WIDGETS = ["SIZE", 3]
    assert _errors()["streamflix.E010"] == "STREAMFLIX_WIDGETS must be a dict, got list."


def test_wrongly_typed_core_key_fails_manage_py_check(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.STREAMFLIX_CORE = {"MAX_PAGE_SIZE": "lots"}
    with pytest.raises(SystemCheckError) as failure:
        call_command("check")
    assert "streamflix.E010" in str(failure.value)
    assert "STREAMFLIX_CORE[\"MAX_PAGE_SIZE\"]: expected int, got 'lots' (str)" in str(
        failure.value
    )


def test_the_accessor_returns_validated_values(monkeypatch, select_all):
    from streamflix_core.conf import plugin_settings

    use_plugins(monkeypatch, WIDGETS)
    select_all.STREAMFLIX_WIDGETS = {"SIZE": "4", "TAGS": ["new", "hot"], "LIMIT": 2}
    assert _errors() == {}
    config = plugin_settings(WIDGETS)
    assert (config.SIZE, config.TAGS, config.LIMIT) == (4, ("new", "hot"), 2.0)
    assert config.COLOUR == "blue"  # the default


def test_the_accessor_refuses_wrong_types_and_unknown_keys(monkeypatch, select_all):
    from streamflix_core.conf import InvalidPluginSettings, plugin_settings

    use_plugins(monkeypatch, WIDGETS)
    select_all.STREAMFLIX_WIDGETS = {"SIZE": 2.5}
    with pytest.raises(InvalidPluginSettings, match=r'STREAMFLIX_WIDGETS\["SIZE"\]: expected int'):
        plugin_settings(WIDGETS)
    select_all.STREAMFLIX_WIDGETS = {"SIZ": 2}
    with pytest.raises(InvalidPluginSettings, match="unknown key"):
        plugin_settings(WIDGETS)


def test_core_settings_accessor_validates(settings):
    from streamflix_core.conf import InvalidPluginSettings
    from streamflix_core.conf import settings as core_settings

    settings.STREAMFLIX_CORE = {"MAX_PAGE_SIZE": "50", "HEALTH_CHECK_READ_ONLY_DATABASES": ["r"]}
    assert core_settings().MAX_PAGE_SIZE == 50
    assert core_settings().HEALTH_CHECK_READ_ONLY_DATABASES == ("r",)
    settings.STREAMFLIX_CORE = {"AUTH_COOKIES": "maybe"}
    with pytest.raises(InvalidPluginSettings, match=r'\["AUTH_COOKIES"\]: expected bool'):
        core_settings()


def test_a_pydantic_model_may_declare_settings(monkeypatch, select_all):
    from streamflix_core.conf import plugin_settings

    gizmos = spec("gizmos", settings="tests.fake_plugins:GizmoSettings", requires=("core",))
    use_plugins(monkeypatch, gizmos)
    select_all.STREAMFLIX_GIZMOS = {"SPEED": "fast"}
    assert _errors()["streamflix.E010"] == (
        "STREAMFLIX_GIZMOS[\"SPEED\"]: expected int, got 'fast' (str)."
    )
    select_all.STREAMFLIX_GIZMOS = {"SPEED": 9}
    assert _errors() == {}
    assert plugin_settings(gizmos).SPEED == 9


def test_invalid_policy_type_is_reported_without_crashing(settings):
    settings.STREAMFLIX_CORE = {"DEFAULT_PLAYBACK_POLICY": 3}
    errors = _errors()
    assert "DEFAULT_PLAYBACK_POLICY" in errors["streamflix.E010"]
    assert "streamflix.E009" not in errors


# The task queue (E011).

ORM_CLUSTER = {"name": "t", "orm": "default", "retry": 60, "timeout": 30}


def test_retry_shorter_than_a_plugin_task_timeout(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS)
    select_all.Q_CLUSTER = ORM_CLUSTER
    select_all.STREAMFLIX_WIDGETS = {"TIDY_TIMEOUT_SECONDS": 100}
    message = _errors()["streamflix.E011"]
    assert 'Q_CLUSTER["retry"] (60 s)' in message
    assert 'STREAMFLIX_WIDGETS["TIDY_TIMEOUT_SECONDS"]' in message
    assert "re-delivers it while it still runs" in message


def test_retry_above_the_task_timeout_passes(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS)
    select_all.Q_CLUSTER = {**ORM_CLUSTER, "retry": 130}
    select_all.STREAMFLIX_WIDGETS = {"TIDY_TIMEOUT_SECONDS": 100}
    assert "streamflix.E011" not in _errors()
    # the plugin's own timeout wins over the cluster's shorter one: no kill
    select_all.Q_CLUSTER = {**ORM_CLUSTER, "retry": 129}
    assert "streamflix.E011" in _errors()


@pytest.mark.parametrize(
    "cluster",
    [
        {"name": "t", "redis": "redis://localhost", "retry": 60},  # never re-delivers
        {"name": "t", "retry": 60},  # django-q2's default broker is Redis
        {**ORM_CLUSTER, "sync": True},  # inline: no broker, no guard
    ],
)
def test_brokers_that_do_not_redeliver(monkeypatch, select_all, cluster):
    use_plugins(monkeypatch, WIDGETS)
    select_all.Q_CLUSTER = cluster
    select_all.STREAMFLIX_WIDGETS = {"TIDY_TIMEOUT_SECONDS": 1000}
    assert "streamflix.E011" not in _errors()


def test_a_task_without_a_limit_against_the_cluster_timeout(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS)
    select_all.STREAMFLIX_WIDGETS = {"TIDY_TIMEOUT_SECONDS": None}
    select_all.Q_CLUSTER = {"name": "t", "redis": "redis://localhost", "timeout": 30}
    messages = [e.msg for e in check_plugins() if e.id == "streamflix.E011"]
    assert len(messages) == 1
    assert 'Q_CLUSTER["timeout"] (30 s) kills it' in messages[0]
    assert 'STREAMFLIX_WIDGETS["TIDY_TIMEOUT_SECONDS"]' in messages[0]
    select_all.Q_CLUSTER = {"name": "t", "orm": "default", "retry": 10_000}
    messages = [e.msg for e in check_plugins() if e.id == "streamflix.E011"]
    assert len(messages) == 1 and 'after Q_CLUSTER["retry"] (10000 s)' in messages[0]


def test_a_task_on_its_own_cluster_is_checked_against_that_cluster(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS)
    select_all.STREAMFLIX_WIDGETS = {"TIDY_TIMEOUT_SECONDS": 100, "TIDY_CLUSTER": "tidy"}
    select_all.Q_CLUSTER = {**ORM_CLUSTER, "ALT_CLUSTERS": {"tidy": {"retry": 130}}}
    assert "streamflix.E011" not in _errors()
    # the default cluster's retry would do, but the tidy cluster's worker reads its own
    select_all.Q_CLUSTER = {**ORM_CLUSTER, "retry": 500, "ALT_CLUSTERS": {"tidy": {"retry": 60}}}
    message = _errors()["streamflix.E011"]
    assert 'Q_CLUSTER["ALT_CLUSTERS"]["tidy"]["retry"] (60 s)' in message
    # a cluster without keys of its own is the default one under another name
    select_all.Q_CLUSTER = {**ORM_CLUSTER, "retry": 500, "ALT_CLUSTERS": {}}
    assert "streamflix.E011" not in _errors()
    # naming the default cluster is the default cluster
    select_all.STREAMFLIX_WIDGETS = {"TIDY_TIMEOUT_SECONDS": 100, "TIDY_CLUSTER": "t"}
    select_all.Q_CLUSTER = {**ORM_CLUSTER, "retry": 130}
    assert _errors() == {}


def test_a_task_on_a_named_cluster_needs_alt_clusters(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS)
    select_all.STREAMFLIX_WIDGETS = {"TIDY_CLUSTER": "tidy"}
    select_all.Q_CLUSTER = {**ORM_CLUSTER, "retry": 500}
    message = _errors()["streamflix.E013"]
    assert "'tidy'" in message and '"ALT_CLUSTERS"' in message


def test_task_check_skips_invalid_settings(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS)
    select_all.Q_CLUSTER = ORM_CLUSTER
    select_all.STREAMFLIX_WIDGETS = {"TIDY_TIMEOUT_SECONDS": "long"}
    errors = _errors()
    assert "streamflix.E010" in errors and "streamflix.E011" not in errors


# URL prefixes and namespaces (E012, W001).


def test_duplicate_url_prefix(monkeypatch, select_all):
    twin = spec(
        "twin",
        urlpatterns="tests.fake_plugins:widget_urlpatterns",
        url_prefix="/widgets/",
        requires=("core",),
    )
    use_plugins(monkeypatch, WIDGETS, twin)
    message = _errors()["streamflix.E012"]
    assert "'twin'" in message and "'widgets'" in message and "'/widgets/'" in message
    select_all.STREAMFLIX_URL_PREFIXES = {"twin": "gizmos"}
    assert "streamflix.E012" not in _errors()


def test_url_prefix_setting_names_unknown_plugin(select_all):
    select_all.STREAMFLIX_URL_PREFIXES = {"medai": "stream/"}
    assert "'medai'" in _errors()["streamflix.E002"]


def test_url_prefix_setting_must_hold_strings(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS)
    select_all.STREAMFLIX_URL_PREFIXES = {"widgets": 3}
    assert "STREAMFLIX_URL_PREFIXES['widgets']: expected str" in _errors()["streamflix.E012"]
    select_all.STREAMFLIX_URL_PREFIXES = ["widgets"]
    assert "must be a dict" in _errors()["streamflix.E012"]


@pytest.mark.parametrize(
    ("prefix", "warned"),
    [("media/widgets/", "MEDIA_URL"), ("static/", "STATIC_URL"), ("widgets/", None)],
)
def test_url_prefix_under_media_or_static_url(monkeypatch, select_all, prefix, warned):
    use_plugins(monkeypatch, WIDGETS)
    select_all.MEDIA_URL = "/media/"
    select_all.STATIC_URL = "/static/"
    select_all.STREAMFLIX_URL_PREFIXES = {"widgets": prefix}
    warnings = [m.msg for m in check_plugins() if m.id == "streamflix.W001"]
    if warned:
        assert len(warnings) == 1 and f"under {warned}" in warnings[0]
    else:
        assert warnings == []


def test_media_url_on_another_host_does_not_shadow(monkeypatch, select_all):
    use_plugins(monkeypatch, WIDGETS)
    select_all.MEDIA_URL = "https://cdn.example.com/widgets/"
    assert not [m for m in check_plugins() if m.id == "streamflix.W001"]
