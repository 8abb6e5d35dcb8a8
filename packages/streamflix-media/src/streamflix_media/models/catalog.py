"""The catalog: titles (movies and series), seasons, episodes, genres, people and credits."""

from __future__ import annotations

from django.db import models

from streamflix_core.maturity import Maturity


class Genre(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="media/people/", blank=True)

    class Meta:
        ordering = ("name", "id")
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class Title(models.Model):
    class Kind(models.TextChoices):
        MOVIE = "movie", "Movie"
        SERIES = "series", "Series"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MOVIE)
    name = models.CharField(max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    slug = models.SlugField(max_length=255, unique=True)
    synopsis = models.TextField(blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    release_date = models.DateField(null=True, blank=True)
    runtime_minutes = models.PositiveIntegerField(null=True, blank=True)
    maturity_rating = models.PositiveSmallIntegerField(
        choices=Maturity.choices, default=Maturity.ALL
    )
    # Delimited as ",US,GB," so one portable ``contains`` lookup matches a single country.
    countries_field = models.CharField(max_length=200, blank=True, default="")
    original_language = models.CharField(max_length=12, blank=True)
    poster = models.ImageField(upload_to="media/posters/", blank=True)
    poster_variants = models.JSONField(default=dict, blank=True)
    backdrop = models.ImageField(upload_to="media/backdrops/", blank=True)
    backdrop_variants = models.JSONField(default=dict, blank=True)
    exclusive = models.BooleanField(default=False)
    featured = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    genres = models.ManyToManyField(Genre, related_name="titles", blank=True)
    # Whether a ready video exists (the feature; for a series, any episode's). Kept by the
    # ``playable_refresh`` service whenever a video asset changes, so lists read a column.
    playable = models.BooleanField(default=False)
    # Engagement counters live on the row so lists can sort by them; only services write them.
    views = models.PositiveBigIntegerField(default=0)
    likes = models.PositiveBigIntegerField(default=0)
    rating_sum = models.PositiveBigIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    rating_average = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-published_at", "-id")
        indexes = [
            # One index per list ordering, led by status, so a page is an index range scan.
            models.Index(fields=["status", "maturity_rating"]),
            models.Index(fields=["status", "-published_at", "-id"]),
            models.Index(fields=["status", "-views", "id"], name="media_title_views_idx"),
            models.Index(fields=["status", "-likes", "id"], name="media_title_likes_idx"),
            models.Index(
                fields=["status", "-rating_average", "-rating_count", "id"],
                name="media_title_rating_idx",
            ),
            models.Index(fields=["status", "name", "id"], name="media_title_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def countries(self) -> list[str]:
        return [code for code in self.countries_field.split(",") if code]

    @countries.setter
    def countries(self, codes: list[str]) -> None:
        cleaned = [code.strip().upper() for code in codes if code.strip()]
        self.countries_field = f",{','.join(cleaned)}," if cleaned else ""

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Season(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="seasons")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ("number", "id")
        constraints = [
            models.UniqueConstraint(fields=["title", "number"], name="media_season_unique_number")
        ]

    def __str__(self) -> str:
        return self.name or f"Season {self.number}"


class Episode(models.Model):
    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="episodes")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255)
    synopsis = models.TextField(blank=True)
    runtime_minutes = models.PositiveIntegerField(null=True, blank=True)
    air_date = models.DateField(null=True, blank=True)
    playable = models.BooleanField(default=False)
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ("number", "id")
        constraints = [
            models.UniqueConstraint(fields=["season", "number"], name="media_episode_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Credit(models.Model):
    class Role(models.TextChoices):
        DIRECTOR = "director", "Director"
        WRITER = "writer", "Writer"
        CREATOR = "creator", "Creator"
        ACTOR = "actor", "Actor"

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="credits")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=10, choices=Role.choices)
    character_name = models.CharField(max_length=255, blank=True)
    billing_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("role", "billing_order", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["title", "person", "role", "character_name"],
                name="media_credit_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.role}) in {self.title}"
