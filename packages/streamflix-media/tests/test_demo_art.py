"""Generated posters and backdrops of the demo catalog."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from streamflix_media.demo_art import (
    BACKDROP_SIZE,
    POSTER_SIZE,
    render_backdrop,
    render_poster,
    seed_images,
)
from streamflix_media.models import Title

pytestmark = pytest.mark.usefixtures("media_settings")


def _image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_art_is_a_jpeg_of_its_size_and_the_same_for_the_same_title():
    poster = render_poster("The Golden Harbor of Kyoto", "the-golden-harbor", ["drama"], 1994)
    backdrop = render_backdrop("the-golden-harbor", ["drama"])
    assert _image(poster).format == "JPEG" and _image(poster).size == POSTER_SIZE
    assert _image(backdrop).size == BACKDROP_SIZE
    assert render_poster("The Golden Harbor of Kyoto", "the-golden-harbor", ["drama"], 1994) == (
        poster
    )


def test_titles_of_one_genre_still_look_different():
    first = _image(render_poster("Iron Wolf", "iron-wolf", ["horror"])).resize((20, 30))
    second = _image(render_poster("Quiet Road", "quiet-road", ["horror"])).resize((20, 30))
    other_genre = _image(render_poster("Iron Wolf", "iron-wolf", ["comedy"])).resize((20, 30))
    pixels = first.tobytes()
    assert pixels != second.tobytes()
    assert pixels != other_genre.tobytes()


def test_a_long_title_is_wrapped_inside_the_poster():
    name = "The Extraordinarily Long and Winding Adventures of Nobody in Particular"
    image = _image(render_poster(name, "long", ["drama"]))
    assert image.size == POSTER_SIZE


def test_seed_gives_every_title_art_in_the_api_sizes_once(make_title, drama, settings, api):
    make_title("Night Harbor", genres=[drama])
    make_title("Ada's Lighthouse", maturity_rating=0)
    out = io.StringIO()
    assert seed_images(out) == 2
    assert "2/2" in out.getvalue()
    poster_widths = settings.STREAMFLIX_MEDIA.get("POSTER_WIDTHS", (185, 342, 780))
    for title in Title.objects.all():
        assert set(title.poster_variants) == {f"w{w}" for w in poster_widths}
        assert set(title.backdrop_variants) == {"w780", "w1280"}
        for key, name in {**title.poster_variants, **title.backdrop_variants}.items():
            with default_storage.open(name, "rb") as fh, Image.open(fh) as image:
                assert image.width == int(key[1:]), (key, image.size)
    body = api.get("/api/media/titles/night-harbor").json()
    assert body["poster"] and body["backdrop"], body
    assert set(body["poster_variants"]) == {f"w{w}" for w in poster_widths}
    names = {t.pk: (t.poster.name, t.backdrop.name) for t in Title.objects.all()}
    again = io.StringIO()
    assert seed_images(again) == 0
    assert "every title has a poster" in again.getvalue()
    assert names == {t.pk: (t.poster.name, t.backdrop.name) for t in Title.objects.all()}
