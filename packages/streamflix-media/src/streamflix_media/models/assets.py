"""Video assets (a movie's feature, an episode, or a title's trailer), their subtitles and
direct-to-storage upload sessions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from .catalog import Episode, Title


class VideoAsset(models.Model):
    """One source video and its published HLS output.

    The source lives in a private storage location (``SOURCE_STORAGE_PREFIX``) that no URL
    ever opens; viewers only reach ``output_prefix`` through signed URLs.
    """

    class Role(models.TextChoices):
        FEATURE = "feature", "Feature"
        EPISODE = "episode", "Episode"
        TRAILER = "trailer", "Trailer"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    role = models.CharField(max_length=10, choices=Role.choices)
    title = models.ForeignKey(
        Title, null=True, blank=True, on_delete=models.CASCADE, related_name="video_assets"
    )
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.CASCADE, related_name="video_assets"
    )
    source_path = models.CharField(max_length=500, blank=True)
    original_filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    progress = models.FloatField(default=0.0)
    error_message = models.TextField(blank=True)
    error_code = models.CharField(max_length=60, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    duration = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    rungs = models.JSONField(default=list, blank=True)
    # The audio tracks of the published output ({language, name, default, channels, origin}),
    # as the API shows them; the full record is in ``result``.
    audio_tracks = models.JSONField(default=list, blank=True)
    # Markers a curator sets (seconds): the player offers "skip intro" between the first two;
    # reaching the credits counts as having watched it.
    intro_start = models.FloatField(null=True, blank=True)
    intro_end = models.FloatField(null=True, blank=True)
    credits_start = models.FloatField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    # The last run's complexity probe: estimates per rung and the rungs it pruned, with why
    # (see transcoding.complexity); {} until a run records it.
    ladder_pruning = models.JSONField(default=dict, blank=True)
    # The published output is version N, under asset_prefix(pk, N); each run publishes under
    # a version number of its own (run_version), so a run presumed dead that still writes
    # never shares a prefix with the run that took over from it.
    version = models.PositiveIntegerField(default=0)
    run_version = models.PositiveIntegerField(default=0)
    # The current run (status "processing"): its token, and its lease, renewed while it
    # lives. Once the lease has expired the run is dead and may be taken over.
    run_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Runs lost in a row (their worker died); recovery stops at TRANSCODE_MAX_LOST_RUNS.
    lost_runs = models.PositiveSmallIntegerField(default=0)
    # Where the published output is; an asset deduplicated by hash shares another's prefix.
    output_prefix = models.CharField(max_length=300, blank=True, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=["feature", "trailer"], title__isnull=False, episode__isnull=True)
                    | Q(role="episode", episode__isnull=False, title__isnull=True)
                ),
                name="media_videoasset_one_target",
            )
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="media_asset_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.pk}: {self.original_filename}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY


class Subtitle(models.Model):
    """A published WebVTT subtitle track of an asset (one per language)."""

    asset = models.ForeignKey(VideoAsset, on_delete=models.CASCADE, related_name="subtitles")
    language = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    default = models.BooleanField(default=False)
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("language", "id")
        constraints = [
            models.UniqueConstraint(fields=["asset", "language"], name="media_subtitle_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class UploadSession(models.Model):
    """A direct upload: the client was given a signed URL (or presigned S3 POST) for ``key``
    with size, type and expiry conditions, and calls ``complete`` once the file is there.

    A resumable upload (``mode`` ``chunks`` on local storage, ``multipart`` on S3) sends the
    file in parts of ``part_size`` bytes and may pick up where a dropped connection left it;
    its ``expires_at`` moves forward with each part, and the expiry sweep aborts it once it
    has passed."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETING = "completing", "Completing"
        COMPLETED = "completed", "Completed"
        REJECTED = "rejected", "Rejected"
        ABORTED = "aborted", "Aborted"
        EXPIRED = "expired", "Expired"

    class Mode(models.TextChoices):
        POST = "post", "One POST (presigned S3 POST or signed local URL)"
        CHUNKS = "chunks", "Resumable: chunked PUTs to local storage"
        MULTIPART = "multipart", "Resumable: S3 multipart upload"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.CharField(max_length=10, choices=VideoAsset.Role.choices)
    title = models.ForeignKey(
        Title, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=500)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.POST)
    part_size = models.PositiveBigIntegerField(default=0)
    # The S3 multipart upload's id (mode "multipart").
    multipart_id = models.CharField(max_length=1024, blank=True)
    # Bytes received so far, contiguous from the start (mode "chunks").
    received = models.PositiveBigIntegerField(default=0)
    asset = models.ForeignKey(
        VideoAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=["status", "expires_at"], name="media_upload_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"Upload {self.id} ({self.filename})"

    @property
    def resumable(self) -> bool:
        return self.mode != self.Mode.POST

    @property
    def part_count(self) -> int:
        """How many parts the file is sent in (0 for a one-POST upload)."""
        if not self.part_size:
            return 0
        return -(-self.size // self.part_size)
