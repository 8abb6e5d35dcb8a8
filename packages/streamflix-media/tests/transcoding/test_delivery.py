import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import RequestFactory

from streamflix_core.api.errors import status_for
from streamflix_media.delivery import (
    RenditionNotAllowed,
    SignatureError,
    SignatureExpired,
    filter_master,
    grant,
    rewrite_playlist,
    serve_hls_file,
    verify,
)
from streamflix_media.transcoding import transcode_and_publish
from streamflix_media.transcoding.hls import parse_master_playlist, parse_media_playlist

BASE = "/media/hls/"
NOW = 1_800_000_000


def params(g):
    return dict(parse_qsl(g.query()))


def test_a_grant_opens_files_inside_its_scope_until_it_expires():
    g = grant("hls/1/v2", ttl=60, now=NOW)
    assert verify("hls/1/v2/720p/seg_00001.m4s", params(g), now=NOW + 59) == g
    with pytest.raises(SignatureExpired) as exc:
        verify("hls/1/v2/master.m3u8", params(g), now=NOW + 60)
    assert exc.value.code == "signature_expired" and status_for(exc.value) == 403


def test_a_grant_lasts_playback_url_ttl_by_default(settings):
    from streamflix_media.conf import MediaSettings

    settings.STREAMFLIX_MEDIA = {"PLAYBACK_URL_TTL_SECONDS": 120}
    assert grant("hls/1/v2", now=NOW).expires == NOW + 120
    assert not hasattr(MediaSettings, "SIGNED_URL_TTL_SECONDS")


def test_a_grant_never_opens_another_assets_files():
    p = params(grant("hls/1/v2", ttl=60, now=NOW))
    for other in (
        "hls/2/v2/master.m3u8",  # another asset
        "hls/1/v1/master.m3u8",  # another version of the same asset
        "hls/1/v20/master.m3u8",  # a prefix that merely starts alike
        "hls/1/v2/../../2/v2/master.m3u8",  # traversal
        "hls/1/v2/./master.m3u8",
        "sources/1/original.mp4",  # the raw upload
        "/hls/1/v2/master.m3u8",
    ):
        with pytest.raises(SignatureError):
            verify(other, p, now=NOW)


@pytest.mark.parametrize(
    "tamper",
    [
        {"exp": str(NOW + 10_000)},
        {"scope": "hls/2/v2"},
        {"sig": "0" * 40},
        {"mh": "1080"},
        {"sig": ""},
    ],
)
def test_tampered_urls_are_rejected(tamper):
    p = {**params(grant("hls/1/v2", ttl=60, max_height=480, now=NOW)), **tamper}
    with pytest.raises(SignatureError) as exc:
        verify("hls/1/v2/master.m3u8", p, now=NOW)
    assert exc.value.code == "invalid_signature"


def test_dropping_the_max_height_is_tampering_and_taller_rungs_are_closed():
    p = params(grant("hls/1/v2", ttl=60, max_height=480, now=NOW))
    verify("hls/1/v2/480p/index.m3u8", p, now=NOW)
    with pytest.raises(RenditionNotAllowed):
        verify("hls/1/v2/720p/seg_00000.m4s", p, now=NOW)
    p.pop("mh")
    with pytest.raises(SignatureError):
        verify("hls/1/v2/480p/index.m3u8", p, now=NOW)


def test_unsigned_urls_are_rejected():
    with pytest.raises(SignatureError, match="not signed"):
        verify("hls/1/v2/master.m3u8", {}, now=NOW)


def test_signatures_depend_on_the_secret_key_and_survive_rotation(settings):
    p = params(grant("hls/1/v2", ttl=60, now=NOW))
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key"
    with pytest.raises(SignatureError):
        verify("hls/1/v2/master.m3u8", p, now=NOW)
    settings.SECRET_KEY_FALLBACKS = [old_key]
    verify("hls/1/v2/master.m3u8", p, now=NOW)


MASTER = """#EXTM3U
#EXT-X-VERSION:6
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Main",URI="audio/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=600000,RESOLUTION=426x240,CODECS="avc1.42c015,mp4a.40.2"
240p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1600000,RESOLUTION=854x480,CODECS="avc1.42c01e,mp4a.40.2"
480p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=3300000,RESOLUTION=1280x720,CODECS="avc1.42c01f,mp4a.40.2"
720p/index.m3u8
"""


def test_filter_master_drops_rungs_above_the_max_height():
    filtered = parse_master_playlist(filter_master(MASTER, 480))
    assert [v.uri for v in filtered.variants] == ["240p/index.m3u8", "480p/index.m3u8"]
    assert filtered.media[0]["URI"] == "audio/index.m3u8"
    assert filter_master(MASTER, None) == MASTER
    assert len(parse_master_playlist(filter_master(MASTER, 2160)).variants) == 3
    # Below the lowest rung the lowest is kept rather than leaving nothing to play.
    lowest = parse_master_playlist(filter_master(MASTER, 144))
    assert [v.uri for v in lowest.variants] == ["240p/index.m3u8"]


def test_rewrite_playlist_resolves_every_uri():
    text = rewrite_playlist(MASTER, path="hls/1/v1/master.m3u8", url_for=lambda p: f"<{p}>")
    assert 'URI="<hls/1/v1/audio/index.m3u8>"' in text
    assert "<hls/1/v1/720p/index.m3u8>" in text.splitlines()
    media = (
        '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="init_0.mp4"\n'
        "#EXTINF:2,\nseg_0.m4s\n#EXT-X-ENDLIST\n"
    )
    out = rewrite_playlist(media, path="hls/1/v1/240p/index.m3u8", url_for=lambda p: f"/x/{p}")
    assert '#EXT-X-MAP:URI="/x/hls/1/v1/240p/init_0.mp4"' in out
    assert "/x/hls/1/v1/240p/seg_0.m4s" in out


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
