"""The viewer web app (sites/demo/web/): its built ``index.html`` answers every app route, so
the browser's history routing works on a reload or a pasted link. WhiteNoise serves the
built assets (``/assets/...``) from the same directory (``WHITENOISE_ROOT``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.utils.html import escape
from django.views.decorators.http import require_safe
from whitenoise.middleware import WhiteNoiseMiddleware

# The app's own pages; anything else keeps its 404. Keep in step with web/src/router.ts.
APP_ROUTES = (
    "signin",
    "register",
    "forgot-password",
    "activate",
    "reset-password",
    "confirm-email",
    "profiles",
    "browse",
    "search",
    "my-list",
    "title",
    "watch",
    "account",
    "subscribe",
)

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Streamflix: the web app is not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;
line-height:1.5;background:#141414;color:#eee}}code{{background:#333;padding:.1rem .3rem}}
a{{color:#e50914}}</style></head>
<body><h1>The viewer web app is not built yet</h1>
<p>This site serves the app from <code>{directory}</code>, which has no
<code>index.html</code>. <code>make demo</code> builds it; by hand:</p>
<pre><code>cd sites/demo/web
npm ci
npm run build</code></pre>
<p>Then reload this page. Meanwhile the API is at <a href="/api/docs">/api/docs</a> and the
admin at <a href="/admin/">/admin/</a>.</p></body></html>
"""


class WebAppWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise over the web app's build and the collected static files, unless
    ``STREAMFLIX_SERVE_STATIC`` is off (a proxy or CDN serves them); a directory that does not
    exist yet (an unbuilt app, static files not collected) is skipped quietly. Files are
    listed when the process starts: restart the server after a build."""

    def add_files(self, root: str, prefix: str | None = None) -> None:
        if settings.STREAMFLIX_SERVE_STATIC and root and Path(root).is_dir():
            super().add_files(root, prefix)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The app's ``index.html``, never cached (it names the current hashed assets); a page
    that explains how to build the app when it is missing."""
    directory = settings.STREAMFLIX_WEB_APP_DIR
    page = directory / "index.html"
    try:
        body = page.read_bytes()
    except FileNotFoundError:
        response = HttpResponse(NOT_BUILT.format(directory=escape(str(directory))), status=503)
    else:
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def urlpatterns() -> list:
    routes = "|".join(APP_ROUTES)
    return [
        re_path(r"^$", index, name="web-app"),
        re_path(rf"^(?:{routes})(?:/.*)?$", index),
    ]
