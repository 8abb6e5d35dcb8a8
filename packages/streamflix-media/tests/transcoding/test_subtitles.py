import pytest

from streamflix_core.api.errors import status_for
from streamflix_media.transcoding import InvalidSubtitles, to_webvtt
from streamflix_media.transcoding.subtitles import (
    format_timestamp,
    language_name,
    parse_cues,
    validate_language,
)


def test_srt_becomes_webvtt():
    srt = (
        "1\r\n00:00:01,000 --> 00:00:02,500\r\nHi {\\an8}<i>there</i>\r\n\r\n"
        "2\r\n01:00:00,000 --> 01:00:01,001\r\nA\r\nB\r\n"
    )
    assert to_webvtt(srt) == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nHi <i>there</i>\n\n"
        "2\n01:00:00.000 --> 01:00:01.001\nA\nB\n"
    )


def test_webvtt_is_normalised_keeping_settings_and_dropping_notes():
    vtt = (
        "\ufeffWEBVTT - a title\n\nNOTE hidden\n\nSTYLE\n::cue { color: red }\n\n"
        "intro\n00:05.000 --> 00:06.000 align:start\nHey --> you\n"
    )
    out = to_webvtt(vtt.encode())
    assert out == "WEBVTT\n\nintro\n00:00:05.000 --> 00:00:06.000 align:start\nHey -> you\n"
    assert parse_cues(out)[1][0].identifier == "intro"


def test_cues_are_sorted_and_the_timestamp_map_is_written():
    srt = "00:00:05,000 --> 00:00:06,000\nlater\n\n00:00:01,000 --> 00:00:02,000\nfirst\n"
    out = to_webvtt(srt, timestamp_map="MPEGTS:126000,LOCAL:00:00:00.000")
    assert out.startswith("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\n\n")
    assert out.index("first") < out.index("later")


def test_legacy_encodings_are_read():
    data = "1\n00:00:01,000 --> 00:00:02,000\nCafé\n".encode("cp1252")
    assert "Café" in to_webvtt(data)
    assert "Café" in to_webvtt("1\n00:00:01,000 --> 00:00:02,000\nCafé\n".encode("utf-16"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("", "no cues"),
        ("WEBVTT\n", "no cues"),
        ("just some text\nmore text\n", "timing"),
        ("1\n00:00:02,000 --> 00:00:01,000\nbackwards\n", "ends before"),
        ("1\n00:00:01,000 -> 00:00:02,000\nbad arrow\n", "timing"),
        ("1\n00:61:01,000 --> 00:62:02,000\nbad minutes\n", "out of range"),
        ("WEBVTTX\n\n00:01.000 --> 00:02.000\nx\n", "start with"),
        # A UTF-16 BOM followed by a lone surrogate (and an odd byte count).
        (b"\xff\xfe\x00\xd8x", "UTF-16"),
    ],
)
def test_invalid_files_are_rejected(data, message):
    with pytest.raises(InvalidSubtitles, match=message) as exc:
        to_webvtt(data)
    assert exc.value.code == "invalid_subtitles" and status_for(exc.value) == 422


def test_languages():
    assert validate_language("pt-BR") == "pt-BR"
    with pytest.raises(InvalidSubtitles):
        validate_language("english!")
    assert language_name("en") == "English"
    assert language_name("pt-BR") == "Brazilian Portuguese"
    assert language_name("tlh") == "tlh"


def test_timestamps_format():
    assert format_timestamp(3725.0456) == "01:02:05.046"
