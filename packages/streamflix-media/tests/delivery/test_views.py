import json
from urllib.parse import urlsplit

import pytest
from django.test import RequestFactory

from streamflix_media.delivery import (
    grant,
    serve_hls_file,
)
from streamflix_media.transcoding import transcode_and_publish
from streamflix_media.transcoding.hls import parse_master_playlist, parse_media_playlist

BASE = "/media/hls/"


@pytest.fixture(scope="package")
def published(clip_720, fast_options, tmp_path_factory):
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=str(tmp_path_factory.mktemp("delivery")))
    result = transcode_and_publish(
        clip_720, storage=storage, prefix="hls/7/v1", options=fast_options
    )
    return storage, result


def get(storage, url, **headers):
    parts = urlsplit(url)
    assert parts.path.startswith(BASE)
    request = RequestFactory().get(url, headers=headers)
    return serve_hls_file(request, storage=storage, path=parts.path[len(BASE) :], base_url=BASE)


def body(response):
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def test_the_view_serves_a_filtered_fully_signed_ladder(published):
    storage, _ = published
    g = grant("hls/7/v1", ttl=600, max_height=480)
    response = get(storage, f"{BASE}hls/7/v1/master.m3u8?{g.query()}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apple.mpegurl"
    assert response["Cache-Control"] == "private, no-store"
    master = parse_master_playlist(response.content.decode())
    assert [v.attributes["RESOLUTION"] for v in master.variants] == [
        "426x240",
        "640x360",
        "854x480",
    ]
    fetched = 0
    for uri in master.uris():
        assert "sig=" in uri
        playlist = get(storage, uri)
        assert playlist.status_code == 200, uri
        for segment_uri in parse_media_playlist(playlist.content.decode()).uris():
            assert "sig=" in segment_uri
            segment = get(storage, segment_uri)
            assert segment.status_code == 200 and len(body(segment)) > 0
            fetched += 1
    assert fetched > 10


def test_the_trickplay_index_is_signed(published):
    storage, result = published
    g = grant("hls/7/v1", ttl=600)
    response = get(storage, f"{BASE}hls/7/v1/{result.trickplay.vtt}?{g.query()}")
    text = response.content.decode()
    line = next(line for line in text.splitlines() if "#xywh=" in line)
    url, _, fragment = line.partition("#xywh=")
    assert fragment == "0,0,160,90" and "sig=" in url
    assert get(storage, url)["Content-Type"] == "image/jpeg"


def test_range_requests(published):
    storage, _ = published
    g = grant("hls/7/v1", ttl=600)
    name = "hls/7/v1/poster.jpg"
    data = storage.open(name).read()
    url = f"{BASE}{name}?{g.query()}"
    whole = get(storage, url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert body(whole) == data
    part = get(storage, url, Range="bytes=10-19")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 10-19/{len(data)}"
    assert body(part) == data[10:20]
    tail = get(storage, url, Range="bytes=-5")
    assert body(tail) == data[-5:]
    open_ended = get(storage, url, Range=f"bytes={len(data) - 3}-")
    assert body(open_ended) == data[-3:]
    assert get(storage, url, Range=f"bytes={len(data)}-").status_code == 416
    assert get(storage, url, Range="bytes=5-2").status_code == 416
    assert get(storage, url, Range="items=0-1").status_code == 416
    head = serve_hls_file(RequestFactory().head(url), storage=storage, path=name, base_url=BASE)
    assert head.status_code == 200 and head["Content-Length"] == str(len(data))


def test_the_view_answers_403_for_bad_signatures_and_404_for_missing_files(published):
    storage, _ = published
    unsigned = get(storage, f"{BASE}hls/7/v1/master.m3u8")
    assert unsigned.status_code == 403
    assert json.loads(unsigned.content) == {
        "detail": "This URL is not signed.",
        "code": "invalid_signature",
    }
    expired = grant("hls/7/v1", ttl=-1)
    response = get(storage, f"{BASE}hls/7/v1/master.m3u8?{expired.query()}")
    assert (
        response.status_code == 403 and json.loads(response.content)["code"] == "signature_expired"
    )
    other = grant("hls/8/v1", ttl=600)
    assert get(storage, f"{BASE}hls/7/v1/master.m3u8?{other.query()}").status_code == 403
    capped = grant("hls/7/v1", ttl=600, max_height=360)
    response = get(storage, f"{BASE}hls/7/v1/720p/index.m3u8?{capped.query()}")
    assert (
        response.status_code == 403
        and json.loads(response.content)["code"] == "rendition_not_allowed"
    )
    ok = grant("hls/7/v1", ttl=600)
    assert get(storage, f"{BASE}hls/7/v1/nope.m3u8?{ok.query()}").status_code == 404
    post = RequestFactory().post(f"{BASE}hls/7/v1/master.m3u8?{ok.query()}")
    assert (
        serve_hls_file(
            post, storage=storage, path="hls/7/v1/master.m3u8", base_url=BASE
        ).status_code
        == 405
    )
