"""The moderators' admin: the reported queue, hide / unhide, banning authors, reviews."""

from __future__ import annotations

import pytest
from django.urls import reverse

from streamflix_social import signals
from streamflix_social.models import Comment, CommentBan, CommentReport, Review

CHANGELIST = "admin:streamflix_social_comment_changelist"


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.fixture
def title(make_title):
    return make_title("Night Train")


@pytest.fixture
def comments(title, make_user, make_profile):
    spammer = make_profile(make_user(email="spam@example.com"), name="Spammer")
    reader = make_profile(make_user(email="reader@example.com"), name="Reader")
    reported = Comment.objects.create(title=title, profile=spammer, text="buy pills")
    CommentReport.objects.create(comment=reported, profile=reader, reason="spam")
    Comment.objects.filter(pk=reported.pk).update(report_count=1)
    quiet = Comment.objects.create(title=title, profile=reader, text="nice film")
    hidden = Comment.objects.create(title=title, profile=spammer, text="old", is_hidden=True)
    return {"reported": reported, "quiet": quiet, "hidden": hidden, "spammer": spammer}


def _listed(response):
    return set(response.context["cl"].result_list.values_list("id", flat=True))


def test_changelist_filters_and_pages(admin_client, comments):
    url = reverse(CHANGELIST)
    assert admin_client.get(url).status_code == 200
    reported = admin_client.get(url, {"moderation": "reported"})
    assert _listed(reported) == {comments["reported"].pk}
    hidden = admin_client.get(url, {"moderation": "hidden"})
    assert _listed(hidden) == {comments["hidden"].pk}
    assert admin_client.get(url, {"q": "pills"}).status_code == 200
    change = reverse("admin:streamflix_social_comment_change", args=[comments["reported"].pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and b"spam" in page.content


def test_hide_and_unhide_selected(admin_client, comments, django_capture_on_commit_callbacks):
    url = reverse(CHANGELIST)
    removed = []

    def receiver(**kwargs):
        removed.append(kwargs["comment_id"])

    signals.comment_removed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                url,
                {"action": "hide_selected", "_selected_action": [comments["reported"].pk]},
                follow=True,
            )
    finally:
        signals.comment_removed.disconnect(receiver)
    assert response.status_code == 200
    assert Comment.objects.get(pk=comments["reported"].pk).is_hidden
    assert removed == [comments["reported"].pk]

    admin_client.post(
        url,
        {
            "action": "unhide_selected",
            "_selected_action": [comments["reported"].pk, comments["hidden"].pk],
        },
    )
    assert not Comment.objects.filter(is_hidden=True).exists()


def test_ban_authors_of_selected_comments(admin_client, comments, title):
    from streamflix_core.testing.api_client import JsonApi, bearer_token

    response = admin_client.post(
        reverse(CHANGELIST),
        {
            "action": "ban_authors",
            "_selected_action": [comments["reported"].pk, comments["hidden"].pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    ban = CommentBan.objects.get()
    assert ban.user == comments["spammer"].user and ban.until is None

    spammer = JsonApi(token=bearer_token(ban.user, comments["spammer"]))
    refused = spammer.post(f"/api/social/titles/{title.slug}/comments", {"text": "again"})
    assert refused.status_code == 403 and refused.json()["code"] == "banned_from_comments"

    bans = reverse("admin:streamflix_social_commentban_changelist")
    assert admin_client.get(bans).status_code == 200


def test_comment_admin_needs_staff(client, make_user, comments):
    url = reverse(CHANGELIST)
    assert client.get(url).status_code == 302
    client.force_login(make_user(email="plain@example.com"))
    assert client.get(url).status_code == 302


def test_review_admin_lists_and_deletes(admin_client, title, make_user, make_profile):
    profile = make_profile(make_user(), name="Critic")
    review = Review.objects.create(title=title, profile=profile, text="Fine.", rating=3)
    url = reverse("admin:streamflix_social_review_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"rating": 3}).status_code == 200
    change = reverse("admin:streamflix_social_review_change", args=[review.pk])
    assert admin_client.get(change).status_code == 200
    delete = reverse("admin:streamflix_social_review_delete", args=[review.pk])
    admin_client.post(delete, {"post": "yes"})
    assert not Review.objects.exists()
