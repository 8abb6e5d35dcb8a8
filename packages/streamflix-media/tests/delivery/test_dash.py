"""The DASH manifest through signed delivery: filtered by the grant's max height, every
segment URL signed like HLS's, refused without a valid signature."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.test import RequestFactory

from streamflix_media.delivery import grant, serve_hls_file, url_builder
from streamflix_media.delivery.playlists import rewrite_mpd
from streamflix_media.transcoding import transcode_and_publish
from streamflix_media.transcoding.dash import MPD_NAMESPACE

BASE = "/media/hls/"
NS = {"d": MPD_NAMESPACE}


@pytest.fixture(scope="module")
def published(clip_720, fast_options, tmp_path_factory):
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=str(tmp_path_factory.mktemp("dash")))
    result = transcode_and_publish(
        clip_720, storage=storage, prefix="hls/8/v1", options=fast_options
    )
    return storage, result


def get(storage, url):
    parts = urlsplit(url)
    request = RequestFactory().get(url)
    return serve_hls_file(request, storage=storage, path=parts.path[len(BASE) :], base_url=BASE)


def parse(text: str | bytes) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - the manifest our own transcoder wrote


def heights(mpd: ET.Element) -> list[int]:
    return [int(r.get("height")) for r in mpd.iterfind(".//d:Representation[@height]", NS)]


def test_the_mpd_is_served_filtered_and_every_url_in_it_is_signed(published):
    storage, result = published
    assert result.dash == "manifest.mpd"
    g = grant("hls/8/v1", ttl=600, max_height=360)
    response = get(storage, f"{BASE}hls/8/v1/manifest.mpd?{g.query()}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/dash+xml"
    assert response["Cache-Control"] == "private, no-store"
    mpd = parse(response.content)
    assert heights(mpd) == [240, 360]
    video = mpd.find(".//d:AdaptationSet[@contentType='video']", NS)
    assert video.get("maxHeight") == "360" and video.get("maxWidth") == "640"
    urls = [e.get("sourceURL") for e in mpd.iterfind(".//d:Initialization", NS)]
    urls += [e.get("media") for e in mpd.iterfind(".//d:SegmentURL", NS)]
    assert urls and all(u.startswith(BASE) and "sig=" in u for u in urls)
    assert not any("/720p/" in u for u in urls)
    for url in urls:
        served = get(storage, url)
        assert served.status_code == 200, url


def test_without_a_cap_every_rung_is_listed(published):
    storage, result = published
    g = grant("hls/8/v1", ttl=600)
    mpd = parse(get(storage, f"{BASE}hls/8/v1/manifest.mpd?{g.query()}").content)
    assert heights(mpd) == sorted(r.rung.height for r in result.renditions)


def test_a_cap_below_every_rung_keeps_the_lowest():
    text = """<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011"><Period>
    <AdaptationSet maxHeight="720" maxWidth="1280">
    <Representation id="a" height="480" width="854"><SegmentList>
    <Initialization sourceURL="480p/init.mp4"/><SegmentURL media="480p/s1.m4s"/></SegmentList>
    </Representation>
    <Representation id="b" height="720" width="1280"/></AdaptationSet>
    <AdaptationSet><Representation id="au"><SegmentList><SegmentURL media="https://cdn/x.m4s"/>
    </SegmentList></Representation></AdaptationSet></Period></MPD>"""
    out = parse(
        rewrite_mpd(text, path="p/manifest.mpd", max_height=240, url_for=lambda p: f"<{p}>")
    )
    assert heights(out) == [480]
    assert out.find(".//d:AdaptationSet", NS).get("maxHeight") == "480"
    assert out.find(".//d:Initialization", NS).get("sourceURL") == "<p/480p/init.mp4>"
    media = [e.get("media") for e in out.iterfind(".//d:SegmentURL", NS)]
    assert media == ["<p/480p/s1.m4s>", "https://cdn/x.m4s"]


def test_the_mpd_refuses_bad_signatures(published):
    storage, _ = published
    unsigned = get(storage, f"{BASE}hls/8/v1/manifest.mpd")
    assert unsigned.status_code == 403
    expired = grant("hls/8/v1", ttl=-1)
    response = get(storage, f"{BASE}hls/8/v1/manifest.mpd?{expired.query()}")
    assert response.status_code == 403
    assert json.loads(response.content)["code"] == "signature_expired"
    forged = grant("hls/8/v1", ttl=600).query().replace("sig=", "sig=0")
    response = get(storage, f"{BASE}hls/8/v1/manifest.mpd?{forged}")
    assert response.status_code == 403
    assert json.loads(response.content)["code"] == "invalid_signature"
    other = grant("hls/9/v1", ttl=600)
    assert get(storage, f"{BASE}hls/8/v1/manifest.mpd?{other.query()}").status_code == 403
    # A capped grant still refuses a taller rung's segment named by hand.
    capped = grant("hls/8/v1", ttl=600, max_height=360)
    tall = get(storage, f"{BASE}hls/8/v1/720p/seg_00000.m4s?{capped.query()}")
    assert tall.status_code == 403
    assert json.loads(tall.content)["code"] == "rendition_not_allowed"


def test_on_s3_the_mpd_names_presigned_segment_urls(published, s3_storage):
    storage, _ = published
    with storage.open("hls/8/v1/manifest.mpd") as fh:
        text = fh.read().decode()
    g = grant("hls/8/v1", ttl=600, max_height=360)
    url_for = url_builder(s3_storage, g, BASE)
    mpd = parse(rewrite_mpd(text, path="hls/8/v1/manifest.mpd", max_height=360, url_for=url_for))
    media = [e.get("media") for e in mpd.iterfind(".//d:SegmentURL", NS)]
    assert media and all(m.startswith(s3_storage.endpoint_url) for m in media)
    assert all("X-Amz-Signature=" in m and "/media/hls/8/v1/" in m for m in media)
