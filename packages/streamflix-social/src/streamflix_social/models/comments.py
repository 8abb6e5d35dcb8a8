"""Comments on a title, threaded one level deep, optionally pinned to a playback position;
reports from viewers and account bans set by moderators.

Deleting a title deletes its comments. Deleting a profile (or the account) keeps its
comments with ``profile`` set to null — shown as "deleted account" — so the replies under
them stay readable. An author's own delete is soft (``is_removed``, text emptied); a
moderator hides a comment (``is_hidden``) without touching it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from streamflix_core.models import Profile
from streamflix_media.models import Title


class Comment(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="social_comments")
    profile = models.ForeignKey(
        Profile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="social_comments",
    )
    # Always a root comment (``parent.parent`` is null): threads are one level deep.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    text = models.TextField(blank=True)
    position = models.FloatField(
        null=True, blank=True, help_text="Seconds into the video the comment is about."
    )
    is_removed = models.BooleanField(default=False, help_text="Deleted by its author.")
    is_hidden = models.BooleanField(default=False, help_text="Hidden by a moderator.")
    report_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["title", "parent", "-created_at", "-id"]),
            models.Index(fields=["title", "position"]),
            models.Index(fields=["-report_count", "is_hidden"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} on {self.title_id}"


class CommentReport(models.Model):
    """A viewer reported a comment (once per profile). The report outlives the reporter's
    profile (``profile`` becomes null), so the comment's count stays true."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    profile = models.ForeignKey(
        Profile, on_delete=models.SET_NULL, null=True, related_name="social_comment_reports"
    )
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "profile"], name="streamflix_social_report_once"
            )
        ]

    def __str__(self) -> str:
        return f"Report of comment #{self.comment_id}"


class CommentBan(models.Model):
    """An account may not post or edit comments until ``until`` (forever when null)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_comment_ban"
    )
    reason = models.CharField(max_length=255, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Ban of {self.user}"
