"""What every webhook handler shares: the ``Ignored`` and ``Unprocessable`` outcomes and
Stripe's timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


class Ignored(Exception):
    """The event needs no change (unknown object, stale state); recorded as ``ignored``."""


class Unprocessable(Exception):
    """The event can never apply as it stands (retrying cannot help); recorded as ``failed``
    without a retry and logged for staff, who can replay it from the admin once fixed."""


def from_timestamp(value: Any) -> datetime | None:
    """A Stripe Unix timestamp as an aware UTC datetime (``None`` when absent)."""
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)
