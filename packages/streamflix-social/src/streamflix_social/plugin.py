from streamflix_core.plugins.spec import PluginSpec

plugin = PluginSpec(
    name="social",
    distribution="streamflix-social",
    app_config="streamflix_social.apps.SocialConfig",
    router="streamflix_social.api.router:router",
    api_prefix="social/",
    websocket_urlpatterns="streamflix_social.routing:websocket_urlpatterns",
    settings="streamflix_social.conf:SocialSettings",
    requires=("core", "media"),
    requires_core=">=0.1,<0.2",
)
