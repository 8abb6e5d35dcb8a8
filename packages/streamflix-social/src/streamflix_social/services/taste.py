"""What a profile says it likes: the genres cold-start recommendations begin with."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from streamflix_core.errors import InvalidInput
from streamflix_core.models import Profile
from streamflix_core.viewer import require_profile
from streamflix_media.models import Genre

from ..models import GenrePreference

#: The most genres a profile may choose.
MAX_CHOSEN_GENRES = 10


def genre_preferences_set(*, viewer: Any, genres: list[str]) -> list[Genre]:
    """Replace the genres the viewer's profile likes with ``genres`` (slugs, in any order,
    repeats ignored; an empty list clears them). An unknown slug or more than
    :data:`MAX_CHOSEN_GENRES` is refused with nothing changed. The next recommendations
    refresh uses them for a profile with little history."""
    profile = require_profile(viewer)
    wanted = list(dict.fromkeys(genres))
    if len(wanted) > MAX_CHOSEN_GENRES:
        raise InvalidInput(
            f"Choose at most {MAX_CHOSEN_GENRES} genres.",
            code="too_many_genres",
            fields={"genres": [f"At most {MAX_CHOSEN_GENRES} genres."]},
        )
    found = {genre.slug: genre for genre in Genre.objects.filter(slug__in=wanted)}
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        raise InvalidInput(
            "Unknown genre: " + ", ".join(unknown) + ".",
            code="unknown_genre",
            fields={"genres": [f"No genre {slug!r}." for slug in unknown]},
        )
    now = timezone.now()
    with transaction.atomic():
        # Two changes of one profile's genres at once take turns (else both would insert).
        Profile.objects.select_for_update().filter(pk=profile.pk).first()
        GenrePreference.objects.filter(profile=profile).delete()
        GenrePreference.objects.bulk_create(
            [GenrePreference(profile=profile, genre=found[slug], chosen_at=now) for slug in wanted]
        )
    return sorted(found.values(), key=lambda genre: genre.name)
