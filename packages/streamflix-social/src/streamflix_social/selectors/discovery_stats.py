"""Figures about discovery for the admin dashboard."""

from __future__ import annotations

from typing import Any

from ..models import RefreshRun


def discovery_card() -> dict[str, Any]:
    """The dashboard card of discovery (one query): the last finished refresh (``None``
    before any), its mode, how long it took, the share of profiles with picks and of
    published titles with neighbours, and the state of the latest run (``running``,
    ``finished`` or ``failed``)."""
    runs = list(
        RefreshRun.objects.defer("profile_fingerprints").order_by("-started_at", "-id")[:20]
    )
    finished = next((run for run in runs if run.status == RefreshRun.Status.FINISHED), None)
    latest = runs[0] if runs else None
    return {
        "title": "Discovery",
        "last_refresh_at": finished.finished_at if finished else None,
        "last_refresh_mode": finished.mode if finished else None,
        "last_refresh_seconds": finished.seconds if finished else None,
        "profile_coverage": finished.profile_coverage if finished else 0.0,
        "title_coverage": finished.title_coverage if finished else 0.0,
        "profiles": finished.profiles if finished else 0,
        "titles": finished.titles if finished else 0,
        "latest_status": latest.status if latest else None,
        "latest_error": latest.error if latest and latest.status == RefreshRun.Status.FAILED
        else "",
    }  # fmt: skip
