"""Copies a process keeps of values it read from (or wrote to) the shared cache.

A value whose shared copy is tied to a version (the catalog's, an account's) is the same
value while that version is current and the copy has not expired, so a process may keep
what it built from it and ask the shared cache only for the version. ``KeptCopies`` holds
such values with the version and the expiry of the copy they came from; it is bounded
(emptied when full) and drops nothing else: the caller checks the version.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Kept(Generic[T]):
    value: T
    #: The version of the shared copy the value came from ("" when the key names it).
    version: str
    #: When that shared copy expires (``time.time()``).
    expires: float


class KeptCopies(Generic[T]):
    """At most ``max_entries`` kept values by key."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: dict[object, Kept[T]] = {}

    def live(self, key: object) -> Kept[T] | None:
        """The kept value of ``key`` while its shared copy has not expired."""
        kept = self._entries.get(key)
        if kept is None or kept.expires <= time.time():
            return None
        return kept

    def keep(self, key: object, value: T, *, expires: float, version: str = "") -> T:
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = Kept(value, version, expires)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[object]:
        return iter(list(self._entries))

    def clear(self) -> None:
        self._entries.clear()
