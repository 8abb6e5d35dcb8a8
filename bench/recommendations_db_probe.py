"""The recommendations refresh end to end through the database (reads, compute, writes), at
2,000 profiles x 1,000 titles x 50,000 interactions (20 taste groups), full then incremental.

A pytest module, so it gets a fresh test database (SQLite, or PostgreSQL with DATABASE_URL):

    cd packages/streamflix-social
    python -m pytest -q -s -p no:cacheprovider -c pyproject.toml --rootdir . \
        ../../bench/recommendations_db_probe.py

The scale comes from PROBE_PROFILES, PROBE_TITLES and PROBE_INTERACTIONS (the issue's full
scale: 20000, 10000 and 1000000). It prints the phases' times; not part of ``nox -s bench``
(which runs ``bench_*.py``).
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest
from django.utils import timezone

PROFILES = int(os.environ.get("PROBE_PROFILES", "2000"))
TITLES = int(os.environ.get("PROBE_TITLES", "1000"))
INTERACTIONS = int(os.environ.get("PROBE_INTERACTIONS", "50000"))


@pytest.mark.django_db
def test_refresh_through_the_database(django_user_model):
    from streamflix_core.models import Profile
    from streamflix_media.models import Title, WatchProgress
    from streamflix_social.models import Like, ProfilePick, TitleNeighbour
    from streamflix_social.services import recommendations_refresh

    rng = np.random.default_rng(1)
    now = timezone.now()
    Title.objects.bulk_create(
        [Title(name=f"T{i}", slug=f"t{i}", status="published", published_at=now)
         for i in range(TITLES)]
    )  # fmt: skip
    users = django_user_model.objects.bulk_create(
        [django_user_model(email=f"u{i}@example.com") for i in range(PROFILES)]
    )
    Profile.objects.bulk_create([Profile(user=user, name="Viewer") for user in users])
    title_ids = list(Title.objects.values_list("id", flat=True))
    profile_ids = list(Profile.objects.values_list("id", flat=True))
    profile_group, title_group = rng.integers(20, size=PROFILES), rng.integers(20, size=TITLES)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < INTERACTIONS:
        p = int(rng.integers(PROFILES))
        in_group = rng.random() < 0.75
        choices = np.flatnonzero(title_group == profile_group[p]) if in_group else np.arange(TITLES)
        pairs.add((p, int(rng.choice(choices))))
    ordered = sorted(pairs)
    split = INTERACTIONS * 4 // 5
    WatchProgress.objects.bulk_create(
        [WatchProgress(profile_id=profile_ids[p], title_id=title_ids[t], played=True,
                       played_at=now, watched_at=now) for p, t in ordered[:split]],
        batch_size=5000,
    )  # fmt: skip
    Like.objects.bulk_create(
        [Like(profile_id=profile_ids[p], title_id=title_ids[t]) for p, t in ordered[split:]],
        batch_size=5000,
    )

    started = time.perf_counter()

    def progress(message: str) -> None:
        if not message.startswith(("neighbours ", "picks ")):
            print(f"{time.perf_counter() - started:6.2f} s  {message}")

    recommendations_refresh(full=True, progress=progress)
    print(f"full: {ProfilePick.objects.count()} picks, {TitleNeighbour.objects.count()} neighbours")
    later = timezone.now()
    WatchProgress.objects.bulk_create(
        [WatchProgress(profile_id=profile_ids[p], title_id=title_ids[(t + 1) % TITLES],
                       played=True, played_at=later, watched_at=later)
         for p, t in ordered[:100] if (p, (t + 1) % TITLES) not in pairs],
    )  # fmt: skip
    started = time.perf_counter()
    run = recommendations_refresh(progress=progress)
    print(f"incremental: {run.profiles_refreshed} profiles refreshed")
