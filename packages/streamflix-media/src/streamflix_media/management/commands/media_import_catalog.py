"""``manage.py media_import_catalog FILE [--format csv|json]``: all rows or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from streamflix_media.services.importer import ImportError_, catalog_import, parse


class Command(BaseCommand):
    help = "Import titles, genres, people and credits from a CSV or JSON file (all or nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--format", choices=("csv", "json"), default=None)

    def handle(self, *args: Any, path: str, format: str | None, **options: Any) -> None:
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"{path}: no such file")
        fmt = format or ("csv" if source.suffix.lower() == ".csv" else "json")
        try:
            report = catalog_import(data=parse(source.read_text(encoding="utf-8"), fmt=fmt))
        except ImportError_ as exc:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  {e}" for e in exc.errors)
            ) from exc
        except IntegrityError as exc:
            raise CommandError(f"Nothing was imported: {exc}") from exc
        self.stdout.write(
            f"Imported {report.titles} titles, {report.genres} genres, {report.people} people, "
            f"{report.credits} credits, {report.seasons} seasons, {report.episodes} episodes."
        )
