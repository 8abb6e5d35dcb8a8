from streamflix_core import __version__
from streamflix_core.plugins.spec import AdminLink, AdminSection, PluginSpec

plugin = PluginSpec(
    name="core",
    distribution="streamflix-core",
    app_config="streamflix_core.apps.CoreConfig",
    extra_apps=("ninja", "django_q", "ninja_jwt", "ninja_jwt.token_blacklist"),
    router="streamflix_core.api.router:router",
    api_prefix="",
    settings="streamflix_core.conf:CoreSettings",
    admin_section=AdminSection(
        title="Accounts and operations",
        items=(
            AdminLink("Users", "admin:streamflix_core_user_changelist", icon="person"),
            AdminLink("Profiles", "admin:streamflix_core_profile_changelist", icon="face"),
            AdminLink("Groups", "admin:auth_group_changelist", icon="group"),
            # Only when the site enabled social login (a link that does not resolve is left out).
            AdminLink(
                "Sign-in providers", "admin:socialaccount_socialapp_changelist", icon="login"
            ),
            AdminLink(
                "Linked sign-ins", "admin:socialaccount_socialaccount_changelist", icon="link"
            ),
            AdminLink("Scheduled tasks", "admin:django_q_schedule_changelist", icon="schedule"),
            AdminLink("Failed tasks", "admin:django_q_failure_changelist", icon="error"),
            AdminLink(
                "Refresh tokens",
                "admin:token_blacklist_outstandingtoken_changelist",
                icon="key",
            ),
        ),
    ),
    requires_core=f"=={__version__}",
    demo_seed="streamflix_core.demo:seed",
)
