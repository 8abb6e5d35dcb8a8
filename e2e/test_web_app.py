"""The viewer web app at / in headless Chromium: sign in, pick a profile, browse, play with
hls.js (quality, subtitles), and live comments between two browsers."""

from __future__ import annotations

import json
import time

import pytest
from conftest import screenshot

VIEWER = {"email": "viewer@streamflix.local", "password": "streamflix-viewer"}
ADMIN = {"email": "admin@streamflix.local", "password": "streamflix-admin"}
SUBTITLES = b"WEBVTT\n\n00:00:00.000 --> 00:01:00.000\nHello from the e2e test\n"


def watched_page(context):
    """A page of the context whose console errors and page errors are collected."""
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    # which requests failed: the console names only their status
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.request.method} {r.url}") if r.status >= 400 else None
        ),
    )
    page.errors = errors
    return page


@pytest.fixture
def app_page(browser):
    """A signed-out page; a console error fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = watched_page(context)
    yield page
    context.close()
    assert not page.errors, page.errors


@pytest.fixture(scope="session")
def viewer_state(demo_server, browser):
    """Cookies and storage of a browser signed in as the viewer, watching as Alex: signing in
    once for every test keeps within the login and profile-switch throttles."""
    context = browser.new_context()
    sign_in(context.new_page(), demo_server)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def viewer_page(browser, viewer_state, demo_server):
    """A page signed in as the viewer (Alex), on home; a console error fails the test."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, storage_state=viewer_state
    )
    page = watched_page(context)
    open_home(page, demo_server)
    yield page
    context.close()
    assert not page.errors, page.errors


def open_home(page, base: str) -> None:
    page.goto(base + "/")
    page.locator("section.row").first.wait_for(timeout=20_000)


def sign_in(page, base: str, profile: str = "Alex") -> None:
    page.goto(base + "/")
    page.wait_for_url("**/signin?next=*", timeout=20_000)
    page.get_by_label("Email").fill(VIEWER["email"])
    page.get_by_label("Password").fill(VIEWER["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/profiles*", timeout=20_000)
    page.get_by_role("heading", name="Who's watching?").wait_for()
    page.locator(f'[data-profile="{profile}"]').click()
    page.wait_for_url(base + "/", timeout=20_000)
    page.locator("section.row").first.wait_for(timeout=20_000)


def api_call(page, base: str, method: str, path: str, body: object | None = None):
    """A request with the page's cookies (cookie mode) and CSRF token."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.request.fetch(
        base + path,
        method=method,
        headers={"X-CSRFToken": csrf, "Content-Type": "application/json"},
        data=json.dumps(body) if body is not None else None,
    )


def subtitled_title(page, base: str) -> str:
    """A playable film whose playback has subtitles. The seed's clips may still be on the
    worker: wait for one. If none has subtitles, the admin adds a WebVTT track to the first
    playable film through the staff API (said loudly, never skipped)."""
    deadline = time.monotonic() + 300
    playable: list[dict] = []
    while time.monotonic() < deadline:
        listed = page.request.get(base + "/api/media/titles?playable=true&kind=movie&page_size=50")
        playable = listed.json()["items"]
        if playable:
            break
        time.sleep(3)
    assert playable, "no playable film after 5 minutes: the demo seed transcoded nothing"
    first_asset = None
    for title in playable:
        started = api_call(page, base, "POST", f"/api/media/titles/{title['slug']}/playback", {})
        assert started.status == 201, started.text()
        playback = started.json()
        api_call(page, base, "DELETE", f"/api/media/sessions/{playback['session_id']}")
        if playback["subtitles"]:
            return title["slug"]
        first_asset = first_asset or (title["slug"], playback["asset_id"])
    slug, asset_id = first_asset
    print(f"no seeded film has subtitles yet: adding an English track to {slug}")
    token = page.request.post(base + "/api/auth/login", data=ADMIN).json()["access"]
    added = page.request.post(
        base + f"/api/media/assets/{asset_id}/subtitles",
        headers={"Authorization": f"Bearer {token}"},
        multipart={
            "file": {"name": "en.vtt", "mimeType": "text/vtt", "buffer": SUBTITLES},
            "language": "en",
            "name": "English",
        },
    )
    assert added.status == 201, added.text()
    return slug


def test_sign_in_pick_a_profile_and_see_the_home_rows(demo_server, app_page):
    page = app_page
    page.goto(demo_server + "/signin")
    page.get_by_role("heading", name="Sign in").wait_for()
    screenshot(page, "web-signin")
    sign_in(page, demo_server)
    assert page.locator("section.row h2").count() >= 1
    screenshot(page, "web-home")
    # search as you type, typo-tolerant
    first = page.locator(".card").first.get_attribute("data-slug")
    page.get_by_role("link", name="Search").click()
    page.locator("#search-input").press_sequentially(first.replace("-", " ")[:6], delay=40)
    page.locator(".search-hit").first.wait_for(timeout=20_000)
    screenshot(page, "web-search")


def test_play_switch_quality_and_toggle_subtitles(demo_server, viewer_page):
    page = viewer_page
    slug = subtitled_title(page, demo_server)
    page.goto(demo_server + f"/title/{slug}")
    page.locator("#play-button").wait_for(timeout=20_000)
    screenshot(page, "web-title")
    with page.expect_response(f"**/api/media/titles/{slug}/playback") as started:
        page.locator("#play-button").click()
    playback = started.value.json()
    page.wait_for_url(f"**/watch/{slug}", timeout=20_000)
    video = page.locator("video")
    video.wait_for()
    page.wait_for_function("() => document.querySelector('video').readyState >= 2", timeout=60_000)
    if page.evaluate("() => document.querySelector('video').paused"):
        page.locator("#play-toggle").click()
    page.wait_for_function("() => document.querySelector('video').currentTime > 2", timeout=60_000)

    # quality: pick the lowest level in the menu, then the player plays that level
    page.locator("#quality-button").click()
    levels = page.locator("#quality-list [role=menuitemradio]:not([data-value='-1'])")
    lowest = levels.last
    level = lowest.get_attribute("data-value")
    lowest.click()
    chosen = page.locator(f"#quality-list [data-value='{level}']")
    assert chosen.get_attribute("aria-checked") == "true"
    page.wait_for_function(
        f"() => document.querySelector('video').dataset.level === '{level}'", timeout=30_000
    )

    # trickplay: hovering the seek bar shows the tile of that moment
    if playback["trickplay_url"]:
        page.locator(".seek").hover()
        page.locator(".trickplay").wait_for(state="visible", timeout=10_000)
        sprite = page.evaluate(
            "() => getComputedStyle(document.querySelector('.trickplay-image')).backgroundImage"
        )
        sprite_url = sprite.removeprefix('url("').removesuffix('")')
        assert page.request.get(sprite_url).ok, sprite_url
    else:
        print(f"{slug}: the playback has no trickplay_url, so the seek bar shows no thumbnails")

    # subtitles: on, then off with the keyboard's C
    page.locator("#subtitles-button").click()
    page.locator("#subtitles-list [role=menuitemradio]:not([data-value='off'])").first.click()
    page.wait_for_function("() => document.querySelector('video').textTracks[0].mode === 'showing'")
    # one text track per language of the playback (hls.js adds none of its own), so a cue
    # is drawn once
    languages = page.evaluate(
        "() => [...document.querySelector('video').textTracks].map((t) => t.language)"
    )
    assert len(languages) == len(set(languages)), languages
    screenshot(page, "web-player")
    page.locator(".player").focus()
    page.keyboard.press("c")
    page.wait_for_function("() => document.querySelector('video').textTracks[0].mode !== 'showing'")
    # space pauses
    page.keyboard.press(" ")
    page.wait_for_function("() => document.querySelector('video').paused")
    # leaving the player stops its session
    page.locator(".back-link").click()
    page.wait_for_url(f"**/title/{slug}")
    sessions = api_call(page, demo_server, "GET", "/api/media/sessions")
    deadline = time.monotonic() + 10
    while sessions.json() and time.monotonic() < deadline:
        time.sleep(0.5)
        sessions = api_call(page, demo_server, "GET", "/api/media/sessions")
    assert sessions.json() == [], sessions.json()


def test_a_comment_appears_live_in_another_browser(demo_server, browser, viewer_state, viewer_page):
    writer = viewer_page
    slug = writer.locator(".card").first.get_attribute("data-slug")
    reader_context = browser.new_context(storage_state=viewer_state)
    reader = watched_page(reader_context)
    try:
        for page in (writer, reader):
            page.goto(demo_server + f"/title/{slug}")
            page.locator(".live-status.on").wait_for(timeout=20_000)
        text = f"Live from the e2e test {time.time():.0f}"
        writer.get_by_label("Add a comment").fill(text)
        writer.get_by_role("button", name="Post comment").click()
        reader.get_by_text(text).wait_for(timeout=15_000)
        screenshot(reader, "web-live-comments")
    finally:
        reader_context.close()
    assert not reader.errors, reader.errors


def test_the_account_page_and_the_phone_layout(demo_server, viewer_page):
    page = viewer_page
    page.get_by_role("link", name="Account").click()
    page.get_by_role("heading", name="Active streams").wait_for()
    page.locator(".account-section .state.loading").first.wait_for(state="detached", timeout=20_000)
    screenshot(page, "web-account")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(demo_server + "/")
    page.locator("section.row").first.wait_for(timeout=20_000)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "web-home-phone")


def test_cancel_and_resume_the_subscription_from_the_account_page(demo_server, viewer_page):
    page = viewer_page
    page.goto(demo_server + "/account")
    page.get_by_role("button", name="Cancel subscription").click()
    page.get_by_role("button", name="Resume subscription").click()
    page.get_by_role("button", name="Cancel subscription").wait_for(timeout=20_000)


def test_email_links_and_unknown_pages_explain_themselves(demo_server, page):
    # the API refuses the made-up link (400): the page says why instead of going blank
    page.goto(demo_server + "/activate?uid=MQ&token=made-up")
    page.get_by_role("alert").wait_for(timeout=20_000)
    assert page.get_by_role("alert").inner_text().strip()
    page.goto(demo_server + "/reset-password")
    assert "incomplete" in page.get_by_role("alert").inner_text()
    page.goto(demo_server + "/title/no-such-title")
    page.wait_for_url("**/signin?next=*")  # signed out: sign in first
    page.goto(demo_server + "/search-nothing-here")
    assert page.request.get(demo_server + "/search-nothing-here").status == 404


def test_play_an_episode_from_its_series_page(demo_server, viewer_page):
    page = viewer_page
    listed = page.request.get(demo_server + "/api/media/titles?playable=true&kind=series")
    series = listed.json()["items"]
    assert series, "no playable series: e2e's third sample video is a series' first episode"
    slug = series[0]["slug"]
    page.goto(demo_server + f"/title/{slug}")
    page.get_by_role("link", name="Play episode").first.click()
    page.wait_for_url(f"**/watch/{slug}/episodes/*", timeout=20_000)
    page.wait_for_function("() => document.querySelector('video')?.readyState >= 2", timeout=60_000)
    if page.evaluate("() => document.querySelector('video').paused"):
        page.locator("#play-toggle").click()
    page.wait_for_function("() => document.querySelector('video').currentTime > 1", timeout=60_000)
    page.locator(".back-link").click()
    page.wait_for_url(f"**/title/{slug}")


def test_subscribe_through_the_development_checkout(demo_server, app_page):
    # the seeded admin has no subscription: subscribe in the app, pay on the development
    # gateway's page, land back on the account page
    page = app_page
    page.goto(demo_server + "/signin")
    page.get_by_label("Email").fill(ADMIN["email"])
    page.get_by_label("Password").fill(ADMIN["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/profiles*", timeout=20_000)
    page.goto(demo_server + "/subscribe")
    page.locator("[data-plan]").first.wait_for(timeout=20_000)
    screenshot(page, "web-subscribe")
    page.locator("[data-plan]").first.click()
    page.wait_for_url("**/billing/dev/checkout/**", timeout=20_000)
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url("**/account?checkout=success", timeout=20_000)
    page.get_by_text("Your subscription is active").wait_for()
    page.get_by_role("button", name="Cancel subscription").wait_for(timeout=20_000)


def test_a_session_that_ended_sends_the_viewer_to_sign_in_and_back(
    demo_server, browser, viewer_state
):
    context = browser.new_context(storage_state=viewer_state)
    try:
        page = context.new_page()
        open_home(page, demo_server)
        # the server no longer knows this browser (e.g. signed out everywhere)
        context.clear_cookies()
        page.get_by_role("link", name="My List").click()
        page.wait_for_url("**/signin?next=%2Fmy-list", timeout=20_000)
        page.get_by_label("Email").fill(VIEWER["email"])
        page.get_by_label("Password").fill(VIEWER["password"])
        page.get_by_role("button", name="Sign in").click()
        page.locator('[data-profile="Alex"]').click()
        page.wait_for_url("**/my-list", timeout=20_000)
        page.get_by_role("heading", name="My List").wait_for()
    finally:
        context.close()
