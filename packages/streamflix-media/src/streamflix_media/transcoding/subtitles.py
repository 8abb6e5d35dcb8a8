"""SRT or WebVTT in, validated WebVTT out."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InvalidSubtitles

MAX_SUBTITLE_BYTES = 5 * 1024 * 1024
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_TIMING = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})(.*)$"
)
_TAGS_SRT_ONLY = re.compile(r"</?font[^>]*>|\{\\[^}]*\}", re.IGNORECASE)


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    settings: str = ""
    identifier: str = ""


def parse_timestamp(value: str) -> float:
    parts = value.replace(",", ".").split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[-3]) if len(parts) == 3 else 0
    if minutes > 59 or seconds >= 60:
        raise InvalidSubtitles(f"Timestamp {value!r} is out of range.")
    return hours * 3600 + minutes * 60 + seconds


def format_timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}"


def decode(data: bytes | str) -> str:
    """Text of a subtitle file: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if len(data) > MAX_SUBTITLE_BYTES:
        raise InvalidSubtitles(f"The subtitle file is larger than {MAX_SUBTITLE_BYTES} bytes.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InvalidSubtitles("The subtitle file is not valid UTF-16.") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_cues(text: str) -> tuple[str, list[Cue]]:
    """Cues of an SRT or WebVTT document, and which one it was (``"srt"`` / ``"vtt"``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kind = "vtt" if text.lstrip().startswith("WEBVTT") else "srt"
    if kind == "vtt":
        header = text.lstrip().split("\n", 1)[0]
        if not re.match(r"^WEBVTT($|[ \t])", header):
            raise InvalidSubtitles("A WebVTT file must start with 'WEBVTT'.")
    blocks = [b for b in re.split(r"\n[ \t]*\n", text.strip()) if b.strip()]
    if kind == "vtt":
        blocks = blocks[1:] if blocks and blocks[0].startswith("WEBVTT") else blocks
    cues: list[Cue] = []
    for block in blocks:
        lines = block.split("\n")
        if kind == "vtt" and lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_at = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing_at is None or timing_at > 1:
            raise InvalidSubtitles(f"Cue without a timing line: {lines[0][:60]!r}")
        match = _TIMING.match(lines[timing_at])
        if not match:
            raise InvalidSubtitles(f"Malformed timing line: {lines[timing_at][:80]!r}")
        start, end = parse_timestamp(match.group(1)), parse_timestamp(match.group(2))
        if end <= start:
            raise InvalidSubtitles(f"Cue ends before it starts: {lines[timing_at]!r}")
        body = "\n".join(lines[timing_at + 1 :]).strip()
        if kind == "srt":
            body = _TAGS_SRT_ONLY.sub("", body)
            settings = ""
        else:
            settings = match.group(3).strip()
        identifier = lines[0].strip() if timing_at == 1 else ""
        if "-->" in identifier:
            raise InvalidSubtitles("A cue identifier may not contain '-->'.")
        cues.append(Cue(start, end, body.replace("-->", "->"), settings, identifier))
    if not cues:
        raise InvalidSubtitles("The subtitle file has no cues.")
    return kind, cues


def render_webvtt(cues: list[Cue], *, timestamp_map: str | None = None) -> str:
    """A WebVTT document. ``timestamp_map`` is the ``X-TIMESTAMP-MAP`` value HLS needs to line
    the cues up with the media segments' timestamps."""
    out = ["WEBVTT"]
    if timestamp_map:
        out[0] += f"\nX-TIMESTAMP-MAP={timestamp_map}"
    for cue in sorted(cues, key=lambda c: (c.start, c.end)):
        timing = f"{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}"
        if cue.settings:
            timing += f" {cue.settings}"
        block = [cue.identifier] if cue.identifier else []
        block += [timing, cue.text] if cue.text else [timing]
        out.append("\n".join(block))
    return "\n\n".join(out) + "\n"


def to_webvtt(data: bytes | str, *, timestamp_map: str | None = None) -> str:
    """Convert an SRT or WebVTT file to validated WebVTT; raise ``InvalidSubtitles`` if bad."""
    _, cues = parse_cues(decode(data))
    return render_webvtt(cues, timestamp_map=timestamp_map)


def validate_language(language: str) -> str:
    """A BCP 47-style language tag (``en``, ``pt-BR``); raise ``InvalidSubtitles`` if not."""
    if not _LANGUAGE.match(language):
        raise InvalidSubtitles(f"{language!r} is not a language tag such as 'en' or 'pt-BR'.")
    return language


def language_name(language: str) -> str:
    """A display name for a language tag (Django's list), else the tag itself."""
    from django.utils.translation import get_language_info

    try:
        return str(get_language_info(language.lower())["name"])
    except KeyError:
        try:
            return str(get_language_info(language.split("-")[0].lower())["name"])
        except KeyError:
            return language
