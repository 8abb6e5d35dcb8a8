"""What the refresh reads from the database: weights, anchors, trending and timestamps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from streamflix_media.models import WatchProgress
from streamflix_social.models import Like, ListItem, Rating
from streamflix_social.services.discovery_inputs import (
    COMPLETION,
    LIKE,
    LISTED,
    RATING_WEIGHTS,
    STARTED,
    Epoch,
    snapshot,
)

from .discovery_support import complete

pytestmark = pytest.mark.django_db


def feedback(data: Any, profile: Any, title: Any) -> float:
    """The summed implicit feedback of ``profile`` for ``title`` in a snapshot."""
    p, t = data.profile_ids.index(profile.pk), data.title_ids.index(title.pk)
    inputs = data.inputs
    hits = (inputs.rows == p) & (inputs.cols == t)
    return float(inputs.weights[hits].sum())


def test_each_kind_of_interaction_is_read_with_its_weight(make_title, make_user, make_profile):
    profile = make_profile(make_user(email="a@example.com"), name="A")
    finished, started, liked, loved, disliked, listed, untouched = (
        make_title(f"T{i}") for i in range(7)
    )
    complete(profile, finished)
    WatchProgress.objects.create(
        profile=profile, title=started, position=10, duration=100, watched_at=timezone.now()
    )
    Like.objects.create(profile=profile, title=liked)
    Rating.objects.create(profile=profile, title=loved, value=5)
    Rating.objects.create(profile=profile, title=disliked, value=1)
    ListItem.objects.create(profile=profile, title=listed)
    complete(profile, liked)

    data = snapshot(now=timezone.now())

    assert feedback(data, profile, finished) == COMPLETION
    assert feedback(data, profile, started) == STARTED
    assert feedback(data, profile, liked) == LIKE + COMPLETION
    assert feedback(data, profile, loved) == RATING_WEIGHTS[5]
    assert feedback(data, profile, disliked) == pytest.approx(RATING_WEIGHTS[1])
    assert feedback(data, profile, listed) == LISTED
    assert feedback(data, profile, untouched) == 0
    assert data.inputs.rows.size == 7


def test_anchors_are_the_most_recent_distinct_titles_finished_liked_or_rated_well(
    make_title, make_user, make_profile, settings
):
    settings.STREAMFLIX_SOCIAL = {"DISCOVERY_BECAUSE_ROWS": 2}
    profile = make_profile(make_user(email="a@example.com"), name="A")
    old, middle, recent, listed_only, rated_badly = (make_title(f"T{i}") for i in range(5))
    now = timezone.now()
    complete(profile, old, when=now - dt.timedelta(days=30))
    complete(profile, middle, when=now - dt.timedelta(days=20))
    complete(profile, recent, when=now - dt.timedelta(days=10))
    # A like of an older title is its most recent strong signal, but it counts once.
    Like.objects.create(profile=profile, title=recent)
    ListItem.objects.create(profile=profile, title=listed_only)
    Rating.objects.create(profile=profile, title=rated_badly, value=2)

    data = snapshot(now=now)

    row = data.inputs.anchors[data.profile_ids.index(profile.pk)]
    assert [data.title_ids[i] for i in row] == [recent.pk, middle.pk]


def test_trending_counts_recent_engagement_only_and_decays_with_age(
    make_title, make_user, make_profile
):
    now = timezone.now()
    fresh, older, outside = make_title("Fresh"), make_title("Older"), make_title("Outside")
    for n in range(3):
        profile = make_profile(make_user(email=f"p{n}@example.com"), name="P")
        complete(profile, fresh, when=now - dt.timedelta(hours=1))
        complete(profile, older, when=now - dt.timedelta(days=5))
        complete(profile, outside, when=now - dt.timedelta(days=30))

    data = snapshot(now=now)

    trending = {pk: data.inputs.trending[i] for i, pk in enumerate(data.title_ids)}
    assert trending[fresh.pk] > trending[older.pk] > 0
    assert trending[outside.pk] == 0


def test_epoch_is_the_unix_time_of_the_stored_datetime(make_title, make_user, make_profile):
    profile = make_profile(make_user(email="a@example.com"), name="A")
    when = dt.datetime(2026, 3, 4, 5, 6, 7, 500_000, tzinfo=dt.UTC)
    Like.objects.create(profile=profile, title=make_title("T"))
    Like.objects.update(created_at=when)

    (seconds,) = Like.objects.values_list(Epoch("created_at"), flat=True)

    assert seconds == pytest.approx(when.timestamp(), abs=1e-3)


def test_rows_of_titles_created_after_the_titles_were_read_are_dropped(
    make_title, make_user, make_profile
):
    from streamflix_social.services.discovery_inputs import _interactions

    profile = make_profile(make_user(email="a@example.com"), name="A")
    kept, late = make_title("Kept"), make_title("Late")
    Like.objects.create(profile=profile, title=kept)
    Like.objects.create(profile=profile, title=late)

    events = _interactions(np.array([profile.pk]), np.array([kept.pk]))

    assert events.titles.tolist() == [0]
    assert events.weights.tolist() == [LIKE]
