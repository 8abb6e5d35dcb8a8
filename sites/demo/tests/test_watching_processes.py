# ruff: noqa: F811
"""Playback sessions must agree across processes: the concurrent-stream limit, the view a
session counts once, and a stopped session's signed URLs. Each is checked through a real
gunicorn running two workers (the ``site`` of ``test_processes``: a fresh data directory,
SQLite and its shared cache file by default, PostgreSQL and Redis when ``DATABASE_URL`` /
``REDIS_URL`` are set), with requests sent at once from several threads."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest

from .run_demo import manage

# The fixtures of test_processes, used here by name (hence F401 and F811 below).
from .test_processes import Answer, Site, fresh_database_url, site  # noqa: F401

# A title with a ready feature (a TranscodeResult whose master playlist is written to the
# output storage, as a transcode publishes it) and one plan allowing two streams at once.
SEED = """
import json
from django.core.files.base import ContentFile
from django.utils import timezone
from streamflix_billing.models import Plan
from streamflix_media import services
from streamflix_media.models import VideoAsset
from streamflix_media.storage import output_storage
from streamflix_media.transcoding import TranscodeResult

draft = services.title_create(data={"name": "Heron Drift", "year": 2004})
title = services.title_publish(title=draft)
rung = {"name": "360p", "width": 640, "height": 360, "video_kbps": 800,
        "maxrate_kbps": 1200, "bufsize_kbps": 1600}
result = TranscodeResult.from_dict({
    "duration": 100.0, "source_width": 640, "source_height": 360, "frame_rate": 25.0,
    "segment_type": "fmp4", "segment_seconds": 6,
    "renditions": [{"rung": rung, "playlist": "360p/playlist.m3u8", "codecs": "avc1.64001e",
                    "peak_bps": 900000, "average_bps": 800000, "segment_count": 17}],
    "audio": None, "poster": "", "trickplay": None, "timestamp_map": "",
})
prefix = f"hls/heron-drift/{title.pk}"
output_storage().save(f"{prefix}/master.m3u8", ContentFile(result.master_playlist().encode()))
VideoAsset.objects.create(
    role="feature", title=title, original_filename="heron.mp4", sha256="0" * 64,
    status="ready", duration=100.0, width=640, height=360, result=result.to_dict(),
    output_prefix=prefix, ready_at=timezone.now(),
)
Plan.objects.create(slug="duo", name="Duo", price_amount=999, max_concurrent_streams=2,
                    max_video_height=1080, max_profiles=2)
print(json.dumps({"slug": title.slug, "title_id": title.pk}))
"""

# A new account on the two-stream plan, with its profile; prints a token watching as it.
ACCOUNT = """
from django.utils import timezone
from streamflix_billing.models import Plan, Subscription, SubscriptionStatus
from streamflix_billing.services.plans import period_end_after
from streamflix_core.models import Profile, User
from streamflix_core.services.tokens import tokens_issue

user = User.objects.create_user(email=EMAIL, password="pw-watcher-1234", is_active=True)
profile = Profile.objects.create(user=user, name="Me", is_default=True)
plan = Plan.objects.get(slug="duo")
now = timezone.now()
Subscription.objects.create(
    user=user, plan=plan, status=SubscriptionStatus.ACTIVE, gateway="development",
    current_period_start=now, current_period_end=period_end_after(now, plan),
)
print(tokens_issue(user=user, profile_id=profile.pk).access)
"""

VIEWS = """
from streamflix_media.models import PlaybackSession, Title
title = Title.objects.get(pk=TITLE_ID)
flags = sorted(PlaybackSession.objects.filter(pk__in=IDS).values_list("view_counted", flat=True))
print(json.dumps({"views": title.views, "counted": flags}))
"""

# The session's duration is 100 s: 90 s is the completion point (PLAYED_FRACTION 0.9).
PAST_NINETY = 95.0


@pytest.fixture(scope="module")
def heron(site: Site) -> dict[str, Any]:
    seeded = manage("shell", "--no-imports", "-c", SEED, env=site.env)
    assert seeded.returncode == 0, seeded.stderr
    return json.loads(seeded.stdout.strip().splitlines()[-1])


_accounts = iter(range(1, 1000))


def _watcher(site: Site) -> str:
    """A new subscriber (two streams at once) and an access token for its profile."""
    email = f"watcher{next(_accounts)}@example.com"
    made = manage("shell", "--no-imports", "-c", f"EMAIL = {email!r}\n" + ACCOUNT, env=site.env)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip().splitlines()[-1]


def _shell_json(site: Site, code: str) -> Any:
    done = manage("shell", "--no-imports", "-c", "import json\n" + code, env=site.env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _at_once(calls: list[Any]) -> list[Answer]:
    """Run ``calls`` (each a function of no argument) in as many threads, released together
    by a barrier, each on its own connection (so both workers take some)."""
    barrier = threading.Barrier(len(calls))

    def run(call: Any) -> Answer:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _open(site: Site, slug: str, token: str, device: str) -> Answer:
    return site.request("POST", f"/api/media/titles/{slug}/playback", {"device": device}, token)


def _beat(site: Site, token: str, session_id: str, position: float, sequence: int) -> Answer:
    body = {"position": position, "state": "playing", "sequence": sequence}
    return site.request("PUT", f"/api/media/sessions/{session_id}/progress", body, token)


def test_concurrent_opens_over_two_workers_get_exactly_the_plans_two_streams(
    site: Site,
    heron: dict[str, Any],
) -> None:
    token = _watcher(site)
    workers: set[str] = set()
    for round_ in range(5):
        # Six devices at once; a fresh account each round (the first round's sessions stay
        # active for the session timeout).
        token = token if round_ == 0 else _watcher(site)
        answers = _at_once(
            [partial(_open, site, heron["slug"], token, f"Device {n}") for n in range(6)]
        )
        workers |= {a.worker for a in answers}
        statuses = sorted(a.status for a in answers)
        assert statuses == [201, 201, 409, 409, 409, 409], [(a.status, a.body) for a in answers]
        opened = [a.body for a in answers if a.status == 201]
        for refused in (a for a in answers if a.status == 409):
            assert refused.body["code"] == "concurrent_stream_limit"
            assert {s["id"] for s in refused.body["sessions"]} <= {o["session_id"] for o in opened}
            assert len(refused.body["sessions"]) == 2
        listed = site.request("GET", "/api/media/sessions", token=token)
        assert listed.status == 200
        assert {s["id"] for s in listed.body} == {o["session_id"] for o in opened}

        # Stopping one frees one slot: of four more tries at once, exactly one gets it.
        stopped = site.request(
            "DELETE", f"/api/media/sessions/{opened[0]['session_id']}", token=token
        )
        assert stopped.status == 204, stopped.body
        again = _at_once(
            [partial(_open, site, heron["slug"], token, f"Again {n}") for n in range(4)]
        )
        assert sorted(a.status for a in again) == [201, 409, 409, 409], [
            (a.status, a.body) for a in again
        ]
        workers |= {a.worker for a in again}
    assert len(workers) == 2, "every open went to one worker"


def test_concurrent_heartbeats_past_ninety_percent_count_the_view_once(
    site: Site,
    heron: dict[str, Any],
) -> None:
    before = _shell_json(
        site, VIEWS.replace("TITLE_ID", str(heron["title_id"])).replace("IDS", "[]")
    )
    sessions: list[str] = []
    workers: set[str] = set()
    for _ in range(6):
        # Two streams per account: one account per pair of sessions.
        token = _watcher(site)
        pair = [_open(site, heron["slug"], token, f"TV {n}") for n in range(2)]
        assert [a.status for a in pair] == [201, 201], [a.body for a in pair]
        ids = [a.body["session_id"] for a in pair]
        sessions += ids
        # Four heartbeats past 90 % to each session, all eight at once.
        beats = _at_once(
            [
                partial(_beat, site, token, sid, PAST_NINETY + seq, seq)
                for sid in ids
                for seq in range(1, 5)
            ]
        )
        workers |= {b.worker for b in beats}
        assert all(b.status == 200 for b in beats), [(b.status, b.body) for b in beats]
        for sid in ids:
            mine = [b.body for b in beats if b.body["session_id"] == sid]
            assert any(b["applied"] for b in mine)
            # Whichever heartbeat counted it, the one with the highest sequence is applied
            # or came after one that was: the view shows as counted from then on.
            last = site.request(
                "PUT",
                f"/api/media/sessions/{sid}/progress",
                {"position": 99.0, "state": "playing", "sequence": 10},
                token,
            )
            assert last.status == 200 and last.body["view_counted"] is True, last.body
    after = _shell_json(
        site,
        VIEWS.replace("TITLE_ID", str(heron["title_id"])).replace("IDS", json.dumps(sessions)),
    )
    assert after["counted"] == [True] * len(sessions)
    assert after["views"] - before["views"] == len(sessions), (before, after)
    assert len(workers) == 2, "every heartbeat went to one worker"


def _fetch(site: Site, url: str) -> Answer:
    return site.request("GET", url)


def _fetch_until(site: Site, url: str, done: threading.Event, late: list[Answer]) -> None:
    """Fetch ``url`` over and over until ``done``, then six more times into ``late``."""
    while not done.is_set():
        _fetch(site, url)
    late.extend(_fetch(site, url) for _ in range(6))


def test_a_stopped_sessions_playlist_is_refused_by_every_worker(
    site: Site,
    heron: dict[str, Any],
) -> None:
    token = _watcher(site)
    for _ in range(4):
        opened = _open(site, heron["slug"], token, "Phone")
        assert opened.status == 201, opened.body
        url, sid = opened.body["url"], opened.body["session_id"]
        assert url.startswith("/stream/hls/") and "master.m3u8" in url, url

        # Both workers serve the live session's master (and cache its record).
        served = _at_once([partial(_fetch, site, url) for _ in range(8)])
        assert all(a.status == 200 for a in served), [(a.status, a.body) for a in served]
        assert all(a.body.startswith(b"#EXTM3U") for a in served)
        assert len({a.worker for a in served}) == 2, "every fetch went to one worker"

        # Fetches keep coming while a worker stops the session.
        stop_done = threading.Event()
        stopped_at: list[float] = []
        late: list[Answer] = []

        fetchers = [
            threading.Thread(target=_fetch_until, args=(site, url, stop_done, late))
            for _ in range(3)
        ]
        for thread in fetchers:
            thread.start()
        time.sleep(0.05)
        stopped = site.request("DELETE", f"/api/media/sessions/{sid}", token=token)
        stopped_at.append(time.monotonic())
        stop_done.set()
        for thread in fetchers:
            thread.join(timeout=60)
        assert stopped.status == 204, stopped.body

        # Every fetch asked for after the DELETE answered, on either worker, is refused.
        after = late + _at_once([partial(_fetch, site, url) for _ in range(8)])
        assert all(a.started >= stopped_at[0] for a in after)
        assert all(a.status == 403 and a.body["code"] == "session_ended" for a in after), [
            (a.worker, a.status, a.body) for a in after if a.status != 403
        ]
        assert len({a.worker for a in after}) == 2, "every late fetch went to one worker"


def test_a_session_stopped_while_its_view_is_counted_stays_stopped(
    site: Site,
    heron: dict[str, Any],
) -> None:
    still_served = []
    token = _watcher(site)  # each session is stopped: one account has slots enough
    for trial in range(20):
        opened = _open(site, heron["slug"], token, "Phone")
        assert opened.status == 201, opened.body
        sid, url = opened.body["session_id"], opened.body["url"]
        # The heartbeat that completes the item and the stop, at once on the two workers.
        beat, stop = _at_once(
            [
                partial(_beat, site, token, sid, PAST_NINETY, 1),
                partial(site.request, "DELETE", f"/api/media/sessions/{sid}", token=token),
            ]
        )
        assert stop.status == 204, stop.body
        assert beat.status in {200, 410}, beat.body
        after = _fetch(site, url)
        if after.status != 403:
            still_served.append((trial, beat.status, after.status))
    assert not still_served, f"{len(still_served)}/20 stopped sessions still served: {still_served}"
