"""A deterministic generator of a realistic-looking catalog, for the demo seed and benchmarks.

``generate(titles=N, seed=S)`` always returns the same catalog for the same arguments, without
touching the database; ``load(catalog)`` writes one with bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

GENRES = (
    "Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family",
    "Fantasy", "History", "Horror", "Music", "Mystery", "Romance", "Science Fiction",
    "Thriller", "War", "Western", "Kids", "Reality",
)  # fmt: skip

_ADJECTIVES = (
    "Silent", "Broken", "Golden", "Hidden", "Last", "Dark", "Crimson", "Frozen", "Lost",
    "Wild", "Burning", "Quiet", "Secret", "Endless", "Fallen", "Iron", "Midnight", "Savage",
    "Bright", "Hollow", "Electric", "Velvet", "Distant", "Restless", "Sacred", "Shattered",
    "Wandering", "Forgotten", "Scarlet", "Silver", "Eternal", "Fading", "Glass", "Hungry",
    "Invisible", "Jagged", "Lonely", "Marble", "Northern", "Ordinary", "Painted", "Radiant",
    "Rusty", "Salty", "Sleeping", "Stolen", "Strange", "Sunken", "Tender", "Twisted",
    "Violent", "Wicked", "Yellow", "Ancient", "Brave", "Clever", "Cosmic", "Daring", "Deep",
    "Emerald", "Fearless", "Gentle", "Grand", "Haunted", "Icy", "Kind", "Lucky", "Mighty",
    "Neon", "Obsidian", "Pale", "Proud", "Quantum", "Royal", "Sapphire", "Tiny", "Urban",
    "Vast", "Winter", "Young", "Azure", "Bitter", "Cruel", "Dusty", "Early", "Fierce",
    "Gilded", "Heavy", "Idle", "Jolly", "Little", "Mad", "Naked", "Open", "Perfect", "Rapid",
    "Sharp", "True", "Unknown", "Vivid", "Wounded", "Amber", "Blind", "Cold", "Dying",
    "Empty", "False", "Green", "High", "Inner", "Lazy", "Modern", "New", "Old", "Pure",
    "Red", "Slow", "Tall", "White", "Black", "Blue",
)  # fmt: skip

_NOUNS = (
    "Harbor", "Empire", "River", "Garden", "Kingdom", "Shadow", "Signal", "Forest", "Mirror",
    "Station", "Voyage", "Legacy", "Horizon", "City", "Crown", "Storm", "Witness", "Island",
    "Promise", "Engine", "Lantern", "Orchard", "Cathedral", "Frontier", "Labyrinth",
    "Monument", "Paradise", "Quarry", "Reservoir", "Sanctuary", "Tower", "Village", "Wolf",
    "Falcon", "Serpent", "Tiger", "Raven", "Dragon", "Phoenix", "Lion", "Bear", "Fox",
    "Hunter", "Keeper", "Stranger", "Soldier", "Dancer", "Doctor", "Detective", "Pilot",
    "Sailor", "Teacher", "Thief", "Widow", "Prince", "Queen", "Knight", "Ghost", "Angel",
    "Machine", "Protocol", "Network", "Code", "Cipher", "Orbit", "Planet", "Comet", "Galaxy",
    "Desert", "Ocean", "Mountain", "Valley", "Canyon", "Glacier", "Volcano", "Meadow",
    "Bridge", "Road", "Highway", "Tunnel", "Border", "Harvest", "Summer", "Autumn", "Spring",
    "Night", "Dawn", "Dusk", "Moon", "Sun", "Star", "Heart", "Mind", "Soul", "Memory",
    "Dream", "Secret", "Lie", "Truth", "Game", "War", "Peace", "Journey", "Return", "Escape",
    "Hotel", "Circus", "Academy", "Library", "Museum", "Theater", "Market", "Factory",
    "Prison", "Palace", "Temple", "Castle", "Fortress", "Lighthouse", "Carnival", "Colony",
)  # fmt: skip

_PLACES = (
    "Paris", "Tokyo", "the North", "Mars", "Avalon", "Brooklyn", "the Sea", "Babel",
    "the Valley", "Lagos", "Cairo", "Lisbon", "Oslo", "Havana", "Kyoto", "Dublin", "Prague",
    "Vienna", "Madrid", "Seoul", "Mumbai", "Berlin", "Rome", "Athens", "Istanbul", "Nairobi",
    "Lima", "Quito", "Sydney", "Montreal", "Chicago", "Memphis", "Tangier", "Venice",
    "Marseille", "Naples", "Palermo", "Krakow", "Riga", "Tallinn", "Reykjavik", "Bergen",
    "the Moon", "Atlantis", "Eldorado", "the Desert", "the Mountains", "the Islands",
    "the South", "the East", "the West", "Tomorrow", "Yesterday", "Nowhere", "Everywhere",
    "Saturn", "Jupiter", "Neptune", "Orion", "Andromeda",
)  # fmt: skip

_FIRST = (
    "Ada", "Ben", "Clara", "Dmitri", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
    "Kemi", "Liam", "Maya", "Nikolai", "Olga", "Pablo", "Quinn", "Rosa", "Samir", "Tara",
    "Ulla", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Aiko", "Bruno", "Chloe", "Diego",
    "Emma", "Felix", "Gemma", "Hiro", "Isla", "Jamal", "Kira", "Luca", "Mira", "Noah",
    "Omar", "Priya", "Rafael", "Sofia", "Tomas", "Uma", "Vera", "Willem", "Yara", "Zain",
)  # fmt: skip

_LAST = (
    "Andersen", "Barros", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad",
    "Ivanova", "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov",
    "Quinteros", "Rossi", "Silva", "Tanaka", "Ueda", "Varga", "Weber", "Xu", "Yilmaz",
    "Zhang", "Adeyemi", "Bianchi", "Castro", "Delgado", "Engel", "Ferreira", "Gomez",
    "Horvat", "Ito", "Jovanovic", "Kim", "Lindqvist", "Mendes", "Novak", "Ortiz", "Park",
    "Reyes", "Schmidt", "Torres", "Usman", "Vasquez", "Wagner", "Young", "Zapata",
)  # fmt: skip

_COUNTRIES = ("US", "GB", "FR", "DE", "ES", "IT", "JP", "KR", "IN", "BR", "MX", "NG", "SE")
_LANGUAGES = ("en", "en", "en", "fr", "de", "es", "it", "ja", "ko", "hi", "pt", "sv")
_MATURITY = (0, 0, 7, 7, 13, 13, 13, 16, 16, 18)
_ROMAN = ("II", "III", "IV", "V")


@dataclass
class SampleEpisode:
    number: int
    name: str
    synopsis: str
    runtime_minutes: int
    air_date: dt.date


@dataclass
class SampleSeason:
    number: int
    name: str
    episodes: list[SampleEpisode] = field(default_factory=list)


@dataclass
class SampleCredit:
    person_slug: str
    role: str
    character_name: str = ""
    billing_order: int = 0


@dataclass
class SampleTitle:
    kind: str
    name: str
    original_name: str
    slug: str
    synopsis: str
    year: int
    release_date: dt.date
    runtime_minutes: int
    maturity_rating: int
    countries: list[str]
    original_language: str
    exclusive: bool
    featured: bool
    views: int
    likes: int
    rating_sum: int
    rating_count: int
    genres: list[str]
    credits: list[SampleCredit] = field(default_factory=list)
    seasons: list[SampleSeason] = field(default_factory=list)


@dataclass
class SamplePerson:
    name: str
    slug: str
    bio: str


@dataclass
class SampleCatalog:
    genres: list[tuple[str, str]]
    people: list[SamplePerson]
    titles: list[SampleTitle]


def _title_name(rng: random.Random) -> str:
    pattern = rng.randrange(8)
    adjective, noun, place = rng.choice(_ADJECTIVES), rng.choice(_NOUNS), rng.choice(_PLACES)
    if pattern == 0:
        return f"The {adjective} {noun}"
    if pattern == 1:
        return f"{adjective} {noun}"
    if pattern == 2:
        return f"{noun} of {place}"
    if pattern == 3:
        return f"The {noun} of {place}"
    if pattern == 4:
        return f"{adjective} {noun} of {place}"
    if pattern == 5:
        return f"{rng.choice(_FIRST)}'s {noun}"
    if pattern == 6:
        return f"The {adjective} {noun} {rng.choice(_ROMAN)}"
    return f"{adjective} {_plural(noun)} of {place}"


def _synopsis(rng: random.Random, name: str) -> str:
    who = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    return (
        f"When {who} finds the {rng.choice(_NOUNS).lower()} nobody was meant to see, "
        f"a {rng.choice(_ADJECTIVES).lower()} journey to {rng.choice(_PLACES)} begins. "
        f"{name} follows what happens next."
    )


def generate(
    *, titles: int = 300, people: int | None = None, seed: int = 2026, details: bool = True
) -> SampleCatalog:
    """A catalog of ``titles`` unique titles (about 30 % series) and ``people`` people.

    ``details=False`` leaves out credits, seasons and episodes (for search benchmarks that
    need names only).
    """
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
    genre_rows = [(name, slugify(name)) for name in GENRES]
    people_count = people if people is not None else max(40, min(2500, titles // 2))
    person_rows: list[SamplePerson] = []
    used_people: set[str] = set()
    while len(person_rows) < people_count:
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        if name in used_people:
            name = f"{name} {rng.choice(_ROMAN)}" if len(used_people) > 2000 else name
            if name in used_people:
                continue
        used_people.add(name)
        person_rows.append(
            SamplePerson(
                name=name,
                slug=slugify(name),
                bio=f"{name} works in film and television from {rng.choice(_PLACES)}.",
            )
        )
    title_rows: list[SampleTitle] = []
    used_names: set[str] = set()
    used_slugs: set[str] = set()
    epoch = dt.date(1970, 1, 1)
    while len(title_rows) < titles:
        name = _title_name(rng)
        if name in used_names:
            continue
        slug = slugify(name)
        if slug in used_slugs:
            continue
        used_names.add(name)
        used_slugs.add(slug)
        kind = "series" if rng.random() < 0.3 else "movie"
        release = epoch + dt.timedelta(days=rng.randrange(0, 56 * 365))
        rating_count = rng.randrange(0, 500)
        title = SampleTitle(
            kind=kind,
            name=name,
            original_name=name if rng.random() < 0.85 else f"{name} ({rng.choice(_PLACES)})",
            slug=slug,
            synopsis=_synopsis(rng, name),
            year=release.year,
            release_date=release,
            runtime_minutes=rng.randrange(80, 170) if kind == "movie" else rng.randrange(22, 60),
            maturity_rating=rng.choice(_MATURITY),
            countries=sorted(set(rng.sample(_COUNTRIES, rng.randrange(1, 3)))),
            original_language=rng.choice(_LANGUAGES),
            exclusive=rng.random() < 0.1,
            featured=rng.random() < 0.03,
            views=int(rng.paretovariate(1.2) * 100),
            likes=rng.randrange(0, 5000),
            rating_sum=sum(rng.randrange(1, 6) for _ in range(min(rating_count, 20)))
            * max(1, rating_count // 20),
            rating_count=(rating_count // 20) * 20 if rating_count >= 20 else rating_count,
            genres=[slug for _, slug in rng.sample(genre_rows, rng.randrange(1, 4))],
        )
        if details and person_rows:
            cast = rng.sample(person_rows, min(len(person_rows), rng.randrange(3, 8)))
            lead_role = "creator" if kind == "series" else "director"
            title.credits.append(SampleCredit(cast[0].slug, lead_role))
            title.credits.append(SampleCredit(cast[1].slug, "writer"))
            for order, person in enumerate(cast[2:], start=1):
                character = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
                title.credits.append(SampleCredit(person.slug, "actor", character, order))
        if details and kind == "series":
            air = release
            for season_number in range(1, rng.randrange(2, 5)):
                season = SampleSeason(season_number, f"Season {season_number}")
                for episode_number in range(1, rng.randrange(5, 11)):
                    air = air + dt.timedelta(days=7)
                    episode_name = f"The {rng.choice(_NOUNS)}"
                    season.episodes.append(
                        SampleEpisode(
                            number=episode_number,
                            name=episode_name,
                            synopsis=_synopsis(rng, episode_name),
                            runtime_minutes=title.runtime_minutes,
                            air_date=air,
                        )
                    )
                title.seasons.append(season)
        title_rows.append(title)
    return SampleCatalog(genres=genre_rows, people=person_rows, titles=title_rows)


def load(catalog: SampleCatalog, *, batch_size: int = 1000) -> dict[str, int]:
    """Write ``catalog`` (published) with bulk inserts; existing slugs are left alone.

    Returns how many rows of each kind were created. Bumps the catalog version once.
    """
    from django.db import transaction
    from django.utils import timezone

    from .models import Credit, Episode, Genre, Person, Season, Title
    from .search import catalog_changed

    created: dict[str, Any] = {}
    now = timezone.now()
    with transaction.atomic():
        existing_genres = set(Genre.objects.values_list("slug", flat=True))
        Genre.objects.bulk_create(
            [Genre(name=name, slug=slug) for name, slug in catalog.genres
             if slug not in existing_genres],
            batch_size=batch_size,
        )  # fmt: skip
        genre_ids = dict(Genre.objects.values_list("slug", "id"))
        existing_people = set(Person.objects.values_list("slug", flat=True))
        new_people = [
            Person(name=p.name, slug=p.slug, bio=p.bio)
            for p in catalog.people
            if p.slug not in existing_people
        ]
        Person.objects.bulk_create(new_people, batch_size=batch_size)
        person_ids = dict(Person.objects.values_list("slug", "id"))
        existing_titles = set(Title.objects.values_list("slug", flat=True))
        rows = [t for t in catalog.titles if t.slug not in existing_titles]
        title_objects = []
        for index, row in enumerate(rows):
            title = Title(
                kind=row.kind,
                name=row.name,
                original_name=row.original_name,
                slug=row.slug,
                synopsis=row.synopsis,
                year=row.year,
                release_date=row.release_date,
                runtime_minutes=row.runtime_minutes,
                maturity_rating=row.maturity_rating,
                original_language=row.original_language,
                exclusive=row.exclusive,
                featured=row.featured,
                status=Title.Status.PUBLISHED,
                published_at=now - dt.timedelta(minutes=len(rows) - index),
                views=row.views,
                likes=row.likes,
                rating_sum=row.rating_sum,
                rating_count=row.rating_count,
                rating_average=round(row.rating_sum / row.rating_count, 3)
                if row.rating_count
                else 0.0,
            )
            title.countries = row.countries
            title_objects.append(title)
        Title.objects.bulk_create(title_objects, batch_size=batch_size)
        title_ids = dict(
            Title.objects.filter(slug__in=[r.slug for r in rows]).values_list("slug", "id")
        )
        through = Title.genres.through
        through.objects.bulk_create(
            [
                through(title_id=title_ids[row.slug], genre_id=genre_ids[genre])
                for row in rows
                for genre in row.genres
            ],
            batch_size=batch_size,
        )
        Credit.objects.bulk_create(
            [
                Credit(
                    title_id=title_ids[row.slug],
                    person_id=person_ids[credit.person_slug],
                    role=credit.role,
                    character_name=credit.character_name,
                    billing_order=credit.billing_order,
                )
                for row in rows
                for credit in row.credits
            ],
            batch_size=batch_size,
            ignore_conflicts=True,
        )
        seasons = [
            (row, season, Season(title_id=title_ids[row.slug], number=season.number,
                                 name=season.name))
            for row in rows
            for season in row.seasons
        ]  # fmt: skip
        Season.objects.bulk_create([s for _, _, s in seasons], batch_size=batch_size)
        season_ids = {
            (title_id, number): pk
            for pk, title_id, number in Season.objects.filter(
                title_id__in=title_ids.values()
            ).values_list("id", "title_id", "number")
        }
        episodes = [
            Episode(
                season_id=season_ids[(title_ids[row.slug], season.number)],
                number=episode.number,
                name=episode.name,
                synopsis=episode.synopsis,
                runtime_minutes=episode.runtime_minutes,
                air_date=episode.air_date,
            )
            for row, season, _ in seasons
            for episode in season.episodes
        ]
        Episode.objects.bulk_create(episodes, batch_size=batch_size)
        created = {
            "genres": len(catalog.genres) - len(existing_genres & {s for _, s in catalog.genres}),
            "people": len(new_people),
            "titles": len(rows),
            "seasons": len(seasons),
            "episodes": len(episodes),
        }
        catalog_changed()
    return created


def _plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"
