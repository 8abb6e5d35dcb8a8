"""Signed, expiring playback URLs, scoped to one asset version's storage prefix.

A grant is ``(scope, expiry, max height, session)`` signed with an HMAC-SHA256 key derived
from ``SECRET_KEY`` (``SECRET_KEY_FALLBACKS`` are accepted while keys rotate). It opens only
files under ``<scope>/``, so a URL signed for one asset never opens another's files (nor the
raw sources, which live outside every HLS prefix), and, when it carries a max height, no
rendition taller than that. A grant issued to a playback session carries the session's id:
the signature alone does not open anything then, the session must also be live (the
serving view asks), and an expired grant of a session that still sends heartbeats is renewed.
"""

from __future__ import annotations

import hmac
import posixpath
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings as django_settings
from django.utils.crypto import salted_hmac

from streamflix_core.errors import NotPermitted

SALT = "streamflix_media.delivery.signing"
#: A rung's directory: its class, and a codec suffix for the HEVC/AV1 rungs (``720p-hevc``).
_RUNG_DIR = re.compile(r"^(\d+)p(?:-[a-z0-9]+)?$")


class SignatureError(NotPermitted):
    """The URL is unsigned, tampered with, or not valid for this file (403)."""

    code = "invalid_signature"


class SignatureExpired(SignatureError):
    code = "signature_expired"


class RenditionNotAllowed(SignatureError):
    code = "rendition_not_allowed"


@dataclass(frozen=True)
class Grant:
    """What a verified signature allows."""

    scope: str
    expires: int
    max_height: int | None = None
    session: str | None = None

    def query(self) -> str:
        """The query string (``scope=...&exp=...&mh=...&ps=...&sig=...``) of this grant."""
        params = {"scope": self.scope, "exp": str(self.expires)}
        if self.max_height:
            params["mh"] = str(self.max_height)
        if self.session:
            params["ps"] = self.session
        params["sig"] = _signature(self, django_settings.SECRET_KEY)
        return urlencode(params, safe="/")

    @property
    def seconds_left(self) -> int:
        return max(0, self.expires - int(time.time()))


def _message(grant: Grant) -> str:
    message = f"{grant.scope}\n{grant.expires}\n{grant.max_height or 0}"
    return f"{message}\n{grant.session}" if grant.session else message


def _signature(grant: Grant, secret: str) -> str:
    return salted_hmac(SALT, _message(grant), secret=secret, algorithm="sha256").hexdigest()[:40]


def normalise_scope(scope: str) -> str:
    scope = scope.strip("/")
    if not scope or posixpath.normpath(scope) != scope or scope.startswith(".."):
        raise ValueError(f"Invalid scope {scope!r}.")
    return scope


def grant(
    scope: str,
    *,
    ttl: int | None = None,
    max_height: int | None = None,
    session: str | None = None,
    now: float | None = None,
) -> Grant:
    """A grant over ``scope`` (an asset version's prefix) for ``ttl`` seconds
    (default ``PLAYBACK_URL_TTL_SECONDS``), optionally capped at ``max_height`` and bound to
    the playback ``session`` (its id)."""
    if ttl is None:
        from ..conf import settings

        ttl = settings().PLAYBACK_URL_TTL_SECONDS
    now = time.time() if now is None else now
    return Grant(normalise_scope(scope), int(now) + int(ttl), max_height or None, session or None)


def check_path(path: str) -> str:
    """``path`` if it is a clean relative storage path (no ``..``, no backslash, no NUL)."""
    if (
        not path
        or path.startswith("/")
        or "\\" in path
        or "\x00" in path
        or posixpath.normpath(path) != path
        or ".." in path.split("/")
    ):
        raise SignatureError("Invalid file path.")
    return path


def verify(
    path: str,
    params: Mapping[str, str],
    *,
    now: float | None = None,
    renewed: Callable[[str], bool] | None = None,
) -> Grant:
    """The grant carried by ``params`` if it opens ``path``; raise a ``SignatureError`` if not.

    Checks, in order: the parameters are present and well formed; the HMAC matches (constant
    time, current key or a fallback); the grant has not expired (a session's grant past its
    expiry still holds while ``renewed(session_id)`` says the session sends heartbeats);
    ``path`` lies inside the grant's scope; ``path`` is not in a rendition above the grant's
    max height. Whether a session is live is the caller's check.
    """
    check_path(path)
    try:
        scope = normalise_scope(params["scope"])
        expires = int(params["exp"])
        max_height = int(params["mh"]) if params.get("mh") else None
        session = str(params["ps"]) if params.get("ps") else None
        signature = params["sig"]
    except (KeyError, ValueError) as exc:
        raise SignatureError("This URL is not signed.") from exc
    claimed = Grant(scope, expires, max_height, session)
    secrets = [django_settings.SECRET_KEY, *getattr(django_settings, "SECRET_KEY_FALLBACKS", [])]
    # compared as bytes: compare_digest refuses str with non-ASCII characters (a TypeError)
    offered = str(signature).encode()
    if not any(hmac.compare_digest(_signature(claimed, key).encode(), offered) for key in secrets):
        raise SignatureError("The URL signature is invalid.")
    if (time.time() if now is None else now) >= expires and not (
        session and renewed is not None and renewed(session)
    ):
        raise SignatureExpired("This URL has expired.")
    if not path.startswith(scope + "/"):
        raise SignatureError("This URL does not open that file.")
    if max_height:
        for part in path[len(scope) + 1 :].split("/")[:-1]:
            match = _RUNG_DIR.match(part)
            if match and int(match.group(1)) > max_height:
                raise RenditionNotAllowed("This rendition is above the allowed resolution.")
    return claimed


def signed_url(base_url: str, path: str, grant: Grant) -> str:
    """``<base_url><path>?<grant query>``; ``base_url`` ends with ``/`` (e.g. ``/media/hls/``)."""
    return f"{base_url}{path}?{grant.query()}"
