"""Run with the ``qcluster_settings``: ``python -m tests.qcluster_driver <clip> [<email>]``
migrates the database, creates a movie and uploads ``<clip>`` as its feature (its transcode
is queued on commit, to the cluster's broker) and prints the asset's id. With ``<email>``
the same commit also queues a password-reset email to that address (core's email task)."""

from __future__ import annotations

import sys


def main(clip: str, email: str = "") -> None:
    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from streamflix_media.models import Title
    from streamflix_media.services.assets import asset_create_from_upload

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        movie = Title.objects.create(
            name="Crash Test",
            slug="crash-test",
            kind=Title.Kind.MOVIE,
            status=Title.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        with open(clip, "rb") as fh:
            asset = asset_create_from_upload(
                upload=File(fh, name="long.mp4"), role="feature", title=movie
            )
        if email:
            from streamflix_core.emails import PASSWORD_RESET, queue_address_email

            queue_address_email(kind=PASSWORD_RESET, address=email)
    print(asset.pk)


if __name__ == "__main__":
    main(*sys.argv[1:3])
