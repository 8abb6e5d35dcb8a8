"""The search index alone (no database): each query class of the 100,000-title benchmark
(``bench/bench_search.py``) at 2,000 generated titles, and the rankings behind them."""

from __future__ import annotations

import random
import string

import pytest

from streamflix_media.sample_catalog import generate
from streamflix_media.search import PersonEntry, SearchIndex, TitleEntry, normalize

QUERIES = 200


def entry(number: int, name: str, maturity_rating: int = 0, original_name: str = "") -> TitleEntry:
    return TitleEntry(
        id=number, slug=f"t{number}", name=name, kind="movie", year=2000,
        maturity_rating=maturity_rating, original_name=original_name,
    )  # fmt: skip


@pytest.fixture(scope="module")
def generated() -> list[TitleEntry]:
    catalog = generate(titles=2000, details=False)
    return [
        entry(n, t.name, t.maturity_rating, t.original_name if t.original_name != t.name else "")
        for n, t in enumerate(catalog.titles)
    ]


@pytest.fixture(scope="module")
def index(generated) -> SearchIndex:
    return SearchIndex(generated)


def with_typos(text: str, edits: int, rng: random.Random) -> str:
    for _ in range(edits):
        i = rng.randrange(len(text) - 1)
        letter = rng.choice(string.ascii_lowercase)
        text = [
            text[:i] + text[i + 1 :],
            text[:i] + letter + text[i:],
            text[:i] + letter + text[i + 1 :],
            text[:i] + text[i + 1] + text[i] + text[i + 2 :],
        ][rng.randrange(4)]
    return text


def contained_by(words: list[str], titles: list[TitleEntry]) -> int:
    """How many titles have every word of ``words`` (the last as a beginning)."""
    *whole, last = words
    count = 0
    for title in titles:
        names = [normalize(n).split() for n in (title.name, title.original_name) if n]
        count += any(
            all(w in name for w in whole) and any(n.startswith(last) for n in name)
            for name in names
        )
    return count


def recall_at_10(index: SearchIndex, queries: list[tuple[str, int]]) -> float:
    found = sum(
        any(hit.entry.id == target for hit in index.search(query, limit=10))
        for query, target in queries
    )
    return found / len(queries)


@pytest.mark.parametrize("edits", [1, 2])
def test_titles_with_typos_are_found(index, generated, edits):
    rng = random.Random(edits)
    targets = [rng.randrange(len(generated)) for _ in range(QUERIES)]
    queries = [(with_typos(generated[t].name, edits, rng), t) for t in targets]
    assert recall_at_10(index, queries) >= 0.99


def test_titles_are_found_from_words_out_of_order(index, generated):
    rng = random.Random(3)
    queries = []
    for target in (rng.randrange(len(generated)) for _ in range(QUERIES)):
        words = generated[target].name.lower().split()
        shuffled = list(words)
        while shuffled == words:
            rng.shuffle(shuffled)
        queries.append((" ".join(shuffled), target))
    assert recall_at_10(index, queries) >= 0.99


def test_titles_are_found_from_part_of_their_name(index, generated):
    """The beginning of a name cut anywhere, or its words with some left out; only the
    partials that at most ten titles contain (more have no single right answer)."""
    rng = random.Random(4)
    queries: list[tuple[str, int]] = []
    while len(queries) < QUERIES:
        target = rng.randrange(len(generated))
        words = normalize(generated[target].name).split()
        if rng.randrange(2):
            text = " ".join(words)
            typed = text[: rng.randrange(2, len(text))].strip()
        else:
            left_out = set(rng.sample(range(len(words)), rng.randrange(1, len(words))))
            typed = " ".join(w for i, w in enumerate(words) if i not in left_out)
        if typed and contained_by(typed.split(), generated) <= 10:
            queries.append((typed, target))
    assert recall_at_10(index, queries) >= 0.99


def test_words_out_of_order_find_the_title_among_similar_ones(generated):
    similar = [
        "Silver Lion", "The Silver Lion II", "The Silver Lions", "Silver Lion of Paris",
        "The Lion of Silver Lake", "The Silver Line", "The Golden Lion", "Lion", "The Silver",
        "Silverlion", "The Lion Sleeps", "Silver Linings of the Lion King",
    ]  # fmt: skip
    titles = [*generated, *(entry(10_000 + n, name) for n, name in enumerate(similar))]
    titles.append(entry(20_000, "The Silver Lion"))
    hits = SearchIndex(titles).search("lion silver the", limit=10)
    assert hits[0].entry.name == "The Silver Lion"


def test_names_containing_every_word_rank_above_near_misses():
    index = SearchIndex(
        [entry(1, "Fearless Nights of Lagos"), entry(2, "Night of Lagos"),
         entry(3, "The Night of Lagos"), entry(4, "Nights of Lima")]
    )  # fmt: skip
    assert index.search("nights of lagos")[0].entry.id == 1


def test_names_with_the_stopwords_typed_rank_first():
    index = SearchIndex([entry(1, "Emerald Valley"), entry(2, "Emerald Roads of the Valley")])
    assert [hit.entry.id for hit in index.search("emerald of valley")] == [2, 1]


def test_a_last_letter_begins_a_word():
    index = SearchIndex(
        [entry(1, "Theater of Rome"), entry(2, "The Theater of Everywhere"),
         entry(3, "Theater of Lima"), entry(4, "Theater of Roma")]
    )  # fmt: skip
    assert index.search("theater of e")[0].entry.id == 2


def test_a_transposition_is_one_typo():
    others = ["Amber Lie of Seoul", "Ancient Lie", "Bitter Lie", "Dark Lie of Athens", "Lie"]
    index = SearchIndex(
        [*(entry(n, name) for n, name in enumerate(others, start=2)), entry(1, "Little Lie")]
    )
    assert index.search("ilttel lie")[0].entry.id == 1


def test_titles_above_the_maturity_limit_are_left_out_of_every_match():
    index = SearchIndex(
        [entry(1, "Silver Lion", maturity_rating=18), entry(2, "Silver Lion of Rome"),
         entry(3, "Silver Lions", maturity_rating=18)]
    )  # fmt: skip
    for query in ("lion silver", "silver li", "silvr lion", "silver lion"):
        assert [hit.entry.id for hit in index.search(query, maturity_limit=13)] == [2], query


def test_people_are_found_by_words_like_those_typed():
    people = [PersonEntry(1, "ada-lovelace", "Ada Lovelace"), PersonEntry(2, "ben", "Ben Chen")]
    index = SearchIndex([entry(1, "Lighthouse")], people)
    for query in ("ada lovelace", "ada lovelce", "lovelace ada", "ada lov", "lovelace"):
        hits = index.search(query)
        assert [(hit.type, hit.entry.id) for hit in hits] == [("person", 1)], query
    assert index.search("lighthouse")[0].type == "title"


def test_names_beginning_with_the_query_rank_first_among_many_containing_it():
    short = [entry(n, f"Border {word}") for n, word in enumerate(string.ascii_lowercase, 2)]
    longer = [entry(n, f"The Border {word}") for n, word in enumerate(string.ascii_lowercase, 40)]
    index = SearchIndex([*short, *longer, entry(1, "Border of Eldorado")])
    # "el" is a stopword: every name with "border" contains the query.
    assert index.search("border of el")[0].entry.id == 1
    assert {hit.entry.name for hit in index.search("the", limit=5)} <= {t.name for t in longer}
