"""The recommendations refresh: read every interaction from the database, compute with
``streamflix_social.discovery`` (no Django there), and replace the stored rows.

A **full** run rewrites the neighbours of every title, the trending list and the picks of
every profile. An **incremental** run computes the same way (computing is seconds; writing is
what costs) but rewrites only the trending list and the picks of the profiles with
something new since the last finished run (a like, a rating, a list entry, progress, or the
profile itself); neighbours and everyone else's picks wait for the next full run. Every
write of a run happens inside one transaction: a reader sees the previous run or this one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from ..conf import settings
from ..discovery.fingerprints import changed_profiles as fingerprint_changes
from ..discovery.fingerprints import pack, profile_fingerprints, unpack
from ..discovery.model import TopK
from ..discovery.pipeline import Outputs, Tuning, compute
from ..models import ProfilePick, RefreshRun, TitleNeighbour, TrendingTitle
from .discovery_inputs import Snapshot, changed_profiles, snapshot

Progress = Callable[[str], None]


def tuning() -> Tuning:
    """The computation's knobs, from ``STREAMFLIX_SOCIAL``."""
    config = settings()
    return Tuning(
        neighbours=config.DISCOVERY_NEIGHBOURS,
        picks=config.DISCOVERY_PICKS,
        row_size=config.DISCOVERY_ROW_SIZE,
        co_weight=config.DISCOVERY_CO_WEIGHT,
        content_weight=config.DISCOVERY_CONTENT_WEIGHT,
        prior_weight=config.DISCOVERY_PRIOR_WEIGHT,
        cold_start_below=config.DISCOVERY_COLD_START_BELOW,
    )


def recommendations_refresh(*, full: bool = False, progress: Progress | None = None) -> RefreshRun:
    """Recompute discovery and store it; returns the finished :class:`RefreshRun`.

    ``full=False`` runs incrementally when a finished run exists (else fully). A failure
    marks the run ``failed`` with the error, leaves the stored rows as they were, and is
    raised again.
    """
    say = progress or (lambda message: None)
    previous = (
        RefreshRun.objects.filter(status=RefreshRun.Status.FINISHED).order_by("-started_at").first()
    )
    mode = RefreshRun.Mode.FULL if full or previous is None else RefreshRun.Mode.INCREMENTAL
    run = RefreshRun.objects.create(mode=mode, started_at=timezone.now())
    clock = time.perf_counter()
    try:
        say(f"{mode} refresh: reading interactions")
        data = snapshot(now=run.started_at)
        say(
            f"{len(data.profile_ids)} profiles, {len(data.title_ids)} titles, "
            f"{data.inputs.rows.size} interactions"
        )
        outputs = compute(data.inputs, tuning(), say)
        fingerprints = profile_fingerprints(
            outputs.interactions,
            np.array(data.title_ids, dtype=np.int64),
            data.chosen_genres,
            data.genre_ids,
        )
        if mode == RefreshRun.Mode.FULL:
            refreshed = list(range(len(data.profile_ids)))
        else:
            assert previous is not None
            refreshed = _changed(previous, data, fingerprints)
        say(f"writing: {len(refreshed)} profiles' picks")
        _store(run, data, outputs, refreshed, say, pack(np.array(data.profile_ids), fingerprints))
    except Exception as error:
        RefreshRun.objects.filter(pk=run.pk).update(
            status=RefreshRun.Status.FAILED,
            finished_at=timezone.now(),
            seconds=time.perf_counter() - clock,
            error=repr(error)[:2000],
        )
        raise
    run.refresh_from_db()
    run.seconds = time.perf_counter() - clock
    run.save(update_fields=["seconds"])
    say(f"done in {run.seconds:.1f} s")
    return run


def _changed(previous: RefreshRun, data: Snapshot, fingerprints: np.ndarray) -> list[int]:
    """Dense indexes of the profiles to rewrite: anything new since the previous run started
    (progress, a like, a rating, a list entry, chosen genres, a new profile), and every
    profile whose fingerprint moved — which also catches what was taken back (an unlike, a
    rating or list entry removed, a genre dropped) and changes dated in the past."""
    since = changed_profiles(since=previous.started_at)
    indexes = {i for i, pk in enumerate(data.profile_ids) if pk in since}
    stored = previous.profile_fingerprints
    if stored:
        before_ids, before = unpack(bytes(stored))
        moved = fingerprint_changes(before_ids, before, np.array(data.profile_ids), fingerprints)
        indexes.update(int(i) for i in moved)
    return sorted(indexes)


def _store(
    run: RefreshRun,
    data: Snapshot,
    outputs: Outputs,
    refreshed: list[int],
    say: Progress,
    fingerprints: bytes,
) -> None:
    config = settings()
    batch = config.DISCOVERY_WRITE_BATCH
    full = run.mode == RefreshRun.Mode.FULL
    titles, profiles = data.title_ids, data.profile_ids
    with transaction.atomic():
        # Two runs writing at once would interleave their deletes and inserts: the second
        # waits here (on the row of the last finished run) until the first commits.
        list(
            RefreshRun.objects.select_for_update()
            .filter(status=RefreshRun.Status.FINISHED)
            .order_by("-started_at", "-id")[:1]
        )
        if full:
            say("writing: neighbours")
            TitleNeighbour.objects.all().delete()
            _insert(
                TitleNeighbour, ("title_id", "neighbour_id", "score", "rank"),
                _neighbour_rows(outputs.neighbours, titles, data.inputs.allowed,
                                config.DISCOVERY_STORED_NEIGHBOURS),
                batch,
            )  # fmt: skip
        say("writing: trending")
        TrendingTitle.objects.all().delete()
        trending = data.inputs.trending
        order = [i for i in np.argsort(-trending, kind="stable") if trending[i] > 0]
        order = [i for i in order if data.inputs.allowed[i]][: config.DISCOVERY_TRENDING_STORED]
        _insert(
            TrendingTitle, ("title_id", "score", "rank"),
            ((titles[i], float(trending[i]), rank) for rank, i in enumerate(order, start=1)),
            batch,
        )  # fmt: skip
        say("writing: picks")
        if full:
            ProfilePick.objects.all().delete()
        else:
            refreshed_ids = [profiles[i] for i in refreshed]
            for start in range(0, len(refreshed_ids), batch):
                chunk = refreshed_ids[start : start + batch]
                ProfilePick.objects.filter(profile_id__in=chunk).delete()
        _insert(
            ProfilePick,
            ("profile_id", "title_id", "because_title_id", "slot", "rank", "score"),
            _pick_rows(outputs, refreshed, profiles, titles),
            batch,
        )
        say("committing")
        with_picks = int((outputs.picks.index[:, 0] >= 0).sum())
        published = int(data.inputs.allowed.sum())
        has_neighbours = (outputs.neighbours.index[:, 0] >= 0) & data.inputs.allowed
        RefreshRun.objects.filter(pk=run.pk).update(
            status=RefreshRun.Status.FINISHED,
            finished_at=timezone.now(),
            profiles=len(profiles),
            titles=len(titles),
            interactions=int(outputs.interactions.nnz),
            profiles_refreshed=len(refreshed),
            profile_coverage=with_picks / len(profiles) if profiles else 0.0,
            profile_fingerprints=fingerprints,
            title_coverage=int(has_neighbours.sum()) / published if published else 0.0,
        )
        # Only the latest finished run's fingerprints are ever compared with.
        RefreshRun.objects.exclude(pk=run.pk).exclude(profile_fingerprints=None).update(
            profile_fingerprints=None
        )


def _neighbour_rows(
    neighbours: TopK, titles: list[int], allowed: np.ndarray, keep: int
) -> Iterable[tuple[Any, ...]]:
    allowed_list = allowed.tolist()
    for item, (row, scores) in enumerate(
        zip(neighbours.index.tolist(), neighbours.score.tolist(), strict=True)
    ):
        rank = 0
        for neighbour, score in zip(row, scores, strict=True):
            if neighbour < 0 or rank >= keep:
                break
            if allowed_list[neighbour]:
                rank += 1
                yield titles[item], titles[neighbour], score, rank


def _pick_rows(
    outputs: Outputs, refreshed: list[int], profiles: list[int], titles: list[int]
) -> Iterable[tuple[Any, ...]]:
    for profile in refreshed:
        profile_id = profiles[profile]
        ranked = zip(
            outputs.picks.index[profile].tolist(),
            outputs.picks.score[profile].tolist(),
            strict=True,
        )
        for rank, (title, score) in enumerate(ranked, start=1):
            if title < 0:
                break
            yield profile_id, titles[title], None, 0, rank, score
        for slot, (anchor, row) in enumerate(outputs.because[profile], start=1):
            for rank, (title, score) in enumerate(row, start=1):
                yield profile_id, titles[title], titles[anchor], slot, rank, score


def _insert(
    model: Any, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]], batch: int
) -> None:
    """Insert plain tuples: ``COPY`` on PostgreSQL, ``executemany`` in batches elsewhere —
    an order of magnitude faster than building model instances for ``bulk_create``."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # Table and column names come from the model's metadata, quoted; values are parameters.
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
        chunk: list[tuple[Any, ...]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)


def recommendations_refresh_queue(*, full: bool = False) -> str:
    """Queue a refresh on the task cluster (the admin's "Refresh now"); returns the task id."""
    from django_q.tasks import async_task

    return str(async_task("streamflix_social.tasks.refresh_recommendations", full=full))
