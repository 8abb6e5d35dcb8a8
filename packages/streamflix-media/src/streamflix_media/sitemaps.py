"""``/stream/sitemap-video.xml`` (``media:video-sitemap``): a Google video sitemap of the
published titles that play. Each entry points at the title's player page
(``SITEMAP_PLAYER_PATH``, ``/watch/<slug>`` in the demo's web app) and at its real backdrop
(else poster) image as the thumbnail."""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from .conf import settings
from .images import image_variant_urls
from .models import Title
from .selectors import sitemap_titles

#: Google asks for thumbnails of at least 160x90; 16:9 backdrops this wide look sharp.
THUMBNAIL_MIN_WIDTH = 640

_NAMESPACES = (
    'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:video="http://www.google.com/schemas/sitemap-video/1.1"'
)


def thumbnail_url(title: Title) -> str | None:
    """The URL of ``title``'s sitemap thumbnail: a 16:9 backdrop (the smallest stored
    variant at least ``THUMBNAIL_MIN_WIDTH`` wide, else the original), else the poster the
    same way; ``None`` without images."""
    for field in ("backdrop", "poster"):
        variants = image_variant_urls(getattr(title, f"{field}_variants"))
        by_width = sorted((int(key[1:]), url) for key, url in variants.items() if key[1:].isdigit())
        wide = [url for width, url in by_width if width >= THUMBNAIL_MIN_WIDTH]
        if wide:
            return wide[0]
        image = getattr(title, field)
        if image:
            return str(image.url)
        if by_width:
            return by_width[-1][1]
    return None


@require_GET
def video_sitemap(request: HttpRequest) -> HttpResponse:
    """One ``<url>`` per playable published title, with its player page, thumbnail and
    facts."""
    player_path = settings().SITEMAP_PLAYER_PATH
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', f"<urlset {_NAMESPACES}>"]
    for title in sitemap_titles():
        page = request.build_absolute_uri(player_path.format(slug=title.slug))
        thumbnail = thumbnail_url(title)
        # ``video_duration``: annotated by ``sitemap_titles``.
        seconds = getattr(title, "video_duration", None) or (title.runtime_minutes or 0) * 60
        video = [
            f"<video:thumbnail_loc>{escape(request.build_absolute_uri(thumbnail))}"
            "</video:thumbnail_loc>"
            if thumbnail
            else "",
            f"<video:title>{escape(title.name)}</video:title>",
            f"<video:description>{escape(title.synopsis or title.name)}</video:description>",
            f"<video:player_loc>{escape(page)}</video:player_loc>",
            f"<video:duration>{max(1, round(seconds))}</video:duration>" if seconds else "",
            f"<video:publication_date>{title.published_at.isoformat()}</video:publication_date>"
            if title.published_at
            else "",
            f"<video:family_friendly>{'yes' if title.maturity_rating <= 7 else 'no'}"
            "</video:family_friendly>",
        ]
        parts.append(
            f"<url><loc>{escape(page)}</loc><video:video>{''.join(video)}</video:video></url>"
        )
    parts.append("</urlset>")
    return HttpResponse("\n".join(parts), content_type="application/xml; charset=utf-8")
