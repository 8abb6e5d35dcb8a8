"""The generated sample catalogue."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from streamflix_media.models import Credit, Episode, Title
from streamflix_media.sample_catalog import generate


def test_generator_is_deterministic_and_unique():
    first, second = generate(titles=300), generate(titles=300)
    assert [t.slug for t in first.titles] == [t.slug for t in second.titles]
    assert len({t.slug for t in first.titles}) == 300
    assert any(t.kind == "series" and t.seasons for t in first.titles)
    assert generate(titles=50, seed=1).titles[0].name != generate(titles=50, seed=2).titles[0].name


@pytest.mark.django_db
def test_sample_catalog_command_loads_names_only():
    call_command("media_sample_catalog", "--titles", "20", "--names-only", stdout=io.StringIO())
    assert Title.objects.filter(status=Title.Status.PUBLISHED).count() == 20
    assert not Credit.objects.exists()
    assert not Episode.objects.exists()
    names = set(Title.objects.values_list("name", flat=True))
    assert names == {t.name for t in generate(titles=20, details=False).titles}
