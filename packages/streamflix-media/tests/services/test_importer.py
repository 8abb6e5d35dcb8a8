from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from streamflix_media.models import Credit, Episode, Genre, Person, Title

pytestmark = pytest.mark.django_db

CSV = """kind,name,year,maturity_rating,countries,genres,directors,actors,status,exclusive
movie,Iron Harbor,2001,13,US|GB,Drama|Thriller,Ada Chen,Ben Silva|Clara Rossi,published,yes
series,Glass Orchard,2019,7,FR,Drama,,Clara Rossi,draft,no
"""


def test_csv_import(tmp_path):
    source = tmp_path / "catalog.csv"
    source.write_text(CSV)
    call_command("media_import_catalog", str(source))
    harbor = Title.objects.get(slug="iron-harbor")
    assert harbor.status == "published" and harbor.published_at and harbor.exclusive
    assert harbor.countries == ["US", "GB"]
    assert sorted(harbor.genres.values_list("slug", flat=True)) == ["drama", "thriller"]
    assert Credit.objects.filter(title=harbor).count() == 3
    assert Person.objects.count() == 3 and Genre.objects.count() == 2
    assert Title.objects.get(slug="glass-orchard").status == "draft"


def test_json_import_with_seasons(tmp_path):
    Genre.objects.create(name="Drama", slug="drama")
    document = {
        "people": [{"name": "Ada Chen"}],
        "titles": [
            {
                "kind": "series", "name": "Glass Orchard", "genres": ["drama"],
                "credits": [{"person": "ada-chen", "role": "creator"}],
                "seasons": [{"number": 1, "episodes": [{"number": 1, "name": "Pilot"}]}],
            }
        ],
    }  # fmt: skip
    source = tmp_path / "catalog.json"
    source.write_text(json.dumps(document))
    call_command("media_import_catalog", str(source))
    assert Episode.objects.get().season.title.slug == "glass-orchard"


def test_bad_rows_are_reported_and_nothing_is_saved(tmp_path):
    Title.objects.create(name="Taken", slug="taken")
    bad = CSV + (
        "movie,Taken,2001,13,US,Drama,,,published,no\n"
        "movie,Broken,nineteen,12,USA,Drama,,,published,no\n"
        "opera,Odd,2000,0,US,,,,draft,no\n"
    )
    source = tmp_path / "catalog.csv"
    source.write_text(bad)
    with pytest.raises(CommandError) as failure:
        call_command("media_import_catalog", str(source))
    message = str(failure.value)
    assert "Nothing was imported" in message
    assert "titles row 3 (taken): a title with slug 'taken' already exists" in message
    assert "titles row 4 (Broken): year:" in message
    assert "maturity_rating:" in message and "countries:" in message
    assert "titles row 5 (Odd): kind:" in message
    assert Title.objects.count() == 1
    assert not Person.objects.exists() and not Genre.objects.exists()


def test_json_unknown_references_and_syntax(tmp_path):
    source = tmp_path / "catalog.json"
    source.write_text(json.dumps({"titles": [
        {"name": "A", "genres": ["nope"], "credits": [{"person": "bob", "role": "actor"}]},
        {"name": "B", "kind": "movie", "seasons": [{"number": 1}]},
        {"name": "A"},
    ]}))  # fmt: skip
    with pytest.raises(CommandError) as failure:
        call_command("media_import_catalog", str(source))
    message = str(failure.value)
    assert "unknown genre 'nope'" in message and "unknown person 'bob'" in message
    assert "only a series has seasons" in message and "appears twice" in message
    source.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("media_import_catalog", str(source))
    with pytest.raises(CommandError, match="no such file"):
        call_command("media_import_catalog", str(tmp_path / "missing.json"))
    assert not Title.objects.exists()
