"""Demo data for media: a few hundred published titles from the sample generator."""

from __future__ import annotations

import os
from typing import TextIO

from .sample_catalog import generate, load


def seed(stdout: TextIO) -> None:
    """Fill the catalog (idempotent: titles already there are left alone).

    ``STREAMFLIX_DEMO_TITLES`` sets how many titles (default 400). Every title gets a
    generated poster and backdrop (``demo_art``); ``STREAMFLIX_DEMO_VIDEOS`` clips are queued
    for transcoding (``demo_videos``).
    """
    count = int(os.environ.get("STREAMFLIX_DEMO_TITLES", "400"))
    created = load(generate(titles=count))
    stdout.write(
        "  catalog: "
        + ", ".join(f"{number} {kind}" for kind, number in created.items())
        + " created\n"
    )
    from .demo_art import seed_images
    from .demo_videos import seed as seed_videos

    seed_images(stdout)
    seed_videos(stdout)
