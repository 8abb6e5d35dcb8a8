"""``manage.py recommendations_refresh [--full | --incremental]``: refresh discovery now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from streamflix_social.services import recommendations_refresh


class Command(BaseCommand):
    help = (
        "Recompute trending, title neighbours and profile picks. Incremental by default "
        "(only profiles with new interactions get new picks); --full rewrites everything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--full", action="store_true", help="Rewrite every stored row.")
        mode.add_argument(
            "--incremental",
            action="store_true",
            help="Rewrite trending and the picks of profiles with new interactions (default).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(message: str) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(message)

        run = recommendations_refresh(full=options["full"], progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"{run.mode} refresh finished in {run.seconds:.1f} s: {run.profiles_refreshed} "
                f"profiles refreshed, profile coverage {run.profile_coverage:.0%}, "
                f"title coverage {run.title_coverage:.0%}"
            )
        )
