"""``/api/profiles*``: viewer profiles ("Who's watching?")."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.pagination import paginate

from .. import selectors
from ..auth import jwt_auth
from ..models import Profile
from ..services import profiles
from ..throttles import pin_throttle
from .account_schemas import ProfileIn, ProfileOut, ProfilePatch, SwitchIn, TokensOut
from .auth import tokens_out
from .errors import ErrorOut, NotFound
from .pagination import PageNumber

router = Router(auth=jwt_auth)


@router.get("/profiles", response=list[ProfileOut], summary="The account's profiles")
@paginate(PageNumber)
def profile_list(request: HttpRequest) -> object:
    return selectors.profile_list(user=request.user)


@router.post(
    "/profiles",
    response={201: ProfileOut, 401: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Add a profile",
)
def profile_create(request: HttpRequest, payload: ProfileIn) -> Status:
    """Up to the account's profile limit (a setting, or the subscription plan's)."""
    profile = profiles.profile_create(
        user=request.user,
        name=payload.name,
        avatar=payload.avatar,
        is_kids=payload.is_kids,
        maturity_limit=payload.maturity_limit,
        language=payload.language,
        pin=payload.pin,
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
    response={200: ProfileOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def profile_update(request: HttpRequest, profile_id: int, payload: ProfilePatch) -> Profile:
    return profiles.profile_update(
        user=request.user, profile_id=profile_id, changes=payload.dict(exclude_unset=True)
    )


@router.delete(
    "/profiles/{profile_id}",
    response={204: None, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def profile_delete(request: HttpRequest, profile_id: int) -> Status:
    """The last profile cannot be deleted (409 ``last_profile``)."""
    profiles.profile_delete(user=request.user, profile_id=profile_id)
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
