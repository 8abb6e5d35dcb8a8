"""The generated sample catalogue."""

from __future__ import annotations

from streamflix_media.sample_catalog import generate


def test_generator_is_deterministic_and_unique():
    first, second = generate(titles=300), generate(titles=300)
    assert [t.slug for t in first.titles] == [t.slug for t in second.titles]
    assert len({t.slug for t in first.titles}) == 300
    assert any(t.kind == "series" and t.seasons for t in first.titles)
    assert generate(titles=50, seed=1).titles[0].name != generate(titles=50, seed=2).titles[0].name
