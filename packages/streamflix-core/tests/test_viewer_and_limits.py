from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from streamflix_core import hooks
from streamflix_core.maturity import Maturity
from streamflix_core.viewer import current_viewer


def test_anonymous_viewer_gets_the_configured_limit(settings):
    settings.STREAMFLIX_CORE = {"ANONYMOUS_MATURITY_LIMIT": int(Maturity.AGE_13)}
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    viewer = current_viewer(request)
    assert (viewer.is_authenticated, viewer.profile, viewer.maturity_limit) == (False, None, 13)


def test_max_profiles_is_the_lowest_answer_or_the_setting(settings, temporary_hook):
    settings.STREAMFLIX_CORE = {"MAX_PROFILES": 5}
    user = SimpleNamespace(pk=1)
    assert hooks.max_profiles(user) == 5
    with temporary_hook(hooks.profile_limit, lambda u: None, lambda u: 2, lambda u: 4):
        assert hooks.max_profiles(user) == 2
