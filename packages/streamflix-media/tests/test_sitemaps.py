"""The video sitemap: playable titles only, their player pages and their real images."""

from __future__ import annotations

from xml.dom.minidom import parseString

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from streamflix_media.models import Episode, Season, Title, VideoAsset
from streamflix_media.services.catalog import title_image_set
from streamflix_media.services.watching import playable_refresh
from tests.api.test_catalog_writes import png

pytestmark = pytest.mark.usefixtures("media_settings")

NS = "http://www.google.com/schemas/sitemap-video/1.1"


def _ready(title: Title | None = None, episode: Episode | None = None, **fields) -> VideoAsset:
    asset = VideoAsset.objects.create(
        role="episode" if episode else "feature",
        title=title,
        episode=episode,
        status=VideoAsset.Status.READY,
        output_prefix=f"hls/{(title or episode).pk}/v1",
        **fields,
    )
    playable_refresh(
        title_ids=[title.pk] if title else [], episode_ids=[episode.pk] if episode else []
    )
    return asset


def _sitemap(client: Client) -> dict[str, dict[str, str]]:
    response = client.get("/stream/sitemap-video.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    entries = {}
    for video in parseString(response.content).getElementsByTagNameNS(NS, "video"):  # noqa: S318
        fields = {
            node.localName: node.firstChild.nodeValue
            for node in video.childNodes
            if node.firstChild is not None
        }
        entries[fields["title"]] = fields
    return entries


def test_only_titles_that_play_are_listed(make_title):
    playing = make_title("Harbor & Sons", synopsis="Boats <and> more.", runtime_minutes=90)
    _ready(playing, duration=24.4)
    make_title("No Video Yet")
    make_title("Hidden", published=False)
    processing = make_title("Still Transcoding")
    VideoAsset.objects.create(role="feature", title=processing, status="processing")
    series = make_title("A Show", kind=Title.Kind.SERIES, runtime_minutes=30)
    _ready(episode=Episode.objects.create(season=Season.objects.create(title=series, number=1),
                                         number=1))  # fmt: skip
    entries = _sitemap(Client())
    assert set(entries) == {"Harbor & Sons", "A Show"}
    harbor = entries["Harbor & Sons"]
    assert harbor["description"] == "Boats <and> more."
    # The real video's length, not the catalog's runtime.
    assert harbor["duration"] == "24"
    assert entries["A Show"]["duration"] == "1800"


def test_player_pages_follow_the_setting(make_title, settings):
    _ready(make_title("Night Train", slug="night-train"))
    assert _sitemap(Client())["Night Train"]["player_loc"] == "http://testserver/watch/night-train"
    settings.STREAMFLIX_MEDIA = {
        **settings.STREAMFLIX_MEDIA,
        "SITEMAP_PLAYER_PATH": "/play/{slug}/",
    }
    entry = _sitemap(Client())["Night Train"]
    assert entry["player_loc"] == "http://testserver/play/night-train/"


def test_thumbnails_are_the_titles_real_images(make_title):
    """A backdrop's 780 px variant, else the poster's; nothing without images."""
    client = Client()
    with_backdrop = make_title("Wide")
    title_image_set(title=with_backdrop, field="poster", upload=png(800, 1200))
    title_image_set(title=with_backdrop, field="backdrop", upload=png(1280, 720))
    poster_only = make_title("Tall")
    title_image_set(title=poster_only, field="poster", upload=png(800, 1200))
    bare = make_title("Bare")
    for title in (with_backdrop, poster_only, bare):
        _ready(title)
    entries = _sitemap(client)
    with_backdrop.refresh_from_db()
    poster_only.refresh_from_db()
    for entry, name in (
        (entries["Wide"], with_backdrop.backdrop_variants["w780"]),
        (entries["Tall"], poster_only.poster_variants["w780"]),
    ):
        assert default_storage.exists(name)
        assert entry["thumbnail_loc"] == "http://testserver" + default_storage.url(name)
    assert "thumbnail_loc" not in entries["Bare"]


def test_the_sitemap_is_read_only(client):
    assert client.post("/stream/sitemap-video.xml").status_code == 405
