"""Live comments fanned out to one title's room: CLIENTS WebSockets on one daphne process,
latency from a REST comment post to its ``comment.posted`` event at every socket.

Two runs, each on a fresh demo (SQLite in a temporary data dir, DEBUG off, the room cap
raised with ``STREAMFLIX_WS_ROOM_MAX_CLIENTS``): the in-memory channel layer (no REDIS_URL),
then channels-redis (``REDIS_URL``, default redis://127.0.0.1:6379/15, which also makes Redis
the cache). The second run is skipped, saying why, when Redis does not answer.

Each client gets a one-time ticket from ``POST /api/social/ws-ticket`` (viewer accounts
share the sockets; the endpoint has no throttle), opens
``/ws/social/titles/<slug>/?ticket=...`` and sends a ping: its pong means the consumer has
joined the room's group. Then COMMENTS comments are posted through
``POST /api/social/titles/<slug>/comments``, INTERVAL_MS apart, by a few poster accounts
(each stays under ``COMMENT_RATE_LIMIT``, 10/min). Latency = the moment a client read the
event minus the moment just before its POST was sent (the event is pushed after commit, often
before the response returns); p50/p95/p99/max over every (client, comment) pair, and every
pair without an event counted as missed.

The clients run in one asyncio loop in this process, which shares the machine's cores with
daphne: a client reads an event only when the loop gets to it, so the figures include the
load generator's own queueing. They use websockets' sans-I/O protocol in plain asyncio
protocols rather than its asyncio client, which spends a task, a queue and futures per message
(this process's CPU per message read fell from about 100 µs to the figure in the results).
The CPU seconds daphne and this process spent while the comments were posted are reported to
tell the two apart.

Figures go to bench/results/ws_fanout.json. Run with ``nox -s bench -- ws_fanout``.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from harness import demo_env, manage, serve, write_results
from websockets.frames import Opcode

CLIENTS = int(os.environ.get("BENCH_WS_CLIENTS", "1000"))
COMMENTS = int(os.environ.get("BENCH_WS_COMMENTS", "30"))
INTERVAL_MS = int(os.environ.get("BENCH_WS_INTERVAL_MS", "200"))
VIEWER_ACCOUNTS = 10
COMMENTS_PER_POSTER = 8  # under COMMENT_RATE_LIMIT (10/min) per account
CONNECTING_AT_ONCE = 16
DELIVERY_WAIT_SECONDS = 10.0
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
SLUG = "bench-ws-fanout"
GOAL_P99_MS = 100


def seed(out: Path) -> None:
    """Run with the demo's environment: a published title, VIEWER_ACCOUNTS viewers and
    enough posters, each with a profile; their access tokens and the title id go to ``out``.
    The room's member count is cleared (a Redis cache outlives the fresh database)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.utils import timezone

    from streamflix_core.models import Profile
    from streamflix_core.testing.api_client import bearer_token
    from streamflix_media.models import Title
    from streamflix_social.services.rooms import _key as room_key

    title = Title.objects.create(
        name="Bench Fan-out", slug=SLUG, kind=Title.Kind.MOVIE,
        status=Title.Status.PUBLISHED, published_at=timezone.now(), maturity_rating=0,
    )  # fmt: skip
    cache.delete(room_key(title.pk))

    def tokens(role: str, count: int) -> list[str]:
        made = []
        for i in range(count):
            user = get_user_model().objects.create_user(
                email=f"{role}{i}@example.com", password=None
            )
            profile = Profile.objects.create(user=user, name=role, is_default=True)
            made.append(bearer_token(user, profile))
        return made

    posters = -(-COMMENTS // COMMENTS_PER_POSTER)
    out.write_text(
        json.dumps(
            {"viewers": tokens("viewer", VIEWER_ACCOUNTS), "posters": tokens("poster", posters)}
        )
    )


def post_json(url: str, token: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310  a local URL
        url,
        data=json.dumps(body or {}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def timed_post(url: str, token: str, text: str) -> tuple[float, float, int]:
    """Post one comment: (just before sending, when the answer came, the comment's id)."""
    sent = time.perf_counter()
    comment = post_json(url, token, {"text": text})
    return sent, time.perf_counter(), int(comment["id"])


def children_cpu_seconds() -> float:
    """CPU seconds used so far by this process's live children (here: the server)."""
    total = 0
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


class RoomClient(asyncio.Protocol):
    """One socket in the room, driven by websockets' sans-I/O protocol straight from the
    event loop's callbacks: no task, queue or future per message, so 1,000 of them read an
    event in a fraction of the time the asyncio client API takes (which would otherwise be
    most of the measured latency). Records when each ``comment.posted`` arrived."""

    def __init__(self, url: str, origin: str) -> None:
        from websockets.client import ClientProtocol
        from websockets.typing import Origin
        from websockets.uri import parse_uri

        self.ws = ClientProtocol(parse_uri(url), origin=Origin(origin))
        self.request = self.ws.connect()
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.ponged: asyncio.Future[None] = loop.create_future()
        self.arrivals: dict[int, float] = {}
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.ws.send_request(self.request)
        self.flush()

    def flush(self) -> None:
        for data in self.ws.data_to_send():
            if data:
                self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if not self.opened.done():
                failure = self.ws.handshake_exc
                if failure is None:
                    self.opened.set_result(None)
                else:
                    self.opened.set_exception(failure)
            elif getattr(event, "opcode", None) is Opcode.TEXT:
                self.text_received(event.data, now)
        self.flush()

    def text_received(self, data: bytes, now: float) -> None:
        if b'"comment.posted"' in data:
            self.arrivals.setdefault(json.loads(data)["comment_id"], now)
        elif not self.ponged.done() and json.loads(data) == {"type": "pong"}:
            self.ponged.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        for waiter in (self.opened, self.ponged):
            if not waiter.done():
                waiter.set_exception(exc or ConnectionError("the server closed the socket"))

    def send_text(self, text: str) -> None:
        self.ws.send_text(text.encode())
        self.flush()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.ws.send_close()
            self.flush()
            self.transport.close()


async def open_client(base: str, token: str, gate: asyncio.Semaphore) -> RoomClient:
    """A ticket, a socket in the title's room, and a ping answered (so it has joined)."""
    async with gate:
        ticket = (await asyncio.to_thread(post_json, f"{base}/api/social/ws-ticket", token))[
            "ticket"
        ]
        url = base.replace("http", "ws", 1) + f"/ws/social/titles/{SLUG}/?ticket={ticket}"
        host, port = base.rsplit("/", 1)[1].split(":")
        _, client = await asyncio.get_running_loop().create_connection(
            lambda: RoomClient(url, base), host, int(port)
        )
        await asyncio.wait_for(client.opened, 30)
        client.send_text(json.dumps({"type": "ping"}))
        await asyncio.wait_for(client.ponged, 30)
        return client


async def fan_out(base: str, seeded: dict[str, Any]) -> dict[str, Any]:
    """Open CLIENTS sockets, post COMMENTS comments, gather the latencies."""
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    viewers = seeded["viewers"]
    started = time.perf_counter()
    clients = await asyncio.gather(
        *(open_client(base, viewers[i % len(viewers)], gate) for i in range(CLIENTS))
    )
    connect_seconds = time.perf_counter() - started
    print(f"  {CLIENTS} sockets in the room after {connect_seconds:.1f} s", flush=True)
    await asyncio.sleep(1)  # let the connecting burst settle

    url = f"{base}/api/social/titles/{SLUG}/comments"
    posters = seeded["posters"]
    posts: list[tuple[float, float, int]] = []
    cpu_server, cpu_self = children_cpu_seconds(), time.process_time()
    for k in range(COMMENTS):
        post = await asyncio.to_thread(timed_post, url, posters[k % len(posters)], f"bench {k}")
        posts.append(post)
        await asyncio.sleep(max(0.0, post[0] + INTERVAL_MS / 1000 - time.perf_counter()))
    ids = {comment_id for *_, comment_id in posts}
    deadline = time.perf_counter() + DELIVERY_WAIT_SECONDS
    while time.perf_counter() < deadline and any(ids - c.arrivals.keys() for c in clients):
        await asyncio.sleep(0.1)
    cpu_server = children_cpu_seconds() - cpu_server
    cpu_self = time.process_time() - cpu_self
    posting_seconds = time.perf_counter() - posts[0][0]

    for client in clients:
        client.close()
    return summarise(posts, clients) | {
        "connect_seconds": round(connect_seconds, 1),
        "posting_seconds": round(posting_seconds, 1),
        "cpu_seconds_daphne": round(cpu_server, 2),
        "cpu_seconds_load_generator": round(cpu_self, 2),
    }


def summarise(posts: list[tuple[float, float, int]], clients: list[RoomClient]) -> dict[str, Any]:
    """Percentiles over every (client, comment) pair; per comment, the first and the last
    socket's latency (the spread is the fan-out itself)."""
    latencies, missed, first, last = [], 0, [], []
    for sent, _, comment_id in posts:
        mine = [c.arrivals[comment_id] - sent for c in clients if comment_id in c.arrivals]
        missed += len(clients) - len(mine)
        latencies += mine
        if mine:
            first.append(min(mine))
            last.append(max(mine))
    ms = lambda seconds: round(seconds * 1000, 1)  # noqa: E731
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if latencies else []
    return {
        "pairs": len(posts) * len(clients),
        "missed": missed,
        "latency_p50_ms": ms(cuts[49]) if cuts else None,
        "latency_p95_ms": ms(cuts[94]) if cuts else None,
        "latency_p99_ms": ms(cuts[98]) if cuts else None,
        "latency_max_ms": ms(max(latencies)) if latencies else None,
        "first_socket_median_ms": ms(statistics.median(first)) if first else None,
        "last_socket_median_ms": ms(statistics.median(last)) if last else None,
        "post_response_median_ms": ms(statistics.median(done - sent for sent, done, _ in posts)),
    }


def run(layer: str, redis_url: str | None) -> dict[str, Any]:
    """One fresh demo on one daphne process, measured."""
    data_dir = Path(tempfile.mkdtemp(prefix="streamflix-bench-ws-"))
    env = demo_env(
        data_dir,
        DATABASE_URL="",
        REDIS_URL=redis_url or "",
        DJANGO_DEBUG="0",
        STREAMFLIX_WS_ROOM_MAX_CLIENTS=str(CLIENTS),
        STREAMFLIX_ACCESS_TOKEN_MINUTES="60",  # noqa: S106  a lifetime, not a password
    )
    manage(env, "migrate", "-v0")
    seed_file = data_dir / "seed.json"
    subprocess.run([sys.executable, __file__, "--seed", str(seed_file)], env=env, check=True)
    print(f"{layer}: opening {CLIENTS} sockets on one daphne", flush=True)
    with serve("daphne", env) as base:
        figures = asyncio.run(fan_out(base, json.loads(seed_file.read_text())))
    print(f"{layer}: {json.dumps(figures)}", flush=True)
    return figures


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def raise_open_files_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def main() -> None:
    raise_open_files_limit(2 * CLIENTS + 256)  # daphne inherits it: a socket each side
    print(
        f"bench_ws_fanout: {CLIENTS} clients in one asyncio loop of this process share the "
        f"{os.cpu_count()} cores with daphne; their latencies include that.",
        flush=True,
    )
    runs: dict[str, Any] = {"in-memory": run("in-memory", None)}
    if redis_answers(REDIS_URL):
        runs["channels-redis"] = run("channels-redis", REDIS_URL)
    else:
        print(f"channels-redis run skipped: no Redis at REDIS_URL {REDIS_URL}", flush=True)
        runs["channels-redis"] = {"skipped": f"no Redis at {REDIS_URL}"}
    write_results(
        "ws_fanout",
        {
            "server": "daphne, one process, DEBUG off, SQLite, the demo's ASGI application",
            "clients": CLIENTS,
            "comments": COMMENTS,
            "interval_ms": INTERVAL_MS,
            "latency_from": "just before each comment's POST is sent",
            "load_generator": "the clients run in one asyncio loop (websockets' sans-I/O "
            "protocol) in the benchmark process, sharing the cores with daphne",
            "goal_p99_ms": GOAL_P99_MS,
            "runs": runs,
        },
    )
    missed = sum(r.get("missed", 0) for r in runs.values())
    if missed:
        sys.exit(f"{missed} events never reached their socket")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--seed"]:
        seed(Path(sys.argv[2]))
    else:
        main()
