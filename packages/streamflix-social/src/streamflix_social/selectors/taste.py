"""What a profile said it likes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from streamflix_core.viewer import require_profile
from streamflix_media.models import Genre

from ..models import GenrePreference


def genre_preferences(*, viewer: Any) -> QuerySet[Genre]:
    """The genres the viewer's profile chose, by name (one query); 403 ``profile_required``
    until a profile is chosen."""
    profile = require_profile(viewer)
    chosen = GenrePreference.objects.filter(profile=profile).values("genre_id")
    return Genre.objects.filter(pk__in=chosen).order_by("name")
