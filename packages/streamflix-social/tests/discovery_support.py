"""A small world for discovery tests: two taste groups of titles and the profiles that
watch them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from streamflix_core.maturity import Maturity
from streamflix_core.models import Profile
from streamflix_media.models import Genre, Title, WatchProgress
from streamflix_social.models import Like


def complete(profile: Any, title: Title, *, when: dt.datetime | None = None) -> None:
    """``profile`` finished ``title`` (a movie) at ``when`` (now by default)."""
    when = when or timezone.now()
    WatchProgress.objects.create(
        profile=profile, title=title, position=100, duration=100, played=True, play_count=1,
        played_at=when, watched_at=when,
    )  # fmt: skip


@dataclass
class World:
    drama: list[Title]
    comedy: list[Title]
    adult: Title
    draft: Title
    fans: list[Profile]


def build_world(make_title: Any, make_user: Any, make_profile: Any) -> World:
    """Drama fans finish and like dramas, comedy fans comedies; an 18+ drama and a draft
    drama are watched too (so they would be recommended if nothing stopped them)."""
    drama_genre = Genre.objects.create(name="Drama", slug="drama")
    comedy_genre = Genre.objects.create(name="Comedy", slug="comedy")
    drama = [make_title(f"Drama {i}", maturity_rating=Maturity.AGE_7, year=2001) for i in range(5)]
    comedy = [
        make_title(f"Comedy {i}", maturity_rating=Maturity.AGE_7, year=1995) for i in range(5)
    ]
    adult = make_title("Drama Adult", maturity_rating=Maturity.AGE_18, year=2001)
    draft = make_title("Drama Draft", status=Title.Status.DRAFT, published_at=None)
    for title in [*drama, adult, draft]:
        title.genres.add(drama_genre)
    for title in comedy:
        title.genres.add(comedy_genre)
    fans = []
    for n in range(6):
        user = make_user(email=f"fan{n}@example.com")
        profile = make_profile(user, name="Fan")
        fans.append(profile)
        group = [*drama, adult, draft] if n < 3 else comedy
        for title in group:
            complete(profile, title)
        Like.objects.create(profile=profile, title=group[0])
    return World(drama, comedy, adult, draft, fans)
