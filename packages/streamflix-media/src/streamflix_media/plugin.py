from streamflix_core.plugins.spec import AdminLink, AdminSection, PluginSpec, Schedule

plugin = PluginSpec(
    name="media",
    distribution="streamflix-media",
    app_config="streamflix_media.apps.MediaConfig",
    router="streamflix_media.api.router:router",
    api_prefix="media/",
    settings="streamflix_media.conf:MediaSettings",
    hooks="streamflix_media.hooks",
    requires=("core",),
    requires_core=">=0.1,<0.2",
    # HLS delivery, direct uploads and the video sitemap; outside the conventional MEDIA_URL
    # ("/media/"), which a site's web server or CDN may serve from MEDIA_ROOT.
    urlpatterns="streamflix_media.urls:urlpatterns",
    url_prefix="stream/",
    task_timeouts="streamflix_media.conf:task_timeouts",
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
            AdminLink(
                "Playback sessions",
                "admin:streamflix_media_playbacksession_changelist",
                icon="live_tv",
            ),
        ),
    ),
    schedules=(
        # Runs whose worker died (lease expired) are queued again; a worker that starts
        # does the same at once.
        Schedule(
            name="media-recover-transcodes",
            func="streamflix_media.tasks.recover_transcodes",
            schedule_type="I",
            minutes=1,
        ),
        # Sessions whose player went away without stopping them (tab closed, crash).
        Schedule(
            name="media-expire-sessions",
            func="streamflix_media.tasks.expire_sessions",
            schedule_type="I",
            minutes=5,
        ),
        # Resumable uploads abandoned past their expiry: S3 multipart uploads aborted (their
        # parts cost storage until then), local partial files deleted.
        Schedule(
            name="media-expire-uploads",
            func="streamflix_media.tasks.expire_uploads",
            schedule_type="I",
            minutes=30,
        ),
    ),
    demo_seed="streamflix_media.demo:seed",
)
