"""Reads for opening a live socket: who the socket's identity watches as, and whether they
may join a title's room."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from streamflix_core.conf import settings as core_settings
from streamflix_core.maturity import Maturity
from streamflix_core.selectors import viewer_profile
from streamflix_media.models import Title


@dataclass(frozen=True)
class LiveViewer:
    """A socket's viewer: the user id, the profile (``None`` when none is chosen yet) and
    the maturity limit that applies, as :func:`streamflix_core.viewer.current_viewer`
    decides it for a request."""

    user_id: Any
    profile_id: int | None
    maturity_limit: int


def live_viewer(*, user_id: Any, profile_id: int | None) -> LiveViewer | None:
    """The viewer of a token's or ticket's identity; ``None`` when the account is gone or
    inactive, or the profile is not the user's."""
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    profile = viewer_profile(user=user, profile_id=profile_id)
    if profile is None:
        if profile_id is not None:
            return None
        # A user without any profile gets the top of the scale.
        return LiveViewer(user_id=user.pk, profile_id=None, maturity_limit=int(Maturity.AGE_18))
    if profile_id is None and profile.pin_hash:
        # As for a request: only the PIN opens that profile.
        limit = core_settings().ANONYMOUS_MATURITY_LIMIT
        return LiveViewer(user_id=user.pk, profile_id=None, maturity_limit=limit)
    return LiveViewer(
        user_id=user.pk, profile_id=profile.pk, maturity_limit=int(profile.maturity_limit)
    )


def live_title(*, slug: str, viewer: LiveViewer) -> tuple[int | None, bool]:
    """``(title id, allowed)`` of a published title; ``(None, False)`` when unknown or not
    published; ``allowed`` is false above the viewer's maturity limit."""
    row = (
        Title.objects.filter(slug=slug, status=Title.Status.PUBLISHED)
        .values_list("pk", "maturity_rating")
        .first()
    )
    if row is None:
        return None, False
    return row[0], row[1] <= viewer.maturity_limit


def title_counters(*, title_id: int) -> dict[str, Any] | None:
    """A title's live counters (likes, rating average and count), or ``None``."""
    row = Title.objects.filter(pk=title_id).values("likes", "rating_average", "rating_count")
    found = row.first()
    return dict(found) if found is not None else None
