from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from streamflix_core.schedules import sync_schedules


class Command(BaseCommand):
    help = "Create or update every installed plugin's django-q2 schedules (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Delete schedules a plugin declared earlier but no longer declares.",
        )

    def handle(self, *args: Any, prune: bool = False, **options: Any) -> None:
        report = sync_schedules(prune=prune)
        for name in report.created:
            self.stdout.write(f"created {name}")
        for name in report.updated:
            self.stdout.write(f"updated {name}")
        for name in report.deleted:
            self.stdout.write(f"deleted {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged, {len(report.deleted)} deleted"
            )
        )
