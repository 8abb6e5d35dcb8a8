"""Demo data for social: one full recommendations refresh over the seeded catalog, so "More
like this" and the home rows have something to show before the first schedule runs."""

from __future__ import annotations

from typing import TextIO


def seed(stdout: TextIO) -> None:
    """Run a full discovery refresh (idempotent: it replaces what an earlier one stored)."""
    from .services import recommendations_refresh

    run = recommendations_refresh(full=True)
    stdout.write(
        f"  discovery: {run.titles} titles, {run.profiles} profiles "
        f"refreshed in {run.seconds:.1f} s\n"
    )
