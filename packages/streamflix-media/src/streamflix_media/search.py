"""Typo-tolerant search over published titles, original names, people and genres.

The index lives in each process and is rebuilt when the catalog version in the shared cache
changes (bumped after every committed catalog write), so several processes stay right.

Ranking: words of the query are matched to indexed words allowing one or two typos (a swap
of neighbouring letters is one), the last word also as the beginning of one. Candidates are
the names containing every word typed (stopwords aside, in any order), then those containing
every word allowing typos, then those matching all words but one. Exact and prefix matches
of the whole query rank first, then the names containing every word typed (those with the
query's stopwords too, then the closest in length, first), then those containing every word
with typos, then the rest by rapidfuzz similarity to the whole query (as typed, without
spaces, words sorted). People and genre matches are weighted below title matches.
"""

from __future__ import annotations

import heapq
import threading
import unicodedata
import uuid
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain, islice, pairwise
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

VERSION_KEY = "streamflix_media:catalog_version"
_STOPWORDS = frozenset({"the", "of", "a", "an", "and", "in", "on", "la", "le", "el", "de"})
_CANDIDATES = 5000
_EXACT_BONUS = 30.0
_PREFIX_BONUS = 15.0
_CONTAINS_SCORE = 95.0
_CLOSE_SCORE = 90.0


def normalize(text: str) -> str:
    """Lower case, accents and punctuation removed, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = [ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)]
    return " ".join("".join(kept).split())


@dataclass(frozen=True)
class TitleEntry:
    id: int
    slug: str
    name: str
    kind: str
    year: int | None
    maturity_rating: int
    original_name: str = ""
    genre_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PersonEntry:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class GenreEntry:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class Hit:
    type: str
    score: float
    entry: Any


class _WordIndex:
    """The words of some texts: which texts (by number) have each, and the words like one
    typed."""

    def __init__(self, texts: list[str]) -> None:
        postings: dict[str, list[int]] = defaultdict(list)
        for number, text in enumerate(texts):
            for word in set(text.split()):
                postings[word].append(number)
        self.postings = dict(postings)
        self.vocabulary = list(self.postings)
        self.vocabulary_sorted = sorted(self.vocabulary)

    def similar(self, word: str, *, last: bool) -> set[str]:
        """Indexed words within a typo budget of ``word`` (a transposition is one typo); for
        the last word typed, also up to 50 words it begins; for a word run together with its
        neighbour, both halves."""
        found: set[str] = set()
        if word in self.postings:
            found.add(word)
        budget = 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2
        if budget:
            found.update(
                candidate
                for candidate, _, _ in process.extract_iter(
                    word, self.vocabulary, scorer=OSA.distance, score_cutoff=budget
                )
            )
        if last and len(word) >= 2:
            start = bisect_left(self.vocabulary_sorted, word)
            for candidate in self.vocabulary_sorted[start : start + 50]:
                if not candidate.startswith(word):
                    break
                found.add(candidate)
        if not found and len(word) >= 5:
            for cut in range(2, len(word) - 1):
                left, right = word[:cut], word[cut:]
                if left in self.postings:
                    found.add(left)
                if right in self.postings:
                    found.add(right)
        return found


class SearchIndex:
    """An in-memory index over published titles, people and genres."""

    def __init__(
        self,
        titles: list[TitleEntry],
        people: list[PersonEntry] = (),  # type: ignore[assignment]
        genres: list[GenreEntry] = (),  # type: ignore[assignment]
        *,
        version: Any = None,
    ) -> None:
        self.version = version
        self.titles = list(titles)
        self.people = list(people)
        self.genres = list(genres)
        self._maturity = [t.maturity_rating for t in self.titles]
        # Keys: (normalized text, document number); a title has one key per distinct name.
        self._keys: list[str] = []
        self._key_doc: list[int] = []
        for doc, title in enumerate(self.titles):
            names = {normalize(title.name)}
            if title.original_name:
                names.add(normalize(title.original_name))
            for key in names:
                self._keys.append(key)
                self._key_doc.append(doc)
        self._squeezed = [key.replace(" ", "") for key in self._keys]
        # Words in alphabetical order: ``fuzz.ratio`` on these is ``token_sort_ratio``
        # without sorting every name again for every query.
        self._sorted_words = [" ".join(sorted(key.split())) for key in self._keys]
        self._max_rating = max(self._maturity, default=0)
        self._sorted_keys = sorted(range(len(self._keys)), key=self._keys.__getitem__)
        self._sorted_text = [self._keys[i] for i in self._sorted_keys]
        self._words = _WordIndex(self._keys)
        self._postings = self._words.postings
        self._key_count = max(1, len(self._keys))
        self._people_keys = [normalize(p.name) for p in self.people]
        self._people_words = _WordIndex(self._people_keys)
        self._genre_keys = [normalize(g.name) for g in self.genres]
        self._titles_by_genre: dict[int, list[int]] = defaultdict(list)
        for doc, title in enumerate(self.titles):
            for genre_id in title.genre_ids:
                self._titles_by_genre[genre_id].append(doc)

    def _keys_with(self, words: set[str]) -> set[int]:
        """The keys with any of ``words``."""
        return set().union(*(self._postings[w] for w in words))

    def _title_candidates(self, query: str, limit_rating: int) -> tuple[list[int], int, int, int]:
        """Keys worth scoring for ``query``, in three runs: those containing the query as
        typed (every word typed, stopwords aside, is one of theirs, the last one perhaps
        unfinished), then those containing it allowing typos, then those matching all words
        but one (the ones matching the most first), and last the keys beginning with the
        whole query; with the lengths of the first two runs and of the last.
        """
        words = query.split()
        content = list(dict.fromkeys(w for w in words if w not in _STOPWORDS)) or words
        # A space typed inside a word: also try each pair of neighbours run together.
        joined = [a + b for a, b in pairwise(content)]
        matching: list[set[int]] = []
        with_typos: list[set[int]] = []
        as_typed: list[set[int]] = []
        # Words in a fifth of all names (a mistyped "of") cost much and tell little.
        common = self._key_count // 5 if self._key_count >= 500 else self._key_count
        last = len(content) - 1
        # One letter after other words: the beginning of a word (checked on the keys found
        # for the other words; it begins too many to look up).
        letter = content[last] if last and len(content[last]) == 1 else ""
        for position, word in enumerate([*content, *joined]):
            matched = self._words.similar(word, last=position == last)
            if len(content) > 1:
                matched = {m for m in matched if len(self._postings[m]) <= common}
            found = self._keys_with(matched)
            if found:
                matching.append(found)
            if position > last or (position == last and letter):
                continue
            typed = {m for m in matched if m == word or (position == last and m.startswith(word))}
            with_typos.append(found)
            as_typed.append(found if typed == matched else self._keys_with(typed))
        maturity, key_doc = self._maturity, self._key_doc
        limited = limit_rating < self._max_rating
        containing = set.intersection(*as_typed)
        close = set.intersection(*with_typos) - containing
        if letter:
            begun, keys = f" {letter}", self._keys
            containing = {k for k in containing if begun in f" {keys[k]}"}
            close = {k for k in close if begun in f" {keys[k]}"}
        # At most _CANDIDATES, stopping there (a common word is in tens of thousands).
        allowed = (
            (lambda keys: (k for k in keys if maturity[key_doc[k]] <= limit_rating))
            if limited
            else iter
        )
        candidates = list(islice(allowed(containing), _CANDIDATES))
        first = len(candidates)
        candidates += islice(allowed(close), _CANDIDATES - first)
        second = len(candidates) - first
        taken = containing | close
        if len(matching) <= 2:
            # At most two words matched: every key matching one is a candidate.
            rest = list(set().union(*matching) - taken)
            best = set.intersection(*matching) if len(matching) == 2 else set(rest)
        elif best := set.intersection(*matching):
            # A key matches every word: the candidates are the keys matching all but one.
            but_one = (
                set.intersection(*(found for j, found in enumerate(matching) if j != left_out))
                for left_out in range(len(matching))
            )
            rest = list(set().union(*but_one) - taken)
        else:
            counts: Counter[int] = Counter()
            for found in matching:
                counts.update(found)
            top = max(counts.values())
            rest = [k for k, c in counts.items() if c >= top - 1 and k not in taken]
            best = {k for k in rest if counts[k] == top}
        if limited:
            rest = [k for k in rest if maturity[key_doc[k]] <= limit_rating]
        if len(candidates) + len(rest) > _CANDIDATES:
            rest = [k for k in rest if k in best] + [k for k in rest if k not in best]
        candidates += rest[: _CANDIDATES - len(candidates)]
        # Exact and prefix matches of the whole query are always candidates (at the end).
        ahead = len(candidates)
        start = bisect_left(self._sorted_text, query)
        for position in range(start, min(start + 200, len(self._sorted_text))):
            if not self._sorted_text[position].startswith(query):
                break
            key_number = self._sorted_keys[position]
            if maturity[key_doc[key_number]] <= limit_rating:
                candidates.append(key_number)
        return candidates, first, second, len(candidates) - ahead

    def search(
        self,
        text: str,
        *,
        maturity_limit: int = 18,
        limit: int = 20,
        min_score: float = 55.0,
        person_weight: float = 0.9,
        genre_weight: float = 0.8,
    ) -> list[Hit]:
        """The best ``limit`` hits for ``text``, titles above ``maturity_limit`` left out."""
        query = normalize(text)
        if not query:
            return []
        candidates, containing, close, prefixed = self._title_candidates(query, maturity_limit)
        keys = list(map(self._keys.__getitem__, candidates))
        squeezed_keys = list(map(self._squeezed.__getitem__, candidates))
        squeezed = query.replace(" ", "")
        scored: dict[int, float] = {}
        shortlist = max(limit * 3, 30)
        for _, score, position in process.extract(query, keys, scorer=fuzz.ratio, limit=shortlist):
            scored[position] = score
        for _, score, position in process.extract(
            squeezed, squeezed_keys, scorer=fuzz.ratio, limit=shortlist
        ):
            scored[position] = max(score, scored.get(position, 0.0))
        # The words in another order, among the names with every word (each pass over the
        # candidates costs about a millisecond at 100,000 titles).
        reordering = containing + close if " " in query else 0
        sorted_keys = list(map(self._sorted_words.__getitem__, candidates[:reordering]))
        for _, score, position in process.extract(
            " ".join(sorted(query.split())), sorted_keys, scorer=fuzz.ratio, limit=shortlist
        ):
            scored[position] = max(score, scored.get(position, 0.0))
        # Every word typed (the last perhaps unfinished) in a name, in any order: above every
        # near miss; the names with the query's stopwords too, then the closest in length.
        # Names beginning with the whole query (at most 200) count as containing it. Of the
        # others only the best few are kept (a word as common as "the" is in tens of
        # thousands of names).
        stopwords = [f" {w} " for w in dict.fromkeys(query.split()) if w in _STOPWORDS]

        def contains_score(position: int) -> float:
            key = keys[position]
            with_stopwords = all(w in f" {key} " for w in stopwords)
            return (
                _CONTAINS_SCORE
                + 3.0 * with_stopwords
                + 2.0 * len(query) / max(len(query), len(key))
            )

        best = heapq.nlargest(shortlist, ((contains_score(p), p) for p in range(containing)))
        beginning = range(len(keys) - prefixed, len(keys))
        for score, position in chain(best, ((contains_score(p), p) for p in beginning)):
            scored[position] = max(score, scored.get(position, 0.0))
        # Every word in a name allowing typos: below those, the closest spelling first.
        for _, score, position in process.extract(
            query, keys[containing : containing + close], scorer=fuzz.ratio, limit=shortlist
        ):
            score = _CLOSE_SCORE + (_CONTAINS_SCORE - _CLOSE_SCORE) * score / 100
            scored[containing + position] = max(score, scored.get(containing + position, 0.0))
        title_scores: dict[int, float] = {}
        for position, score in scored.items():
            key = keys[position]
            if key == query:
                score += _EXACT_BONUS
            elif key.startswith(query):
                score += _PREFIX_BONUS
            doc = self._key_doc[candidates[position]]
            if score > title_scores.get(doc, -1.0):
                title_scores[doc] = score
        for _, score, genre_number in process.extract(
            query, self._genre_keys, scorer=fuzz.WRatio, score_cutoff=85, limit=3
        ):
            genre = self.genres[genre_number]
            bonus = _EXACT_BONUS if self._genre_keys[genre_number] == query else 0.0
            weighted = (score + bonus) * genre_weight
            docs = [
                d for d in self._titles_by_genre.get(genre.id, ())
                if self._maturity[d] <= maturity_limit
            ][: limit * 2]  # fmt: skip
            for doc in docs:
                if weighted > title_scores.get(doc, -1.0):
                    title_scores[doc] = weighted
        hits = [
            Hit("title", round(score, 2), self.titles[doc])
            for doc, score in title_scores.items()
            if score >= min_score
        ]
        # People with a word like one typed (scoring every name costs too much).
        words = query.split()
        people = sorted(
            set().union(
                *(
                    self._people_words.postings[similar]
                    for position, word in enumerate(words)
                    for similar in self._people_words.similar(word, last=position == len(words) - 1)
                )
            )
        )
        for _, score, position in process.extract(
            query,
            [self._people_keys[number] for number in people],
            scorer=fuzz.WRatio,
            score_cutoff=min_score,
            limit=limit,
        ):
            person_number = people[position]
            key = self._people_keys[person_number]
            bonus = _EXACT_BONUS if key == query else _PREFIX_BONUS if key.startswith(query) else 0
            weighted = (score + bonus) * person_weight
            if weighted >= min_score:
                hits.append(Hit("person", round(weighted, 2), self.people[person_number]))
        hits.sort(key=lambda hit: (-hit.score, hit.type != "title", hit.entry.name, hit.entry.id))
        return hits[:limit]


_lock = threading.Lock()
_index: SearchIndex | None = None


def catalog_version() -> str:
    """The catalog version in the shared cache (created on first use).

    A random token rather than a counter, so a cache that lost the key never hands out a
    version an old index was built from.
    """
    from django.core.cache import cache

    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY) or "unversioned"
    return str(version)


def catalog_version_bump() -> None:
    """Tell every process that the catalog changed (their indexes and cached pages go stale)."""
    from django.core.cache import cache

    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


class _CatalogBump:
    """A bump waiting for the commit of the transaction (its outermost block) that changed
    the catalog."""

    def __init__(self, block: Any) -> None:
        self.block = block
        self.done = False

    def __call__(self) -> None:
        self.done = True
        catalog_version_bump()


def _outermost_block(connection: Any) -> Any:
    # The atomic block whose exit commits; a test case's own blocks never commit, so they
    # do not count (each write a test makes then behaves as committed on its own).
    return next(
        (b for b in connection.atomic_blocks if not getattr(b, "_from_testcase", False)), None
    )


def catalog_changed() -> None:
    """Bump the catalog version once the current transaction commits (at once outside one).

    However many rows a write touches, its transaction bumps the version once: a bump that is
    already waiting for the same commit is not queued again (a rolled-back savepoint takes
    its own away, so a later write queues a new one)."""
    from django.db import transaction

    connection = transaction.get_connection()
    block = _outermost_block(connection)
    if block is not None and any(
        isinstance(callback, _CatalogBump) and callback.block is block and not callback.done
        for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_CatalogBump(block))


def build_index(version: Any = None) -> SearchIndex:
    """An index of what is published now."""
    from .models import Genre, Person, Title

    through = Title.genres.through
    genres_of: dict[int, list[int]] = defaultdict(list)
    for title_id, genre_id in through.objects.filter(
        title__status=Title.Status.PUBLISHED
    ).values_list("title_id", "genre_id"):
        genres_of[title_id].append(genre_id)
    titles = [
        TitleEntry(
            id=pk,
            slug=slug,
            name=name,
            kind=kind,
            year=year,
            maturity_rating=maturity,
            original_name=original,
            genre_ids=tuple(genres_of.get(pk, ())),
        )
        for pk, slug, name, kind, year, maturity, original in Title.objects.filter(
            status=Title.Status.PUBLISHED
        )
        .order_by("-views", "id")
        .values_list("id", "slug", "name", "kind", "year", "maturity_rating", "original_name")
    ]
    people = [
        PersonEntry(id=pk, slug=slug, name=name)
        for pk, slug, name in Person.objects.order_by("id").values_list("id", "slug", "name")
    ]
    genres = [
        GenreEntry(id=pk, slug=slug, name=name)
        for pk, slug, name in Genre.objects.order_by("id").values_list("id", "slug", "name")
    ]
    return SearchIndex(titles, people, genres, version=version)


def current_index() -> SearchIndex:
    """This process's index, rebuilt first when the shared catalog version moved on."""
    global _index
    version = catalog_version()
    index = _index
    if index is not None and index.version == version:
        return index
    with _lock:
        if _index is None or _index.version != version:
            _index = build_index(version)
        return _index
