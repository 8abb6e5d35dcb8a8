"""Comment writes: posting, editing and deleting one's own comments, reporting others',
and the moderators' hide / unhide / ban.

Authorship always comes from the viewer (the signed-in session's profile), never from input.
Each change sends its signal (:mod:`streamflix_social.signals`) once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone

from streamflix_core.errors import Conflict, InvalidInput, NotFound, NotPermitted

from ..conf import settings
from ..models import Comment, CommentBan, CommentReport
from ..selectors.comments import comments_in_view, title_for_viewer, viewer_profile
from ..signals import comment_edited, comment_posted, comment_removed
from .reviews import clean_text

# Positions past a day are not positions in any video.
MAX_POSITION_SECONDS = 24 * 3600


class BannedFromComments(NotPermitted):
    code = "banned_from_comments"


def _send_after_commit(signal: Signal, comment: Comment) -> None:
    payload = {
        "comment_id": comment.pk,
        "title_id": comment.title_id,
        "parent_id": comment.parent_id,
        "profile_id": comment.profile_id,
    }
    transaction.on_commit(lambda: signal.send_robust(sender=Comment, **payload))


def comment_ban_check(*, user: Any) -> None:
    """403 ``banned_from_comments`` while the account has a ban in force."""
    now = timezone.now()
    ban = CommentBan.objects.filter(user=user).filter(Q(until__isnull=True) | Q(until__gt=now))
    if ban.exists():
        raise BannedFromComments("This account may not post comments.")


def _thread_root(title: Any, parent_id: int | None) -> int | None:
    if parent_id is None:
        return None
    parent = (
        Comment.objects.filter(pk=parent_id, title=title, is_hidden=False)
        .only("id", "parent_id", "is_removed")
        .first()
    )
    if parent is None or parent.is_removed:
        raise InvalidInput(
            "The comment replied to does not exist on this title.",
            fields={"parent_id": ["No such comment on this title."]},
        )
    # threads are one level deep: a reply to a reply joins its root's thread
    return parent.parent_id if parent.parent_id is not None else parent.pk


def _position(position: float | None) -> float | None:
    if position is None:
        return None
    if not 0 <= position <= MAX_POSITION_SECONDS:
        raise InvalidInput(
            "The position is not a position in the video.",
            fields={"position": [f"Seconds from 0 to {MAX_POSITION_SECONDS}."]},
        )
    return float(position)


def comment_post(
    *,
    viewer: Any,
    slug: str,
    text: str,
    parent_id: int | None = None,
    position: float | None = None,
) -> Comment:
    """Post a comment as the viewer's profile on the title ``slug``, or a reply to
    ``parent_id``; a reply to a reply is attached to that reply's root (threads are one
    level deep). ``position`` pins the comment to a moment of the video (seconds).

    404 for a title the viewer may not see, 403 ``profile_required`` / ``banned_from_comments``,
    422 for an empty or too long text, an unknown parent or a position out of range."""
    profile = viewer_profile(viewer)
    title = title_for_viewer(viewer=viewer, slug=slug)
    comment_ban_check(user=viewer.user)
    text = clean_text(text, limit=settings().COMMENT_MAX_LENGTH)
    position = _position(position)
    root_id = _thread_root(title, parent_id)
    with transaction.atomic():
        comment = Comment.objects.create(
            title=title,
            profile=profile,
            parent_id=root_id,
            text=text,
            position=position,
        )
        _send_after_commit(comment_posted, comment)
    return comment


def _own_comment(viewer: Any, comment_id: int) -> Comment:
    profile = viewer_profile(viewer)
    comment = (
        comments_in_view(viewer)
        .filter(pk=comment_id, profile=profile, is_removed=False)
        .select_related("profile")
        .first()
    )
    if comment is None:
        raise NotFound("No such comment.", code="comment_not_found")
    return comment


def comment_edit(*, viewer: Any, comment_id: int, text: str) -> Comment:
    """Change the text of the viewer's own comment within ``COMMENT_EDIT_WINDOW_SECONDS`` of
    posting it (then 409 ``edit_window_closed``). 404 for anyone else's, a deleted or a
    hidden comment; 403 ``banned_from_comments``; 422 as for :func:`comment_post`."""
    comment = _own_comment(viewer, comment_id)
    comment_ban_check(user=viewer.user)
    text = clean_text(text, limit=settings().COMMENT_MAX_LENGTH)
    window = dt.timedelta(seconds=settings().COMMENT_EDIT_WINDOW_SECONDS)
    now = timezone.now()
    if now > comment.created_at + window:
        raise Conflict(
            "Comments can be edited only shortly after posting.", code="edit_window_closed"
        )
    with transaction.atomic():
        comment.text, comment.edited_at = text, now
        comment.save(update_fields=["text", "edited_at"])
        _send_after_commit(comment_edited, comment)
    return comment


def comment_remove(*, viewer: Any, comment_id: int) -> None:
    """Delete the viewer's own comment: its text goes, the row stays (shown as deleted) so
    its replies keep their thread. 404 for anyone else's or one already deleted."""
    comment = _own_comment(viewer, comment_id)
    with transaction.atomic():
        removed = Comment.objects.filter(pk=comment.pk, is_removed=False).update(
            is_removed=True, text=""
        )
        if removed:
            _send_after_commit(comment_removed, comment)


def comment_report(*, viewer: Any, comment_id: int, reason: str = "") -> bool:
    """Report another profile's comment to the moderators, once per profile: reporting again
    changes nothing (returns False). 404 for a comment the viewer cannot see, 403
    ``own_comment`` for one's own."""
    profile = viewer_profile(viewer)
    comment = comments_in_view(viewer).filter(pk=comment_id, is_removed=False).first()
    if comment is None:
        raise NotFound("No such comment.", code="comment_not_found")
    if comment.profile_id == profile.pk:
        raise NotPermitted("You cannot report your own comment.", code="own_comment")
    try:
        with transaction.atomic():
            _, created = CommentReport.objects.get_or_create(
                comment=comment, profile=profile, defaults={"reason": reason.strip()[:200]}
            )
            if created:
                Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    except IntegrityError:
        return False  # the same report, sent twice at once: one of them counted
    return created


def comments_hide(*, comment_ids: Iterable[int]) -> int:
    """Hide comments from every viewer (a moderator's action); sends ``comment_removed`` for
    each newly hidden one. Returns how many were hidden."""
    with transaction.atomic():
        hidden = list(
            Comment.objects.select_for_update().filter(pk__in=list(comment_ids), is_hidden=False)
        )
        Comment.objects.filter(pk__in=[c.pk for c in hidden]).update(is_hidden=True)
        for comment in hidden:
            _send_after_commit(comment_removed, comment)
    return len(hidden)


def comments_unhide(*, comment_ids: Iterable[int]) -> int:
    """Show hidden comments again. Returns how many were unhidden."""
    return Comment.objects.filter(pk__in=list(comment_ids), is_hidden=True).update(is_hidden=False)


def comment_authors_ban(
    *, comment_ids: Iterable[int], reason: str = "", until: dt.datetime | None = None
) -> int:
    """Ban the accounts that wrote these comments from commenting (until ``until``, or for
    good); an existing ban is replaced. Anonymised comments have no account to ban. Returns
    how many accounts are banned."""
    user_ids = set(
        Comment.objects.filter(pk__in=list(comment_ids), profile__isnull=False).values_list(
            "profile__user_id", flat=True
        )
    )
    with transaction.atomic():
        for user_id in user_ids:
            CommentBan.objects.update_or_create(
                user_id=user_id, defaults={"reason": reason, "until": until}
            )
    return len(user_ids)
