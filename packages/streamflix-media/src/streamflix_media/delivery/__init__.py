"""Playback delivery: signed expiring URLs, playlist filtering and rewriting, file serving."""

from .links import url_builder
from .playlists import filter_master, rewrite_playlist, rewrite_trickplay_vtt
from .signing import (
    Grant,
    RenditionNotAllowed,
    SignatureError,
    SignatureExpired,
    grant,
    signed_url,
    verify,
)
from .views import SessionAccess, SessionEndedError, SessionGate, range_response, serve_hls_file

__all__ = [
    "Grant",
    "RenditionNotAllowed",
    "SessionAccess",
    "SessionEndedError",
    "SessionGate",
    "SignatureError",
    "SignatureExpired",
    "filter_master",
    "grant",
    "range_response",
    "rewrite_playlist",
    "rewrite_trickplay_vtt",
    "serve_hls_file",
    "signed_url",
    "url_builder",
    "verify",
]
