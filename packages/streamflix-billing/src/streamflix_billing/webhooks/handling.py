"""What every webhook handler shares: the ``Ignored`` outcome and Stripe's timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


class Ignored(Exception):
    """The event needs no change (unknown object, stale state); recorded as ``ignored``."""


def from_timestamp(value: Any) -> datetime | None:
    """A Stripe Unix timestamp as an aware UTC datetime (``None`` when absent)."""
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)
