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
