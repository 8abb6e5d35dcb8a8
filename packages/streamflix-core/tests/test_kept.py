"""Values a process keeps beside the shared cache: live until their copy expires, bounded."""

from __future__ import annotations

import time

from streamflix_core.kept import KeptCopies


def test_a_kept_value_is_live_until_its_shared_copy_expires(monkeypatch):
    kept: KeptCopies[str] = KeptCopies(max_entries=8)
    now = time.time()
    kept.keep("a", "value", expires=now + 30, version="v1")
    found = kept.live("a")
    assert found is not None and (found.value, found.version) == ("value", "v1")
    monkeypatch.setattr(time, "time", lambda: now + 31)
    assert kept.live("a") is None


def test_kept_values_are_bounded():
    kept: KeptCopies[int] = KeptCopies(max_entries=3)
    for number in range(10):
        kept.keep(number, number, expires=time.time() + 30)
        assert len(kept) <= 3
    assert kept.live(9) is not None
