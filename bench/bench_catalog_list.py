"""The catalog's fast path against the server's own ceiling: GET /api/media/titles (the
default page of 24 cards) signed out and signed in, from the page cache and uncached, and
GET /api/plugins, each as a ratio to a hello view (``/hello``: JSON from a plain Django view
behind the same middleware) served by the same server in the same round.

The demo (SQLite, its shared SQLite cache, DEBUG off) with a generated catalog of
BENCH_CATALOG_TITLES titles (1,000) is served by gunicorn (2 sync workers) twice: as is, and
with the page caches off (``LIST_CACHE_SECONDS`` and ``HOME_CACHE_SECONDS`` 0) for the
uncached path. Load comes from ``wrk`` (BENCH_SECONDS per run, 2 threads, 16 connections) in
BENCH_ROUNDS interleaved rounds (hello, then each target followed by hello again): each
target run is compared with the mean of the hello runs on either side, and each figure is
the median over the rounds. The signed-in requests carry a viewer's access token
(a profile with the top maturity limit).

Goals (issue 15): uncached ≥ 25 % of the ceiling, signed in from the cache ≥ 50 %, signed
out from the cache ≥ 80 %, /api/plugins ≥ 33 %. Figures go to
bench/results/catalog_list.json. Run with ``nox -s bench -- catalog_list``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from harness import DEMO, demo_env, manage, serve, write_results
from wrk_load import CONNECTIONS, THREADS, bracketed_rounds, wrk_missing

SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
TITLES = int(os.environ.get("BENCH_CATALOG_TITLES", "1000"))
CEILING = "/hello"
LIST = "/api/media/titles"
GOALS = {
    "cached list, signed out": 0.80,
    "cached list, signed in": 0.50,
    "uncached list, signed out": 0.25,
    "cached /api/plugins": 1 / 3,
}

VIEWER = """
from streamflix_core.models import Profile, User
from streamflix_core.services.tokens import tokens_issue

user = User.objects.create_user(email="bench-viewer@example.com", password="bench-pw-12345",
                                is_active=True, email_verified=True)
profile = Profile.objects.create(user=user, name="Bench", maturity_limit=18, is_default=True)
print(tokens_issue(user=user, profile_id=profile.pk).access)
"""


def viewer_token(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, str(DEMO / "manage.py"), "shell", "--no-imports", "-c", VIEWER],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.split()[-1]


def measure(base: str, targets: dict[str, tuple[str, dict[str, str]]]) -> dict[str, Any]:
    """Interleaved rounds of the ceiling and every target, each target run between two
    ceiling runs; medians per target."""
    figures = bracketed_rounds(base, CEILING, targets, rounds=ROUNDS, seconds=SECONDS)
    figures["hello (ceiling)"] = figures.pop("ceiling")
    return figures


def main() -> None:
    missing = wrk_missing()
    if missing:
        print(f"bench_catalog_list: skipped: {missing}")
        return
    data_dir = Path(tempfile.mkdtemp(prefix="streamflix-bench-catalog-"))
    env = demo_env(data_dir, DJANGO_DEBUG="0", STREAMFLIX_ACCESS_TOKEN_MINUTES="120")  # noqa: S106
    manage(env, "migrate", "-v0")
    started = time.perf_counter()
    manage(env, "media_sample_catalog", "--titles", str(TITLES))
    loaded = time.perf_counter() - started
    signed_in = {"Authorization": f"Bearer {viewer_token(env)}"}
    # A second settings module turns the page caches off, to measure the uncached path.
    (data_dir / "bench_uncached_settings.py").write_text(
        "from streamflix_demo.settings import *  # noqa: F403\n"
        "STREAMFLIX_MEDIA = {**globals().get('STREAMFLIX_MEDIA', {}),"
        " 'LIST_CACHE_SECONDS': 0, 'HOME_CACHE_SECONDS': 0}\n"
    )
    uncached_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench_uncached_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(data_dir), env.get("PYTHONPATH")])),
    }
    results: dict[str, Any] = {}
    with serve("gunicorn-2-workers", env, ready_path=LIST) as base:
        cached = measure(
            base,
            {
                "cached list, signed out": (LIST, {}),
                "cached list, signed in": (LIST, signed_in),
                "cached /api/plugins": ("/api/plugins", {}),
            },
        )
    results.update({name: figures for name, figures in cached.items() if "ceiling" not in name})
    results["hello, cached server"] = cached["hello (ceiling)"]
    with serve("gunicorn-2-workers", uncached_env, ready_path=LIST) as base:
        uncached = measure(
            base,
            {
                "uncached list, signed out": (LIST, {}),
                "uncached list, signed in": (LIST, signed_in),
            },
        )
    results.update({name: figures for name, figures in uncached.items() if "ceiling" not in name})
    results["hello, uncached server"] = uncached["hello (ceiling)"]
    goals = {
        name: {"goal": round(goal, 3), "ratio": results[name]["ratio_to_ceiling"],
               "met": results[name]["ratio_to_ceiling"] >= goal}
        for name, goal in GOALS.items()
    }  # fmt: skip
    print(json.dumps({"results": results, "goals": goals}, indent=2), flush=True)
    write_results(
        "catalog_list",
        {
            "server": "gunicorn, 2 sync workers, DEBUG off, SQLite, the shared SQLite cache",
            "load": f"wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s, {ROUNDS} interleaved rounds, "
            "each run between two runs of the ceiling",
            "ceiling_endpoint": f"GET {CEILING}",
            "titles": TITLES,
            "load_seconds": round(loaded, 1),
            "results": results,
            "goals": goals,
        },
    )


if __name__ == "__main__":
    main()
