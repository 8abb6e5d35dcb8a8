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


def test_signed_in_viewer_without_profiles_gets_the_top_of_the_scale(make_user, token_for):
    from streamflix_core.auth import jwt_auth

    user = make_user()
    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    assert jwt_auth(request) == user
    viewer = current_viewer(request)
    assert (viewer.profile, viewer.maturity_limit, viewer.is_authenticated) == (None, 18, True)
    assert current_viewer(request) is viewer


def test_kids_default_profile_sets_the_limit(make_user, make_profile, token_for):
    from streamflix_core.auth import jwt_auth

    user = make_user()
    kids = make_profile(user, name="Kids", is_kids=True, maturity_limit=int(Maturity.AGE_7))
    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    jwt_auth(request)
    assert (current_viewer(request).profile, current_viewer(request).maturity_limit) == (kids, 7)


def test_one_default_profile_per_user_is_enforced(make_user, make_profile):
    import pytest
    from django.db import IntegrityError, transaction

    user = make_user()
    make_profile(user, name="A", is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_profile(user, name="B", is_default=True)
