from streamflix_core.plugins.spec import PluginSpec

plugin = PluginSpec(
    name="media",
    distribution="streamflix-media",
    app_config="streamflix_media.apps.MediaConfig",
    router="streamflix_media.api.router:router",
    api_prefix="media/",
    settings="streamflix_media.conf:MediaSettings",
    requires=("core",),
    requires_core=">=0.1,<0.2",
)
