from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from streamflix_core.plugins import active, resolve


class Command(BaseCommand):
    help = "Fill the demo with sample data from every installed plugin (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("streamflix_sync_schedules", stdout=self.stdout)
        for spec in active():
            if not spec.demo_seed:
                continue
            self.stdout.write(self.style.MIGRATE_HEADING(f"Seeding {spec.name}"))
            with transaction.atomic():
                resolve(spec.demo_seed)(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
