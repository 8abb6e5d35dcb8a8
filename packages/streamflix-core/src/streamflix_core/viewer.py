"""Who is watching: the one function other plugins use to learn the current viewer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from .errors import NotPermitted
from .maturity import Maturity


@dataclass(frozen=True)
class Viewer:
    """The user, the profile they are watching as (``None`` when anonymous or unknown) and
    the maturity limit that applies (a :class:`~streamflix_core.maturity.Maturity` value)."""

    user: Any
    profile: Any
    maturity_limit: int

    @property
    def is_authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    @property
    def is_staff(self) -> bool:
        return self.is_authenticated and bool(getattr(self.user, "is_staff", False))

    @property
    def profile_id(self) -> Any:
        return getattr(self.profile, "pk", None)


def current_viewer(request: HttpRequest) -> Viewer:
    """The viewer of ``request``.

    Anonymous requests get ``STREAMFLIX_CORE["ANONYMOUS_MATURITY_LIMIT"]``. A signed-in
    request watches as the profile named by its access token's ``profile_id`` claim (set by
    ``POST /api/profiles/{id}/switch``, or at login), with that profile's maturity limit.
    A token without the claim watches as the user's default profile, unless that profile
    has a PIN: then no profile is selected yet ("Who's watching?") and the viewer has
    ``profile=None`` and the anonymous maturity limit, until the client switches to a
    profile (with its PIN). A user without any profile gets the top of the scale. A token
    whose profile no longer exists is refused (401). The result is cached on the request.
    """
    from .conf import settings
    from .selectors import viewer_profile
    from .services.tokens import PROFILE_CLAIM

    cached = getattr(request, "_streamflix_viewer", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Viewer(user=user, profile=None, maturity_limit=settings().ANONYMOUS_MATURITY_LIMIT)
    token = getattr(request, "access_token", None)
    profile_id = token.get(PROFILE_CLAIM) if token is not None else None
    viewer = viewer_for(user, profile_id, viewer_profile(user=user, profile_id=profile_id))
    request._streamflix_viewer = viewer  # type: ignore[attr-defined]
    return viewer


def viewer_for(user: Any, profile_id: Any, profile: Any) -> Viewer:
    """The viewer of a signed-in ``user`` whose token names ``profile_id`` (maybe ``None``),
    given the profile that resolves to (:func:`streamflix_core.selectors.viewer_profile`):
    the rules :func:`current_viewer` describes. Raises Ninja's ``AuthenticationError`` (401)
    for a token whose profile no longer exists."""
    from ninja.errors import AuthenticationError

    from .conf import settings

    if profile is None and profile_id is not None:
        raise AuthenticationError()
    if profile_id is None and profile is not None and profile.pin_hash:
        # Only the PIN opens this profile; a token that never chose it stays outside it.
        return Viewer(user=user, profile=None, maturity_limit=settings().ANONYMOUS_MATURITY_LIMIT)
    limit = int(profile.maturity_limit) if profile is not None else int(Maturity.AGE_18)
    return Viewer(user=user, profile=profile, maturity_limit=limit)


class ProfileRequired(NotPermitted):
    code = "profile_required"


def require_profile(viewer: Viewer) -> Any:
    """The viewer's profile; 403 ``profile_required`` while none is chosen (an account at
    "Who's watching?", or one without profiles). Per-viewer data is keyed by profile."""
    if viewer.profile is None:
        raise ProfileRequired("Choose who's watching first (switch to a profile).")
    return viewer.profile
