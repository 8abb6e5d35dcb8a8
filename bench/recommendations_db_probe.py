"""The recommendations refresh end to end through the database (reads, compute, writes), at
2,000 profiles x 1,000 titles x 50,000 interactions (20 taste groups), full then incremental.

A pytest module, so it gets a fresh test database (SQLite, or PostgreSQL with DATABASE_URL):

    cd packages/streamflix-social
    python -m pytest -q -s -p no:cacheprovider -c pyproject.toml --rootdir . \
        ../../bench/recommendations_db_probe.py

The scale comes from PROBE_PROFILES, PROBE_TITLES and PROBE_INTERACTIONS (the issue's full
scale: 20000, 10000 and 1000000). On PostgreSQL each refresh runs in a process of its own,
so its time and peak resident memory are the refresh's alone, not the data generator's. It
prints the phases' times and writes ``bench/results/recommendations_db.json``; not part of
``nox -s bench`` (which runs ``bench_*.py``).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone
from harness import write_results

PROFILES = int(os.environ.get("PROBE_PROFILES", "2000"))
TITLES = int(os.environ.get("PROBE_TITLES", "1000"))
INTERACTIONS = int(os.environ.get("PROBE_INTERACTIONS", "50000"))


@pytest.mark.django_db(transaction=True)
def test_refresh_through_the_database(django_user_model):
    from streamflix_core.models import Profile
    from streamflix_media.models import Title, WatchProgress
    from streamflix_social.models import Like, ProfilePick, TitleNeighbour

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

    figures = {"scale": {"profiles": PROFILES, "titles": TITLES, "interactions": INTERACTIONS},
               "database": connection.vendor}  # fmt: skip
    figures["full"] = refresh(full=True)
    print(f"full: {ProfilePick.objects.count()} picks, {TitleNeighbour.objects.count()} neighbours")
    later = timezone.now()
    WatchProgress.objects.bulk_create(
        [WatchProgress(profile_id=profile_ids[p], title_id=title_ids[(t + 1) % TITLES],
                       played=True, played_at=later, watched_at=later)
         for p, t in ordered[:100] if (p, (t + 1) % TITLES) not in pairs],
    )  # fmt: skip
    figures["incremental"] = refresh(full=False)
    print(f"incremental: {figures['incremental']['profiles_refreshed']} profiles refreshed")
    write_results("recommendations_db", figures)


# Runs in a process of its own: prints one JSON line per progress message, then the run.
CHILD = """
import json, resource, sys, time
import django
django.setup()
from streamflix_social.services import recommendations_refresh
started = time.perf_counter()
def say(message):
    at = round(time.perf_counter() - started, 2)
    print(json.dumps({"at": at, "message": message}), flush=True)
run = recommendations_refresh(full=sys.argv[1] == "full", progress=say)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": round(run.seconds, 2), "peak_rss_mib": round(peak, 1),
                  "profiles_refreshed": run.profiles_refreshed}), flush=True)
"""


def refresh(*, full: bool) -> dict[str, object]:
    """One refresh, with the time at each phase; out of process on PostgreSQL (the test
    database is committed there and visible to another connection)."""
    if connection.vendor != "postgresql":
        from streamflix_social.services import recommendations_refresh

        started = time.perf_counter()
        phases: list[tuple[float, str]] = []
        run = recommendations_refresh(
            full=full, progress=lambda m: phases.append((time.perf_counter() - started, m))
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return report(phases, run.seconds, run.profiles_refreshed, None, peak)
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, "full" if full else "incremental"],
        env=env, cwd=Path.cwd(), capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    if child.returncode:
        raise RuntimeError(f"the refresh process failed:\n{child.stderr[-4000:]}")
    output = child.stdout
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    phases = [(line["at"], line["message"]) for line in lines if "message" in line]
    run = lines[-1]
    return report(phases, run["seconds"], run["profiles_refreshed"], run["peak_rss_mib"], None)


def report(
    phases: list[tuple[float, str]],
    seconds: float,
    refreshed: int,
    peak_own: float | None,
    peak_shared: float | None,
) -> dict[str, object]:
    shown = [(at, message) for at, message in phases
             if not message.startswith(("neighbours ", "picks "))]  # fmt: skip
    for at, message in shown:
        print(f"{at:7.2f} s  {message}")
    if peak_own is not None:
        print(f"peak resident memory of the refresh process: {peak_own:.0f} MiB")
    return {
        "seconds": round(seconds, 2),
        "phases": [{"at_seconds": round(at, 2), "message": message} for at, message in shown],
        "profiles_refreshed": refreshed,
        "peak_rss_mib_refresh_process": peak_own,
        "peak_rss_mib_probe_process": peak_shared,
    }
