"""Playback heartbeats (PUT /api/media/sessions/{id}/progress) through the production HTTP
server: heartbeats/second against a hello ceiling, latency, and SQL statements per heartbeat.

On a fresh PostgreSQL database (``<DATABASE_URL's name>_bench_heartbeats``) with Redis as the
shared cache, USERS subscribed viewers each open one playback session of a title with a
ready video, through the API. gunicorn (2 sync workers, DEBUG off) serves the demo; ``wrk``
loads it from CONNECTIONS connections in interleaved rounds of SECONDS each: the ceiling
(GET /hello, the demo's plain Django view behind the same middleware), then heartbeats,
and again. Each heartbeat must be
a 200 with ``"applied": true``; any other answer is counted and reported. The SQL of one
heartbeat is counted separately, in this process, with Django's test client.

Figures go to bench/results/heartbeats.json. Run with ``nox -s bench -- heartbeats``.
``DATABASE_URL`` and ``REDIS_URL`` default to .ci/run's local servers; the benchmark is
skipped, saying why, when PostgreSQL, Redis or wrk (``make bench-deps``) is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from harness import demo_env, fresh_postgres_database, manage, serve, write_results

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONCURRENCY", "16"))
# Few load threads: wrk shares the two cores with the server it measures.
THREADS = int(os.environ.get("BENCH_WRK_THREADS", "2"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
USERS = int(os.environ.get("BENCH_HEARTBEAT_USERS", "256"))
DATABASE_URL = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/streamflix"
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
CEILING = "/hello"
LUA = Path(__file__).with_name("wrk_heartbeats.lua")
SLUG = "bench-heartbeats"


def skip(reason: str) -> None:
    print(f"bench_heartbeats skipped: {reason}", flush=True)
    sys.exit(0)


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def prepare_viewers(count: int) -> list[tuple[Any, Any]]:
    """A published movie with a ready one-rung video (no files: heartbeats never read them)
    and ``count`` active users, each with a profile and a live subscription."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from streamflix_billing.models import Plan
    from streamflix_billing.services.subscriptions import subscription_start_local
    from streamflix_core.models import Profile
    from streamflix_media.models import Title, VideoAsset
    from streamflix_media.transcoding import TranscodeResult
    from streamflix_media.transcoding.ladder import Rung
    from streamflix_media.transcoding.results import Rendition

    now = timezone.now()
    title = Title.objects.create(
        name="Bench Heartbeats", slug=SLUG, kind=Title.Kind.MOVIE,
        status=Title.Status.PUBLISHED, published_at=now, maturity_rating=0,
    )  # fmt: skip
    rung = Rung("720p", 1280, 720, 3000, 4500, 6000)
    result = TranscodeResult(
        duration=3600.0, source_width=1280, source_height=720, frame_rate=25.0,
        segment_type="fmp4", segment_seconds=6, audio_tracks=(), poster="", trickplay=None,
        timestamp_map="", renditions=(Rendition(rung, "720p/index.m3u8", "avc1.64001f",
                                                4_500_000, 3_000_000, 600),),
    )  # fmt: skip
    VideoAsset.objects.create(
        role=VideoAsset.Role.FEATURE, title=title, original_filename="bench.mp4",
        sha256="0" * 64, status=VideoAsset.Status.READY, duration=3600.0,
        output_prefix="hls/bench/1", result=result.to_dict(), ready_at=now,
    )  # fmt: skip
    plan = Plan.objects.create(name="Bench", slug="bench", price_amount=100)
    viewers = []
    for i in range(count):
        user = get_user_model().objects.create_user(email=f"bench{i}@example.com", password=None)
        profile = Profile.objects.create(user=user, name="Bench", is_default=True)
        subscription_start_local(user=user, plan=plan, source="bench")
        viewers.append((user, profile))
    return viewers


def open_session(base: str, token: str) -> str:
    """Start playback through the API; the new session's id."""
    request = urllib.request.Request(  # noqa: S310  a local URL
        f"{base}/api/media/titles/{SLUG}/playback",
        data=json.dumps({"device": "bench"}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())["session_id"]


def queries_per_heartbeat(session_id: str, token: str) -> list[str]:
    """The SQL statements of one applied heartbeat, sent through Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = Client().put(
            f"/api/media/sessions/{session_id}/progress",
            data={"position": 5.0, "state": "playing", "sequence": 1},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Host": "127.0.0.1"},
        )
    if response.status_code != 200 or not response.json()["applied"]:
        raise RuntimeError(f"the measured heartbeat failed: {response.status_code}")
    return [q["sql"] for q in queries.captured_queries]


def wrk(url: str, *script_args: str, seconds: int = SECONDS) -> dict[str, Any]:
    """One wrk run through wrk_heartbeats.lua; its summary."""
    command = [
        "wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency",
        "-s", str(LUA), url, *(["--", *script_args] if script_args else []),
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("wrk-json "))
    summary = json.loads(line.removeprefix("wrk-json "))
    summary["requests_per_second"] = round(summary["requests"] / summary["seconds"], 1)
    return summary


def main() -> None:
    if USERS // THREADS <= CONNECTIONS // THREADS:
        sys.exit("each wrk thread needs more sessions than connections (BENCH_HEARTBEAT_USERS)")
    if shutil.which("wrk") is None:
        skip("wrk is missing; run `make bench-deps` (installs Debian's wrk with apt)")
    import psycopg

    try:
        database_url = fresh_postgres_database(DATABASE_URL, "streamflix_bench_heartbeats")
    except psycopg.OperationalError as exc:
        skip(f"no PostgreSQL at DATABASE_URL ({exc.__class__.__name__}: {exc})".strip())
    if not redis_answers(REDIS_URL):
        skip(f"no Redis at REDIS_URL {REDIS_URL}")
    data_dir = Path(tempfile.mkdtemp(prefix="streamflix-bench-heartbeats-"))
    env = demo_env(
        data_dir,
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        DJANGO_DEBUG="0",
        STREAMFLIX_ACCESS_TOKEN_MINUTES="60",  # noqa: S106  a lifetime, not a password
    )
    manage(env, "migrate", "-v0")
    os.environ.update(env)
    import django

    django.setup()
    from streamflix_core.testing.api_client import bearer_token

    tokens = [bearer_token(user, profile) for user, profile in prepare_viewers(USERS)]
    results: dict[str, Any] = {"ceiling": [], "heartbeats": []}
    with serve("gunicorn-2-workers", env) as base:
        sessions = [(open_session(base, token), token) for token in tokens]
        sessions_file = data_dir / "sessions.txt"
        sessions_file.write_text("".join(f"{sid} {token}\n" for sid, token in sessions))
        statements = queries_per_heartbeat(*sessions[0])
        data_statements = [q for q in statements if q not in ("BEGIN", "COMMIT")]
        print(
            f"SQL per heartbeat: {len(data_statements)} statements "
            f"({len(statements)} round trips with BEGIN and COMMIT)",
            flush=True,
        )
        # Warm-up; every round's sequences start above the previous round's.
        wrk(base + CEILING, seconds=2)
        wrk(base + "/", str(sessions_file), "1000000", str(THREADS), seconds=2)
        for round_ in range(1, ROUNDS + 1):
            ceiling = wrk(base + CEILING)
            first = str((round_ + 1) * 1_000_000)
            beats = wrk(base + "/", str(sessions_file), first, str(THREADS))
            results["ceiling"].append(ceiling)
            results["heartbeats"].append(beats)
            print(f"round {round_}  ceiling {CEILING}: {ceiling}", flush=True)
            print(f"round {round_}  heartbeats: {beats}", flush=True)
    figures = summarise(results)
    figures["sql_statements_per_heartbeat"] = len(data_statements)
    figures["sql_round_trips_per_heartbeat"] = len(statements)
    figures["sql"] = statements
    print(json.dumps({k: v for k, v in figures.items() if k != "sql"}, indent=2), flush=True)
    write_results(
        "heartbeats",
        {
            "server": "gunicorn, 2 sync workers, DEBUG off, PostgreSQL, Redis cache",
            "load": f"wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s, {ROUNDS} rounds each",
            "users": USERS,
            "ceiling_endpoint": f"GET {CEILING}",
            **figures,
            "rounds": results,
        },
    )
    failed = figures["heartbeats_rejected"] + figures["socket_errors"]
    if failed:
        sys.exit(f"{failed} heartbeats were not applied or failed (see the rounds)")


def summarise(results: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Medians over the rounds; every heartbeat that was not a 200 with applied true."""
    median = lambda kind, key: round(statistics.median(r[key] for r in results[kind]), 2)  # noqa: E731
    heartbeats = median("heartbeats", "requests_per_second")
    ceiling = median("ceiling", "requests_per_second")
    return {
        "heartbeats_per_second": heartbeats,
        "ceiling_requests_per_second": ceiling,
        "ratio": round(heartbeats / ceiling, 3),
        "heartbeat_p50_ms": median("heartbeats", "p50_ms"),
        "heartbeat_p99_ms": median("heartbeats", "p99_ms"),
        "ceiling_p50_ms": median("ceiling", "p50_ms"),
        "ceiling_p99_ms": median("ceiling", "p99_ms"),
        "heartbeats_rejected": sum(r["not_200_applied"] for r in results["heartbeats"]),
        "socket_errors": sum(
            r["socket_errors"] for r in results["heartbeats"] + results["ceiling"]
        ),
    }


if __name__ == "__main__":
    main()
