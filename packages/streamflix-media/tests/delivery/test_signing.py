from urllib.parse import parse_qsl

import pytest

from streamflix_core.api.errors import status_for
from streamflix_media.delivery import (
    RenditionNotAllowed,
    SignatureError,
    SignatureExpired,
    grant,
    verify,
)

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


def test_a_capped_grant_also_closes_taller_hevc_and_av1_rungs():
    p = params(grant("hls/1/v2", ttl=60, max_height=480, now=NOW))
    verify("hls/1/v2/480p-hevc/index.m3u8", p, now=NOW)
    for path in ("720p-hevc/index.m3u8", "1080p-av1/seg_00000.m4s"):
        with pytest.raises(RenditionNotAllowed):
            verify(f"hls/1/v2/{path}", p, now=NOW)


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
