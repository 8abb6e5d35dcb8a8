"""``STREAMFLIX_MEDIA`` settings: fields and defaults in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .transcoding.ladder import DEFAULT_BITRATES_KBPS

if TYPE_CHECKING:
    from streamflix_core.plugins.spec import TaskTimeout


@dataclass(frozen=True)
class MediaSettings:
    """Settings of the media plugin. Keys are added with the features that read them.

    Catalog keys:
        SEARCH_LIMIT: the most results ``/api/media/search`` returns.
        SEARCH_MIN_SCORE: the lowest fuzzy score (0-100, after weighting) a search result needs.
        SEARCH_PERSON_WEIGHT: multiplier of a person match's score (titles weigh 1.0).
        SEARCH_GENRE_WEIGHT: multiplier of a genre match's score (its titles are returned).
        HOME_ROW_SIZE: titles per row of ``/api/media/home``.
        HOME_GENRE_ROWS: how many top genres get a row of their own on the home screen.
        LIST_CACHE_SECONDS: how long a public page of a catalog list (titles, genres, people)
            is cached per catalog version, maturity limit and query string (0 disables it;
            staff requests are never cached).
        HOME_CACHE_SECONDS: how long a home screen is cached per catalog version and maturity
            limit (0 disables the cache).
        POSTER_WIDTHS: widths (pixels) of the resized poster variants.
        BACKDROP_WIDTHS: widths (pixels) of the resized backdrop variants.
        MAX_IMAGE_BYTES: the largest poster or backdrop upload accepted.
        MAX_IMAGE_PIXELS: the largest image (width x height) accepted.
        SITEMAP_PLAYER_PATH: path of a title's player page in the video sitemap, with
            ``{slug}`` replaced (default ``/watch/{slug}``: the demo web app's player).
        SITEMAP_MAX_TITLES: the most titles listed in the video sitemap
            (``/stream/sitemap-video.xml``, URL name ``media:video-sitemap``).

    Transcoding and delivery keys (see docs/transcoding.md):
        FFMPEG_BINARY: path of the ffmpeg binary; empty: ``ffmpeg`` on PATH, else the binary
            shipped by the ``imageio-ffmpeg`` package.
        MAX_UPLOAD_BYTES: the largest source file accepted.
        MAX_DURATION_SECONDS: the longest source accepted.
        MAX_HEIGHT / MAX_WIDTH: the largest source resolution accepted (pixels).
        LADDER_HEIGHTS: rung classes of the HLS ladder (up to 2160), measured on the short side
            (the height of a landscape picture, the width of a portrait one); rungs above the
            source's short side are dropped, never upscaled.
        LADDER_BITRATES_KBPS: target H.264 bitrate per rung class (kbit/s); classes not listed
            are interpolated.
        LADDER_MAXRATE_RATIO / LADDER_BUFSIZE_RATIO: capped VBR: ``maxrate`` and ``bufsize``
            as multiples of the rung's target bitrate.
        AUDIO_BITRATE_KBPS: the AAC-LC bitrate of a stereo audio track (mono half, 5.1
            two and a half times this).
        AUDIO_MAX_CHANNELS: ``6`` keeps 5.1 (and downmixes wider) sources to 5.1; ``2``
            downmixes every track to stereo.
        DASH_MANIFEST: write a DASH MPD over the same fMP4 segments (fMP4 output only).
        HLS_SEGMENT_SECONDS: segment length (2-10; keyframes are forced on its boundaries).
        HLS_SEGMENT_TYPE: ``"fmp4"`` (CMAF-style fragmented MP4) or ``"mpegts"``.
        X264_PRESET: libx264 speed preset (``ultrafast`` in tests) of the rungs that
            ``VIDEO_ENCODERS["h264"]`` gives none.
        VIDEO_ENCODERS: encoder profile per codec family (``h264``, ``hevc``, ``av1``), merged
            key by key over the built-in ones: ``encoder`` (ffmpeg name), ``preset``,
            ``presets`` (per rung class, e.g. ``{1080: "medium"}``), ``options`` (per-stream
            ffmpeg options without the dash) and ``bitrate_factor`` (of the H.264 table).
        EXTRA_LADDERS: extra rungs in other codecs, ``{"hevc": (720, 1080), "av1": (...)}``:
            rung classes of the H.264 ladder also encoded in that codec, listed as extra
            variants of the master playlist (fMP4 only; check ``streamflix_media.E003``).
        HARDWARE_ENCODERS: hardware encoders to try before the software ones, by preference
            (``h264_nvenc``, ``hevc_qsv``, ``av1_vaapi``, ...); one is used only when a tiny
            probe encode through it succeeds (once per process), never required.
        VAAPI_DEVICE: the DRM render node VAAPI encoders open.
        LADDER_PRUNING: run the complexity probe before each transcode, drop rungs that would
            not differ enough from the one below and cap each rung's bitrate at its estimate.
        LADDER_PRUNE_RATIO: a rung is kept only when its estimated bitrate is at least this
            multiple of the kept rung below it's.
        COMPLEXITY_PROBE_SAMPLES / COMPLEXITY_PROBE_SECONDS: how many samples the probe
            encodes, spread over the source, and how long each is.
        COMPLEXITY_PROBE_CRF: the x264 constant quality the probe encodes at.
        TRANSCODE_TIMEOUT_SECONDS: an ffmpeg run is killed after this long.
        PUBLISH_MARGIN_SECONDS: time left to publish after the transcode; the django-q2 task
            timeout is ``TRANSCODE_TIMEOUT_SECONDS + PUBLISH_MARGIN_SECONDS``. With a broker
            that re-delivers (ORM, SQS, ...) ``Q_CLUSTER["retry"]`` must exceed it by 30 s,
            and with ``TRANSCODE_TIMEOUT_SECONDS = 0`` (no limit) ``Q_CLUSTER`` may have no
            ``"timeout"``: core's check ``streamflix.E011`` reports both.
        TRANSCODE_LEASE_SECONDS: how long a run's lease on its asset lasts; the running worker
            renews it with each progress save and from a heartbeat every third of it, so a run
            whose worker died is known dead once its lease has expired (then the recovery
            sweep, a re-delivered task or a staff retry runs the asset again).
        TRANSCODE_MAX_LOST_RUNS: how many runs of an asset in a row may die (lease expired)
            before recovery gives up and fails it with ``worker_lost`` (a staff retry starts
            the count again).
        WORK_DIR: directory of the transcode runs' temporary files (the source copy and the
            output before it is published); empty: ``streamflix-media-work`` in the system
            temporary directory. Put it on the data volume: a run needs about the source's
            size plus its output's. Workers sweep leftovers of dead runs from it at start.
        POSTER_POSITION: where the poster frame is taken, as a fraction of the duration.
        TRICKPLAY_INTERVAL_SECONDS: one trickplay tile every this many seconds.
        TRICKPLAY_TILE_WIDTH: width of a trickplay tile (pixels; height keeps the aspect).
        TRICKPLAY_COLUMNS / TRICKPLAY_ROWS: tiles per sprite sheet.
        HLS_OUTPUT_PREFIX: storage prefix under which each asset version is published.

    Asset and playback keys (see docs/transcoding.md):
        OUTPUT_STORAGE: alias (in ``STORAGES``) of the storage HLS output is published to;
            empty: ``"streamflix_private"`` when the site defines that alias, else
            ``"default"`` (check ``streamflix_media.W001`` warns about the fallback).
        SOURCE_STORAGE: alias of the storage uploaded sources are kept in (same default).
        SOURCE_STORAGE_PREFIX: private prefix of the sources in that storage; no URL opens it.
        UPLOAD_URL_TTL_SECONDS: lifetime of a direct-upload URL (presigned S3 POST, signed
            local URL, or a resumable upload's presigned S3 part URL).
        RESUMABLE_PART_BYTES: part size of a resumable upload (S3 multipart or local
            chunks). On S3 at least 5 MiB (S3's minimum) is used, and any part size is raised
            so that a file needs at most 10,000 parts.
        UPLOAD_SESSION_TTL_SECONDS: a resumable upload left without a new part (or status
            request) this long expires (410 ``upload_expired``); the ``media-expire-uploads``
            schedule then aborts it and deletes what was received. A one-POST upload not
            completed this long after its URL expired is swept the same way.
        TRANSCODE_CLUSTER: name of the django-q2 cluster transcode tasks are queued to (a
            worker started with that ``Q_CLUSTER["name"]`` takes them); empty: the site's one
            cluster, next to e-mail and every other task. See docs/operations.md.
        PLAYBACK_URL_TTL_SECONDS: lifetime of a signed playback URL (minutes, not hours). A
            session's URLs are renewed by its heartbeats: they keep working while heartbeats
            arrive and die this long after the last one, or at once when the session ends.
            URLs without a session (trailers, the staff preview) live this long plus the
            video's duration. Also the default lifetime of ``delivery.signing.grant()``.

    Watching keys (see docs/watching.md):
        PLAYBACK_SESSION_TIMEOUT_SECONDS: a session is active (counts against the stream
            limit) while its heartbeats arrive at most this far apart; a heartbeat after a
            longer silence gets 410 ``session_expired``.
        HEARTBEAT_MAX_STEP_SECONDS: the most watch time one heartbeat adds (a seek forward
            is not watching).
        RESUME_MIN_FRACTION: a resume point below this fraction of the duration starts over.
        PLAYED_FRACTION: the fraction of the duration at which an item counts as played
            (the credits marker counts sooner); its view is counted and its resume point
            cleared.
        WATCH_ROW_SIZE: the most items in the "Continue watching" and "Next up" rows.
        PROGRESS_SAVE_SECONDS: the least time between two progress saves of a running asset.
    """

    SEARCH_LIMIT: int = 20
    SEARCH_MIN_SCORE: float = 55.0
    SEARCH_PERSON_WEIGHT: float = 0.9
    SEARCH_GENRE_WEIGHT: float = 0.8
    HOME_ROW_SIZE: int = 20
    HOME_GENRE_ROWS: int = 4
    HOME_CACHE_SECONDS: int = 60
    LIST_CACHE_SECONDS: int = 30
    POSTER_WIDTHS: tuple[int, ...] = (185, 342, 780)
    BACKDROP_WIDTHS: tuple[int, ...] = (780, 1280)
    MAX_IMAGE_BYTES: int = 10 * 1024 * 1024
    MAX_IMAGE_PIXELS: int = 40_000_000
    SITEMAP_PLAYER_PATH: str = "/watch/{slug}"
    SITEMAP_MAX_TITLES: int = 50_000
    FFMPEG_BINARY: str = ""
    MAX_UPLOAD_BYTES: int = 20 * 1024**3
    MAX_DURATION_SECONDS: int = 6 * 3600
    MAX_HEIGHT: int = 2160
    MAX_WIDTH: int = 4096
    LADDER_HEIGHTS: tuple[int, ...] = (240, 360, 480, 720, 1080)
    LADDER_BITRATES_KBPS: dict[int, int] = field(
        default_factory=lambda: dict(DEFAULT_BITRATES_KBPS)
    )
    LADDER_MAXRATE_RATIO: float = 1.5
    LADDER_BUFSIZE_RATIO: float = 2.0
    AUDIO_BITRATE_KBPS: int = 128
    AUDIO_MAX_CHANNELS: int = 6
    DASH_MANIFEST: bool = True
    HLS_SEGMENT_SECONDS: int = 6
    HLS_SEGMENT_TYPE: str = "fmp4"
    X264_PRESET: str = "veryfast"
    VIDEO_ENCODERS: dict[str, dict[str, Any]] = field(default_factory=dict)
    EXTRA_LADDERS: dict[str, tuple[int, ...]] = field(default_factory=dict)
    HARDWARE_ENCODERS: tuple[str, ...] = (
        "h264_nvenc",
        "h264_qsv",
        "h264_vaapi",
        "hevc_nvenc",
        "hevc_qsv",
        "hevc_vaapi",
        "av1_nvenc",
        "av1_qsv",
        "av1_vaapi",
    )
    VAAPI_DEVICE: str = "/dev/dri/renderD128"
    LADDER_PRUNING: bool = True
    LADDER_PRUNE_RATIO: float = 1.25
    COMPLEXITY_PROBE_SAMPLES: int = 3
    COMPLEXITY_PROBE_SECONDS: float = 2.0
    COMPLEXITY_PROBE_CRF: int = 23
    TRANSCODE_TIMEOUT_SECONDS: int = 4 * 3600
    PUBLISH_MARGIN_SECONDS: int = 600
    TRANSCODE_LEASE_SECONDS: int = 60
    TRANSCODE_MAX_LOST_RUNS: int = 3
    WORK_DIR: str = ""
    POSTER_POSITION: float = 0.1
    TRICKPLAY_INTERVAL_SECONDS: int = 10
    TRICKPLAY_TILE_WIDTH: int = 160
    TRICKPLAY_COLUMNS: int = 5
    TRICKPLAY_ROWS: int = 5
    HLS_OUTPUT_PREFIX: str = "hls"
    OUTPUT_STORAGE: str = ""
    SOURCE_STORAGE: str = ""
    SOURCE_STORAGE_PREFIX: str = "private/sources"
    UPLOAD_URL_TTL_SECONDS: int = 3600
    RESUMABLE_PART_BYTES: int = 64 * 1024**2
    UPLOAD_SESSION_TTL_SECONDS: int = 24 * 3600
    TRANSCODE_CLUSTER: str = ""
    PLAYBACK_URL_TTL_SECONDS: int = 300
    PLAYBACK_SESSION_TIMEOUT_SECONDS: int = 60
    HEARTBEAT_MAX_STEP_SECONDS: float = 30.0
    RESUME_MIN_FRACTION: float = 0.05
    PLAYED_FRACTION: float = 0.9
    WATCH_ROW_SIZE: int = 20
    PROGRESS_SAVE_SECONDS: float = 1.0


def transcode_task_timeout(config: MediaSettings) -> int | None:
    """The django-q2 timeout of a transcode task: the transcode's own timeout plus
    ``PUBLISH_MARGIN_SECONDS`` to publish (``None``: no limit)."""
    if not config.TRANSCODE_TIMEOUT_SECONDS:
        return None
    return config.TRANSCODE_TIMEOUT_SECONDS + config.PUBLISH_MARGIN_SECONDS


def task_timeouts() -> list[TaskTimeout]:
    """The tasks media queues with a timeout of its own (``PluginSpec.task_timeouts``)."""
    from streamflix_core.plugins.spec import TaskTimeout

    return [
        TaskTimeout(
            task="streamflix_media.tasks.transcode_asset",
            seconds=transcode_task_timeout(settings()),
            settings='STREAMFLIX_MEDIA["TRANSCODE_TIMEOUT_SECONDS"] + '
            'STREAMFLIX_MEDIA["PUBLISH_MARGIN_SECONDS"]',
            cluster=settings().TRANSCODE_CLUSTER,
        )
    ]


def settings() -> MediaSettings:
    """The media plugin's settings, merged over the defaults above."""
    from streamflix_core.conf import plugin_settings

    from .plugin import plugin

    return plugin_settings(plugin)
