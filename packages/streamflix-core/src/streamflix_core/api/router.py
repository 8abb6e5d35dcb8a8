"""Core's API, mounted at the site's API root (``/api/``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status

from streamflix_core.api.auth import router as auth_router
from streamflix_core.api.me import router as me_router
from streamflix_core.api.profiles import router as profiles_router
from streamflix_core.api.schemas import HealthOut, PartStatusOut, PluginOut
from streamflix_core.health import run_checks
from streamflix_core.plugins.compose import active
from streamflix_core.plugins.registry import distribution_version

router = Router()
router.add_router("", auth_router)
router.add_router("", me_router)
router.add_router("", profiles_router)


def _social_login_installed() -> bool:
    from django.apps import apps

    return apps.is_installed("streamflix_core.social_login")


if _social_login_installed():
    from streamflix_core.social_login.api import router as social_login_router

    router.add_router("", social_login_router)


@router.get(
    "/health",
    response={200: HealthOut, 503: HealthOut},
    summary="Readiness of the database, cache, task broker, task worker and storage",
)
def health_check(request: HttpRequest) -> Status:
    """200 when every critical part works (``status`` ``ok``, or ``degraded`` when only the
    task worker is missing); 503 naming each critical part that does not.

    Every check is a real write (rolled back where it would leave something behind) and is
    bounded in time, so this answers within ``HEALTH_CHECK_TIMEOUT_SECONDS`` whatever hangs.
    Error texts are shown to staff only.
    """
    parts = run_checks()
    failed = [part.name for part in parts if not part.ok and part.critical]
    degraded = [part.name for part in parts if not part.ok and not part.critical]
    show_errors = bool(getattr(request.user, "is_staff", False))
    body = HealthOut(
        status="fail" if failed else "degraded" if degraded else "ok",
        failed=failed,
        degraded=degraded,
        parts=[
            PartStatusOut(
                name=part.name,
                ok=part.ok,
                critical=part.critical,
                latency_ms=part.latency_ms,
                error=(part.error if show_errors else "unavailable") if not part.ok else None,
            )
            for part in parts
        ],
    )
    return Status(503 if failed else 200, body)


@router.get(
    "/plugins",
    response=list[PluginOut],
    summary="The installed plugins",
)
def plugin_list(request: HttpRequest) -> list[PluginOut]:
    """Every plugin this site composes, in dependency order."""
    api_root = reverse("api:openapi-json").rsplit("/", 1)[0] + "/"
    return [
        PluginOut(
            name=spec.name,
            distribution=spec.distribution,
            version=distribution_version(spec),
            api_prefix=(api_root + (spec.api_prefix or "").strip("/") + "/").replace("//", "/")
            if spec.router
            else None,
            requires=list(spec.requires),
        )
        for spec in active()
    ]
