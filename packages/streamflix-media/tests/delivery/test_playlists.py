from streamflix_media.delivery import (
    filter_master,
    rewrite_playlist,
)
from streamflix_media.transcoding.hls import parse_master_playlist

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


PORTRAIT_AND_HEVC = """#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=600000,RESOLUTION=240x426,CODECS="avc1.42c015"
240p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=3300000,RESOLUTION=720x1280,CODECS="avc1.42c01f"
720p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2100000,RESOLUTION=720x1280,CODECS="hvc1.1.6.L93.90"
720p-hevc/index.m3u8
"""


def test_filter_master_measures_portrait_variants_by_the_short_side():
    kept = parse_master_playlist(filter_master(PORTRAIT_AND_HEVC, 720))
    assert len(kept.variants) == 3
    capped = parse_master_playlist(filter_master(PORTRAIT_AND_HEVC, 480))
    assert [v.uri for v in capped.variants] == ["240p/index.m3u8"]


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
