"""``/stream/sitemap-video.xml`` (``media:video-sitemap``): a Google video sitemap of the
published titles."""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from .conf import settings
from .images import image_variant_urls
from .selectors import sitemap_titles

_NAMESPACES = (
    'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:video="http://www.google.com/schemas/sitemap-video/1.1"'
)


@require_GET
def video_sitemap(request: HttpRequest) -> HttpResponse:
    """One ``<url>`` per published title, with its player page, thumbnail and facts."""
    player_path = settings().SITEMAP_PLAYER_PATH
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', f"<urlset {_NAMESPACES}>"]
    for title in sitemap_titles():
        page = request.build_absolute_uri(player_path.format(slug=title.slug))
        thumbnail = next(iter(image_variant_urls(title.poster_variants).values()), None) or (
            title.poster.url if title.poster else None
        )
        video = [
            f"<video:thumbnail_loc>{escape(request.build_absolute_uri(thumbnail))}"
            "</video:thumbnail_loc>"
            if thumbnail
            else "",
            f"<video:title>{escape(title.name)}</video:title>",
            f"<video:description>{escape(title.synopsis or title.name)}</video:description>",
            f"<video:player_loc>{escape(page)}</video:player_loc>",
            f"<video:duration>{title.runtime_minutes * 60}</video:duration>"
            if title.runtime_minutes
            else "",
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
