"""Signal receivers of the media plugin, connected once in ``AppConfig.ready()``:

- a catalog row saved or deleted (or a title's genres changed) bumps the catalog version
  once per transaction, so every process drops its search index and cached pages;
- a deleted video asset (also by cascade) has its files removed once the deletion commits,
  so a rolled-back delete keeps a playable asset;
- a video asset saved or deleted refreshes the ``playable`` flags of its title or episode
  (and series) once the change commits;
- a django-q2 worker that starts cleans up after the runs that died before it (their
  scratch files, and their assets, re-queued).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import Credit, Episode, Genre, Person, Season, Title, VideoAsset
from .search import catalog_changed
from .services.assets import asset_files_remove
from .services.run_leases import lease_seconds, runs_recover, runs_recover_when_due
from .services.watching import playable_refresh
from .transcoding.workdir import work_dir_sweep

logger = logging.getLogger(__name__)


def on_catalog_change(**kwargs: Any) -> None:
    """Any catalog row written: the catalog version moves once this transaction commits."""
    catalog_changed()


def on_asset_delete(sender: Any, instance: VideoAsset, **kwargs: Any) -> None:
    """A video asset deleted: its source and published files go once the deletion commits."""
    source, prefix, pk = instance.source_path, instance.output_prefix, instance.pk
    transaction.on_commit(
        lambda: asset_files_remove(source_path=source, output_prefix=prefix, asset_id=pk)
    )


def on_asset_change(sender: Any, instance: VideoAsset, **kwargs: Any) -> None:
    """A video asset saved or deleted: its title's (or episode's) ``playable`` flag is
    recomputed once this commits."""
    title_id, episode_id = instance.title_id, instance.episode_id
    if episode_id is not None and title_id is None:
        # Read now: when the episode itself is being deleted, it is gone after the commit.
        title_id = (
            Episode.objects.filter(pk=episode_id).values_list("season__title_id", flat=True).first()
        )
    transaction.on_commit(
        lambda: playable_refresh(
            title_ids=[title_id] if title_id else [],
            episode_ids=[episode_id] if episode_id else [],
        )
    )


def _recover_in_background() -> None:
    try:
        runs_recover()
        # Leases of runs that died just before this start are still live: catch them as
        # they expire rather than at the next scheduled sweep.
        runs_recover_when_due(within=lease_seconds() + 1)
    except Exception:
        logger.exception("Recovering dead transcode runs failed")
    finally:
        connection.close()


def on_worker_spawn(sender: Any = None, **kwargs: Any) -> None:
    """At each django-q2 worker start: remove dead runs' scratch files from ``WORK_DIR`` and
    re-queue the assets whose run died (in a thread, so the worker starts at once)."""
    try:
        work_dir_sweep()
    except Exception:
        logger.exception("Sweeping the transcode work directory failed")
    threading.Thread(
        target=_recover_in_background, name="streamflix-media-recover", daemon=True
    ).start()


def connect() -> None:
    """Connect the receivers (from ``AppConfig.ready()``)."""
    from django_q.signals import post_spawn

    for model in (Title, Genre, Person, Credit, Season, Episode):
        name = model.__name__
        post_save.connect(on_catalog_change, sender=model, dispatch_uid=f"media-{name}")
        post_delete.connect(on_catalog_change, sender=model, dispatch_uid=f"media-del-{name}")
    m2m_changed.connect(
        on_catalog_change, sender=Title.genres.through, dispatch_uid="media-title-genres"
    )
    post_delete.connect(
        on_asset_delete, sender=VideoAsset, dispatch_uid="streamflix_media_asset_files"
    )
    post_save.connect(on_asset_change, sender=VideoAsset, dispatch_uid="media-asset-playable")
    post_delete.connect(
        on_asset_change, sender=VideoAsset, dispatch_uid="media-asset-playable-delete"
    )
    post_spawn.connect(on_worker_spawn, dispatch_uid="streamflix_media_worker_spawn")
