"""S3 output and delivery through django-storages against a moto server over real HTTP."""

import html
import re
import urllib.request
from urllib.parse import urlsplit

import pytest
from django.test import RequestFactory

from streamflix_media.delivery import grant, serve_hls_file
from streamflix_media.transcoding import (
    TranscodeError,
    delete_prefix,
    list_prefix,
    transcode_and_publish,
)
from streamflix_media.transcoding.hls import parse_master_playlist, parse_media_playlist

BASE = "/media/hls/"


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the moto server
        return response.status, response.headers, response.read()


def test_transcode_publish_and_play_from_s3(clip_720, s3_storage, fast_options):
    result = transcode_and_publish(
        clip_720, storage=s3_storage, prefix="hls/9/v1", options=fast_options
    )
    names = list_prefix(s3_storage, "hls/9/v1")
    assert {n.removeprefix("hls/9/v1/") for n in names} == set(result.files)
    key = s3_storage.bucket.Object("media/hls/9/v1/master.m3u8")
    assert key.content_type == "application/vnd.apple.mpegurl"
    assert s3_storage.bucket.Object("media/hls/9/v1/240p/seg_00000.m4s").content_type == (
        "video/iso.segment"
    )

    g = grant("hls/9/v1", ttl=300, max_height=360)
    request = RequestFactory().get(f"{BASE}hls/9/v1/master.m3u8?{g.query()}")
    response = serve_hls_file(
        request, storage=s3_storage, path="hls/9/v1/master.m3u8", base_url=BASE
    )
    master = parse_master_playlist(response.content.decode())
    assert [v.uri.split("?")[0] for v in master.variants] == [
        "/media/hls/hls/9/v1/240p/index.m3u8",
        "/media/hls/hls/9/v1/360p/index.m3u8",
    ]
    variant = master.variants[0].uri
    parts = urlsplit(variant)
    request = RequestFactory().get(variant)
    media = serve_hls_file(request, storage=s3_storage, path=parts.path[len(BASE) :], base_url=BASE)
    playlist = parse_media_playlist(media.content.decode())
    for uri in playlist.uris():
        assert uri.startswith(s3_storage.endpoint_url)
        assert "X-Amz-Signature=" in uri and "X-Amz-Expires=" in uri
        status, _, data = fetch(uri)
        assert status == 200 and data
    # The DASH manifest is rewritten the same way: capped, segments presigned on the bucket.
    request = RequestFactory().get(f"{BASE}hls/9/v1/manifest.mpd?{g.query()}")
    mpd = serve_hls_file(request, storage=s3_storage, path="hls/9/v1/manifest.mpd", base_url=BASE)
    assert mpd.status_code == 200 and b'height="720"' not in mpd.content
    media = re.findall(r'media="([^"]+)"', mpd.content.decode())
    assert media and all(m.startswith(s3_storage.endpoint_url) for m in media)
    status, _, data = fetch(html.unescape(media[0]))
    assert status == 200 and data
    # A non-playlist file asked of Django on S3 is redirected to a presigned URL.
    poster = RequestFactory().get(f"{BASE}hls/9/v1/poster.jpg?{g.query()}")
    redirect = serve_hls_file(poster, storage=s3_storage, path="hls/9/v1/poster.jpg", base_url=BASE)
    assert redirect.status_code == 302
    assert fetch(redirect["Location"])[2][:2] == b"\xff\xd8"

    assert delete_prefix(s3_storage, "hls/9/v1") == len(names)
    assert list_prefix(s3_storage, "hls/9/v1") == []


def test_a_failed_run_leaves_nothing_on_s3(truncated_clip, s3_storage, fast_options):
    with pytest.raises(TranscodeError):
        transcode_and_publish(
            truncated_clip, storage=s3_storage, prefix="hls/10/v1", options=fast_options
        )
    assert list_prefix(s3_storage, "hls/10/v1") == []
