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


# Stripe's timestamps are whole seconds since 1970. Bounded well inside what datetime and
# the databases hold, so that dates derived from them (periods, grace) cannot overflow.
EARLIEST_TIMESTAMP = 0
LATEST_TIMESTAMP = int(datetime(3000, 1, 1, tzinfo=UTC).timestamp())


class InvalidTimestamp(Unprocessable, ValueError):
    """A timestamp field that is not whole seconds between 1970 and 3000: the event can
    never apply (``Unprocessable``); at receipt it is a bad body (``ValueError``)."""


def from_timestamp(value: Any) -> datetime | None:
    """A Stripe Unix timestamp as an aware UTC datetime (``None`` when absent).

    Raises :class:`InvalidTimestamp` for anything but whole seconds from 1970 to 3000.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTimestamp(f"a timestamp is whole seconds, not a {type(value).__name__}")
    if not EARLIEST_TIMESTAMP <= value < LATEST_TIMESTAMP:
        raise InvalidTimestamp("a timestamp lies between 1970 and 3000")
    return datetime.fromtimestamp(value, tz=UTC)
