"""Who is watching: the one function other plugins use to learn the current viewer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

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

    Anonymous requests get ``STREAMFLIX_CORE["ANONYMOUS_MATURITY_LIMIT"]``; signed-in users
    without profiles get the top of the scale.
    """
    from .conf import settings

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Viewer(user=user, profile=None, maturity_limit=settings().ANONYMOUS_MATURITY_LIMIT)
    return Viewer(user=user, profile=None, maturity_limit=int(Maturity.AGE_18))
