"""``/api/profiles*``: viewer profiles ("Who's watching?")."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.errors import Throttled
from ninja.pagination import paginate

from .. import selectors
from ..auth import jwt_auth
from ..errors import NotFound
from ..models import Profile
from ..services import profiles
from ..throttles import pin_throttle
from ..viewer import current_viewer
from .account_schemas import ProfileIn, ProfileOut, ProfilePatch, SwitchIn, TokensOut
from .auth import tokens_out
from .errors import ErrorOut
from .pagination import PageNumber

router = Router(auth=jwt_auth)


@router.get("/profiles", response=list[ProfileOut], summary="The account's profiles")
@paginate(PageNumber)
def profile_list(request: HttpRequest) -> object:
    return selectors.profile_list(user=request.user)


@router.post(
    "/profiles",
    response={201: ProfileOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Add a profile",
)
def profile_create(request: HttpRequest, payload: ProfileIn) -> Status:
    """Up to the account's profile limit (a setting, or the subscription plan's). A kids
    session gets 403 ``kids_profile``."""
    profile = profiles.profile_create(
        user=request.user,
        name=payload.name,
        avatar=payload.avatar,
        is_kids=payload.is_kids,
        maturity_limit=payload.maturity_limit,
        language=payload.language,
        pin=payload.pin,
        acting_profile=current_viewer(request).profile,
    )
    return Status(201, profile)


@router.get("/profiles/{profile_id}", response={200: ProfileOut, 401: ErrorOut, 404: ErrorOut})
def profile_detail(request: HttpRequest, profile_id: int) -> Profile:
    profile = selectors.profile_get(user=request.user, profile_id=profile_id)
    if profile is None:
        raise NotFound("No such profile.", code="profile_not_found")
    return profile


@router.patch(
    "/profiles/{profile_id}",
    response={
        200: ProfileOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
)
def profile_update(request: HttpRequest, profile_id: int, payload: ProfilePatch) -> Profile:
    """Changing or removing a PIN that is set needs ``current_pin`` or ``password`` (403
    ``pin_required`` / ``wrong_pin``; these checks share the switch throttle). A kids
    session may change only its own profile, never clearing ``is_kids`` or raising its
    maturity limit (403 ``kids_profile``)."""
    changes = payload.dict(exclude_unset=True)
    current_pin = changes.pop("current_pin", None)
    password = changes.pop("password", None)
    if "pin" in changes and (current_pin or password):
        _throttle_pin_check(request)
    return profiles.profile_update(
        user=request.user,
        profile_id=profile_id,
        changes=changes,
        acting_profile=current_viewer(request).profile,
        current_pin=current_pin,
        password=password,
    )


def _throttle_pin_check(request: HttpRequest) -> None:
    # PIN guesses through PATCH count against the same per-user budget as profile switches.
    throttle = pin_throttle()
    if not throttle.allow_request(request):
        raise Throttled(wait=int(throttle.wait() or 0))


@router.delete(
    "/profiles/{profile_id}",
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def profile_delete(request: HttpRequest, profile_id: int) -> Status:
    """The last profile cannot be deleted (409 ``last_profile``); a kids session gets 403
    ``kids_profile``."""
    profiles.profile_delete(
        user=request.user, profile_id=profile_id, acting_profile=current_viewer(request).profile
    )
    return Status(204, None)


@router.post(
    "/profiles/{profile_id}/switch",
    response={200: TokensOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    throttle=[pin_throttle()],
    summary="Watch as this profile: new tokens carrying its id",
)
def profile_switch(
    request: HttpRequest, profile_id: int, payload: SwitchIn, response: HttpResponse
) -> TokensOut:
    """The PIN is checked when the profile has one (403 ``invalid_pin``). A cookie-mode
    session gets the new pair in its cookies."""
    pair = profiles.profile_switch(user=request.user, profile_id=profile_id, pin=payload.pin)
    return tokens_out(request, response, pair, cookies=not request.headers.get("Authorization"))
