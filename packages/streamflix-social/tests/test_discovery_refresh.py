"""The recommendations refresh: what it stores, incremental runs, atomicity, the command,
the task and the dashboard card."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from streamflix_social import tasks
from streamflix_social.models import (
    Like,
    ProfilePick,
    Rating,
    RefreshRun,
    TitleNeighbour,
    TrendingTitle,
)
from streamflix_social.selectors import discovery_card
from streamflix_social.services import discovery as refresh_service
from streamflix_social.services import recommendations_refresh

from .discovery_support import build_world, complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_title: Any, make_user: Any, make_profile: Any) -> Any:
    return build_world(make_title, make_user, make_profile)


def test_a_full_refresh_stores_neighbours_trending_and_picks(world):
    run = recommendations_refresh(full=True)
    assert run.status == RefreshRun.Status.FINISHED and run.mode == RefreshRun.Mode.FULL
    assert run.profiles == 6 and run.titles == 12 and run.seconds is not None
    neighbours = list(
        TitleNeighbour.objects.filter(title=world.drama[0]).values_list("neighbour_id", flat=True)
    )
    assert neighbours[:4] and set(neighbours[:4]) <= {t.pk for t in world.drama} | {world.adult.pk}
    assert world.draft.pk not in neighbours  # a draft is never anyone's neighbour
    top_two = set(TrendingTitle.objects.filter(rank__lte=2).values_list("title_id", flat=True))
    assert top_two == {world.drama[0].pk, world.comedy[0].pk}  # finished and liked
    assert not TrendingTitle.objects.filter(title=world.draft).exists()
    assert run.profile_coverage == 1.0 and run.title_coverage == 1.0


def test_picks_skip_what_the_profile_engaged_with_and_titles_above_its_limit(
    world, make_user, make_profile
):
    kid = make_profile(make_user(email="kid@example.com"), name="Kid", maturity_limit=7)
    complete(kid, world.drama[0])
    complete(kid, world.drama[1])
    complete(kid, world.drama[2])
    recommendations_refresh(full=True)
    picks = list(
        ProfilePick.objects.filter(profile=kid, slot=0).order_by("rank")
        .values_list("title_id", flat=True)
    )  # fmt: skip
    assert picks[:2] and set(picks[:2]) == {world.drama[3].pk, world.drama[4].pk}
    assert not {world.drama[0].pk, world.drama[1].pk, world.drama[2].pk} & set(picks)
    assert world.adult.pk not in picks and world.draft.pk not in picks
    because = ProfilePick.objects.filter(profile=kid, slot=1)
    assert because.exists() and all(p.because_title_id is not None for p in because)


def test_an_incremental_refresh_rewrites_only_profiles_with_new_interactions(world):
    recommendations_refresh(full=True)
    untouched, touched = world.fans[0], world.fans[3]
    before = list(ProfilePick.objects.filter(profile=untouched).values_list("pk", flat=True))
    complete(touched, world.drama[0], when=timezone.now())
    run = recommendations_refresh()
    assert run.mode == RefreshRun.Mode.INCREMENTAL and run.profiles_refreshed == 1
    assert (
        list(ProfilePick.objects.filter(profile=untouched).values_list("pk", flat=True)) == before
    )
    assert world.drama[0].pk not in set(
        ProfilePick.objects.filter(profile=touched).values_list("title_id", flat=True)
    )


def test_an_incremental_refresh_rewrites_a_profile_that_took_something_back(world):
    recommendations_refresh(full=True)
    fan = world.fans[3]  # a comedy fan who finished and liked comedy 0
    Like.objects.filter(profile=fan).delete()
    Rating.objects.create(profile=world.fans[4], title=world.comedy[1], value=1)
    Rating.objects.filter(profile=world.fans[4]).update(
        updated_at=timezone.now() - dt.timedelta(days=30)
    )

    run = recommendations_refresh()

    assert run.mode == RefreshRun.Mode.INCREMENTAL
    assert run.profiles_refreshed == 2  # the unlike and the (back-dated) rating, nobody else


def test_an_incremental_refresh_with_nothing_new_rewrites_nobody(world):
    recommendations_refresh(full=True)
    assert recommendations_refresh().profiles_refreshed == 0


def test_a_failed_refresh_keeps_the_previous_rows_and_is_recorded(world, monkeypatch):
    recommendations_refresh(full=True)
    stored = ProfilePick.objects.count(), TitleNeighbour.objects.count()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(refresh_service, "_pick_rows", broken)
    with pytest.raises(RuntimeError):
        recommendations_refresh(full=True)
    assert (ProfilePick.objects.count(), TitleNeighbour.objects.count()) == stored
    failed = RefreshRun.objects.order_by("-id").first()
    assert failed.status == RefreshRun.Status.FAILED and "disk full" in failed.error


def test_the_command_prints_progress_and_the_task_runs_a_refresh(world):
    out = io.StringIO()
    call_command("recommendations_refresh", "--full", stdout=out)
    assert "reading interactions" in out.getvalue() and "full refresh finished" in out.getvalue()
    run_id = tasks.refresh_recommendations(full=False)
    assert RefreshRun.objects.get(pk=run_id).mode == RefreshRun.Mode.INCREMENTAL


def test_the_dashboard_card_shows_the_last_refresh_and_coverage(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        empty = discovery_card()
    assert empty["last_refresh_at"] is None and empty["profile_coverage"] == 0.0
    run = recommendations_refresh(full=True)
    card = discovery_card()
    assert card["last_refresh_at"] == RefreshRun.objects.get(pk=run.pk).finished_at
    assert card["profile_coverage"] == 1.0 and card["title_coverage"] == 1.0
    assert card["latest_status"] == "finished"


def test_the_refresh_is_scheduled_hourly_and_fully_every_day():
    from streamflix_social.plugin import plugin

    schedules = {s.name: (s.func, s.schedule_type, s.kwargs) for s in plugin.schedules}
    task = "streamflix_social.tasks.refresh_recommendations"
    assert schedules["social-recommendations-incremental"] == (task, "H", {"full": False})
    assert schedules["social-recommendations-full"] == (task, "D", {"full": True})


def test_the_demo_seed_runs_a_full_refresh(world):
    from streamflix_social.demo import seed

    out = io.StringIO()
    seed(out)
    assert "discovery: 12 titles" in out.getvalue()
    assert RefreshRun.objects.get().mode == RefreshRun.Mode.FULL


def test_deleting_a_title_or_profile_deletes_the_rows_stored_for_it(world):
    from streamflix_media.models import Title

    recommendations_refresh(full=True)
    anchor = Title.objects.get(
        pk=ProfilePick.objects.filter(because_title__isnull=False).values("because_title")[:1]
    )
    picked = Title.objects.get(pk=ProfilePick.objects.values("title")[:1])
    fan = world.fans[0]
    gone = [anchor.pk, picked.pk]

    anchor.delete()
    picked.delete()
    fan.delete()

    assert not ProfilePick.objects.filter(title_id__in=gone).exists()
    assert not ProfilePick.objects.filter(because_title_id__in=gone).exists()
    assert not TitleNeighbour.objects.filter(title_id__in=gone).exists()
    assert not TitleNeighbour.objects.filter(neighbour_id__in=gone).exists()
    assert not ProfilePick.objects.filter(profile_id=fan.pk).exists()
