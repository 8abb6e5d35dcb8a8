"""Language tags of audio tracks: ffmpeg's ISO 639-2 tags to the short BCP 47 tags playlists
carry, and the name each language calls itself (what a player shows in its audio menu)."""

from __future__ import annotations

import re

UNDETERMINED = "und"
_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

#: ISO 639-2 (bibliographic and terminologic codes) -> ISO 639-1, for the languages met most.
_TWO_LETTER = {
    "ara": "ar", "bul": "bg", "cat": "ca", "ces": "cs", "cze": "cs", "chi": "zh", "zho": "zh",
    "dan": "da", "deu": "de", "ger": "de", "ell": "el", "gre": "el", "eng": "en", "spa": "es",
    "est": "et", "fin": "fi", "fra": "fr", "fre": "fr", "heb": "he", "hin": "hi", "hrv": "hr",
    "hun": "hu", "ind": "id", "ita": "it", "jpn": "ja", "kor": "ko", "lit": "lt", "lav": "lv",
    "msa": "ms", "may": "ms", "nld": "nl", "dut": "nl", "nor": "no", "nob": "nb", "nno": "nn",
    "pol": "pl", "por": "pt", "ron": "ro", "rum": "ro", "rus": "ru", "slk": "sk", "slo": "sk",
    "slv": "sl", "srp": "sr", "swe": "sv", "tha": "th", "tur": "tr", "ukr": "uk", "vie": "vi",
}  # fmt: skip

#: Each language's name in that language.
_NATIVE_NAMES = {
    "ar": "العربية", "bg": "Български", "ca": "Català", "cs": "Čeština", "da": "Dansk",
    "de": "Deutsch", "el": "Ελληνικά", "en": "English", "es": "Español", "et": "Eesti",
    "fi": "Suomi", "fr": "Français", "he": "עברית", "hi": "हिन्दी", "hr": "Hrvatski",
    "hu": "Magyar", "id": "Bahasa Indonesia", "it": "Italiano", "ja": "日本語", "ko": "한국어",
    "lt": "Lietuvių", "lv": "Latviešu", "ms": "Bahasa Melayu", "nb": "Norsk bokmål",
    "nl": "Nederlands", "nn": "Norsk nynorsk", "no": "Norsk", "pl": "Polski",
    "pt": "Português", "pt-br": "Português (Brasil)", "ro": "Română", "ru": "Русский",
    "sk": "Slovenčina", "sl": "Slovenščina", "sr": "Српски", "sv": "Svenska", "th": "ไทย",
    "tr": "Türkçe", "uk": "Українська", "vi": "Tiếng Việt", "zh": "中文",
    UNDETERMINED: "Original",
}  # fmt: skip


def normalise_language(tag: str | None) -> str:
    """The BCP 47 tag of a stream's language tag: ``eng`` -> ``en``, ``pt-BR`` unchanged,
    a code we do not know kept as it is, and ``und`` when missing or malformed."""
    tag = (tag or "").strip()
    if not tag or not _TAG.match(tag):
        return UNDETERMINED
    primary, _, rest = tag.partition("-")
    primary = _TWO_LETTER.get(primary.lower(), primary.lower())
    return f"{primary}-{rest}" if rest else primary


def display_name(language: str) -> str:
    """The name ``language`` calls itself (``de`` -> ``Deutsch``), else the tag itself."""
    key = language.lower()
    return _NATIVE_NAMES.get(key) or _NATIVE_NAMES.get(key.split("-")[0]) or language
