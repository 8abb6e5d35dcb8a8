from streamflix_core.plugins.spec import AdminLink, AdminSection, PluginSpec

plugin = PluginSpec(
    name="media",
    distribution="streamflix-media",
    app_config="streamflix_media.apps.MediaConfig",
    router="streamflix_media.api.router:router",
    api_prefix="media/",
    settings="streamflix_media.conf:MediaSettings",
    requires=("core",),
    requires_core=">=0.1,<0.2",
    urlpatterns="streamflix_media.urls:urlpatterns",
    admin_section=AdminSection(
        title="Catalog",
        items=(
            AdminLink("Titles", "admin:streamflix_media_title_changelist", icon="movie"),
            AdminLink("Seasons", "admin:streamflix_media_season_changelist", icon="video_library"),
            AdminLink("Genres", "admin:streamflix_media_genre_changelist", icon="category"),
            AdminLink("People", "admin:streamflix_media_person_changelist", icon="groups"),
            AdminLink(
                "Videos", "admin:streamflix_media_videoasset_changelist", icon="smart_display"
            ),
        ),
    ),
    demo_seed="streamflix_media.demo:seed",
)
