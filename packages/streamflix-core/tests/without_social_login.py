"""Run core's tests as on a site without the ``social-login`` extra: allauth (and the test
provider's django-oauth-toolkit) cannot be imported, so the social-login tests skip and every
other test must pass. ``python tests/without_social_login.py [pytest args]``."""

import sys

if __name__ == "__main__":
    for name in ("allauth", "oauth2_provider"):
        sys.modules[name] = None  # type: ignore[assignment]  # an import of it now fails
    import pytest

    sys.exit(pytest.main(sys.argv[1:]))
