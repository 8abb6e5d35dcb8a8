"""Discovery: what the recommendations refresh stores, and what curators decide.

The refresh (``services.recommendations_refresh``) computes everything in memory and replaces
these rows inside one transaction, so a reader sees the previous refresh or the new one, never
half of one. Reads serve straight from them (``selectors.discovery``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from streamflix_core.models import Profile
from streamflix_media.models import Genre, Title

# The refresh rewrites these tables by the million inside one transaction, so their foreign
# keys have no database constraint (checking 5 million references at commit took 19 s of a
# 49 s full refresh) and no index the table's own indexes already cover. Deleting a title or
# profile still deletes its rows (the ORM's cascade); a row written for a title deleted while
# a refresh ran is never served (reads join the visible titles) and goes with the next one.


class TitleNeighbour(models.Model):
    """``neighbour`` is like ``title`` ("More like this"), ``rank`` 1 the closest; ``score``
    blends co-engagement and content cosine."""

    title = models.ForeignKey(
        Title, models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    neighbour = models.ForeignKey(Title, models.CASCADE, related_name="+", db_constraint=False)
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ("title", "rank")
        constraints = [
            models.UniqueConstraint(fields=["title", "neighbour"], name="social_neighbour_once")
        ]
        indexes = [models.Index(fields=["title", "rank"], name="social_neighbour_rank_idx")]

    def __str__(self) -> str:
        return f"{self.neighbour_id} like {self.title_id} (#{self.rank})"


class ProfilePick(models.Model):
    """A title picked for a profile. ``slot`` 0 is "Top picks"; slots 1, 2... are the
    "Because you watched ``because_title``" rows, most recent first."""

    profile = models.ForeignKey(
        Profile, models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    title = models.ForeignKey(
        Title, models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    because_title = models.ForeignKey(
        Title, models.CASCADE, null=True, blank=True, related_name="+", db_constraint=False
    )
    slot = models.PositiveSmallIntegerField(default=0)
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()

    class Meta:
        ordering = ("profile", "slot", "rank")
        indexes = [
            models.Index(fields=["profile", "slot", "rank"], name="social_pick_profile_idx"),
            models.Index(fields=["title"], name="social_pick_title_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title_id} for {self.profile_id} (slot {self.slot}, #{self.rank})"


class TrendingTitle(models.Model):
    """A title's engagement over the recent decayed window; ``rank`` 1 trends most."""

    title = models.OneToOneField(Title, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    rank = models.PositiveIntegerField(db_index=True)

    class Meta:
        ordering = ("rank",)

    def __str__(self) -> str:
        return f"#{self.rank} {self.title_id}"


class RefreshRun(models.Model):
    """One run of the recommendations refresh, with what it covered."""

    class Mode(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    mode = models.CharField(max_length=12, choices=Mode.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    profiles = models.PositiveIntegerField(default=0, help_text="Profiles known to the run.")
    titles = models.PositiveIntegerField(default=0, help_text="Titles known to the run.")
    interactions = models.PositiveIntegerField(default=0)
    profiles_refreshed = models.PositiveIntegerField(
        default=0, help_text="Profiles whose picks were rewritten."
    )
    profile_coverage = models.FloatField(
        default=0.0, help_text="Share of profiles with at least one pick."
    )
    title_coverage = models.FloatField(
        default=0.0, help_text="Share of published titles with at least one neighbour."
    )
    error = models.TextField(blank=True)
    profile_fingerprints = models.BinaryField(
        null=True,
        editable=False,
        help_text="What each profile had told the recommender at this run (ids and two "
        "numbers each): the next incremental run rewrites the profiles whose numbers moved.",
    )

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"{self.get_mode_display()} refresh {self.started_at:%Y-%m-%d %H:%M} ({self.status})"


class RowCuration(models.Model):
    """A curator's decision on a discovery row: ``pin`` puts the title first (by
    ``position``), ``exclude`` keeps it out of the row for everyone."""

    class Row(models.TextChoices):
        TRENDING = "trending", "Trending"
        TOP_PICKS = "top_picks", "Top picks"
        BECAUSE_YOU_WATCHED = "because_you_watched", "Because you watched"
        MORE_LIKE_THIS = "more_like_this", "More like this"

    class Action(models.TextChoices):
        PIN = "pin", "Pin"
        EXCLUDE = "exclude", "Exclude"

    row = models.CharField(max_length=24, choices=Row.choices)
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=8, choices=Action.choices)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order among the row's pins (smallest first)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("row", "action", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=["row", "title"], name="social_curation_once_per_row")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.title_id} in {self.get_row_display()}"


class GenrePreference(models.Model):
    """A genre a profile said it likes ("What do you like to watch?"): a profile with little
    history gets trending titles of these genres (and of the genres it watched) first."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+")
    genre = models.ForeignKey(Genre, on_delete=models.CASCADE, related_name="+")
    chosen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("profile", "genre__name")
        constraints = [
            models.UniqueConstraint(fields=["profile", "genre"], name="social_genre_chosen_once")
        ]

    def __str__(self) -> str:
        return f"profile {self.profile_id} likes genre {self.genre_id}"
