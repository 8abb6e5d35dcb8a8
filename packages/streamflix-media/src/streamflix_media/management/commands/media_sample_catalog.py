"""``manage.py media_sample_catalog --titles N``: load a generated catalog (benchmarks, demos)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from streamflix_media.sample_catalog import generate, load


class Command(BaseCommand):
    help = "Load a deterministic generated catalog of published titles."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--titles", type=int, default=400)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--names-only",
            action="store_true",
            help="no credits, seasons or episodes (the titles of the search benchmark)",
        )

    def handle(
        self, *args: Any, titles: int, seed: int, names_only: bool = False, **options: Any
    ) -> None:
        created = load(generate(titles=titles, seed=seed, details=not names_only))
        self.stdout.write(", ".join(f"{n} {kind}" for kind, n in created.items()) + " created")
