from streamflix_core.testing.settings import *  # noqa: F403
from streamflix_core.testing.settings import compose

STREAMFLIX_PLUGINS = ["core"]
INSTALLED_APPS = compose(STREAMFLIX_PLUGINS)

# Social login (the `social-login` extra) when it is installed: one OpenID Connect provider,
# the test provider of tests/oidc_provider, which tests/test_social_login.py starts on this
# port (chosen here, as the settings must name it).
SOCIAL_LOGIN_TEST_PORT = None
try:
    import allauth  # noqa: F401
except ImportError:
    pass
else:
    from streamflix_core import social_login
    from streamflix_core.testing.net import free_port

    SOCIAL_LOGIN_TEST_PORT = free_port()
    social_login.enable(
        globals(),
        social_login.providers_from_env(
            {
                "SOCIAL_LOGIN_OIDC_PROVIDER_ID": "testid",
                "SOCIAL_LOGIN_OIDC_NAME": "Test ID",
                "SOCIAL_LOGIN_OIDC_CLIENT_ID": "streamflix-tests",
                "SOCIAL_LOGIN_OIDC_SECRET": "streamflix-tests-secret",
                "SOCIAL_LOGIN_OIDC_SERVER_URL": f"http://127.0.0.1:{SOCIAL_LOGIN_TEST_PORT}/o",
            }
        ),
    )
    STREAMFLIX_CORE = {"SOCIAL_LOGIN_REDIRECT_URLS": ("http://app.test/auth/callback",)}
