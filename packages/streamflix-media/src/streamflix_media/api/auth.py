"""Authentication of the asset and playback sub-routers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from streamflix_core.auth import AccessTokenAuth, require_staff


class StaffOnly(AccessTokenAuth):
    """``jwt_auth`` plus the staff check, run before the body is parsed, so a non-staff
    caller gets 403 whatever (and however large) the upload they send."""

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        if user:
            require_staff(request)
        return user


staff_only = StaffOnly()
