from streamflix_core.plugins.spec import AdminLink, AdminSection, PluginSpec, Schedule

plugin = PluginSpec(
    name="social",
    distribution="streamflix-social",
    app_config="streamflix_social.apps.SocialConfig",
    router="streamflix_social.api.router:router",
    api_prefix="social/",
    websocket_urlpatterns="streamflix_social.routing:websocket_urlpatterns",
    settings="streamflix_social.conf:SocialSettings",
    hooks="streamflix_social.hooks",
    demo_seed="streamflix_social.demo:seed",
    admin_section=AdminSection(
        title="Community",
        items=(
            AdminLink("Comments", "admin:streamflix_social_comment_changelist", icon="forum"),
            AdminLink(
                "Comment bans", "admin:streamflix_social_commentban_changelist", icon="block"
            ),
            AdminLink("Reviews", "admin:streamflix_social_review_changelist", icon="reviews"),
            AdminLink("Ratings", "admin:streamflix_social_rating_changelist", icon="star"),
            AdminLink("Likes", "admin:streamflix_social_like_changelist", icon="favorite"),
            AdminLink("My List", "admin:streamflix_social_listitem_changelist", icon="bookmark"),
            AdminLink(
                "Discovery curation",
                "admin:streamflix_social_rowcuration_changelist",
                icon="push_pin",
            ),
            AdminLink(
                "Recommendation refreshes",
                "admin:streamflix_social_refreshrun_changelist",
                icon="update",
            ),
            AdminLink(
                "Notifications",
                "admin:streamflix_social_notification_changelist",
                icon="notifications",
            ),
        ),
    ),
    schedules=(
        Schedule(
            name="social-notification-digests",
            func="streamflix_social.tasks.send_notification_digests",
            schedule_type="H",
        ),
        Schedule(
            name="social-recommendations-incremental",
            func="streamflix_social.tasks.refresh_recommendations",
            schedule_type="H",
            kwargs={"full": False},
        ),
        Schedule(
            name="social-recommendations-full",
            func="streamflix_social.tasks.refresh_recommendations",
            schedule_type="D",
            kwargs={"full": True},
        ),
    ),
    requires=("core", "media"),
    requires_core=">=0.1,<0.2",
)
