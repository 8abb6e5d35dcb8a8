"""Receivers that keep the catalog version (search index, cached pages) current."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .search import catalog_version_bump


def _catalog_changed(**kwargs: Any) -> None:
    transaction.on_commit(catalog_version_bump)


def connect() -> None:
    from .models import Credit, Episode, Genre, Person, Season, Title

    for model in (Title, Genre, Person, Credit, Season, Episode):
        post_save.connect(_catalog_changed, sender=model, dispatch_uid=f"media-{model.__name__}")
        post_delete.connect(
            _catalog_changed, sender=model, dispatch_uid=f"media-del-{model.__name__}"
        )
    m2m_changed.connect(
        _catalog_changed, sender=Title.genres.through, dispatch_uid="media-title-genres"
    )
