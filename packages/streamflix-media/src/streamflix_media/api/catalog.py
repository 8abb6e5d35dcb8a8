"""The media plugin's API, mounted at ``/api/media/``."""

import functools
import json
from collections.abc import Callable
from typing import Any, Literal

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic_core import to_json

from streamflix_core.api.errors import ErrorOut
from streamflix_core.api.pagination import PageNumber
from streamflix_core.auth import read_auth, staff_auth
from streamflix_core.hooks import contributed_home_rows
from streamflix_core.viewer import current_viewer

from .. import selectors, services
from ..conf import settings
from ..models import Credit, Episode, Genre, Person, Season
from ..search import catalog_version, current_index
from .page_cache import cache_hits_before_parsing, find_page, json_response, page_path, store_page
from .schemas.catalog import (
    CreditIn,
    CreditOut,
    CreditPatch,
    EpisodeIn,
    EpisodeOut,
    EpisodePatch,
    GenreIn,
    GenreOut,
    GenrePatch,
    HomeOut,
    HomeRowOut,
    PersonDetailOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    SearchOut,
    SearchResultOut,
    SeasonIn,
    SeasonPatch,
    SeasonSummaryOut,
    TitleCardOut,
    TitleFilter,
    TitleIn,
    TitleOut,
    TitlePatch,
)
from .schemas.watching import watch_item_out
from .viewer_merge import json_body, merge_viewer_state, page_body_for_viewer

__all__ = ["json_body", "merge_viewer_state", "router"]

router = Router(tags=["media"])


# Staff writes: 401 signed out, 403 for non-staff, checked before the body is validated.


class _PageOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    next: int | None
    previous: int | None


class TitlePageOut(_PageOut):
    items: list[TitleCardOut]


class GenrePageOut(_PageOut):
    items: list[GenreOut]


class PersonPageOut(_PageOut):
    items: list[PersonOut]


def cached_page(
    page_schema: type[Schema], *, cards: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Serve a public list page from the shared cache, keyed by catalog version, maturity
    limit and query string, so a warm page costs a cache read. Staff requests bypass it.

    With ``cards``, the view's page holds title cards as plain data (what
    :class:`~streamflix_media.selectors.TitleCards` gives): it is written as JSON as it is —
    the way pydantic writes ``page_schema`` — and a signed-in profile's own state is spliced
    into it afterwards (one query, :func:`page_body_for_viewer`)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def cached(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            seconds = settings().LIST_CACHE_SECONDS
            viewer = current_viewer(request)
            use_cache = bool(seconds) and not viewer.is_staff
            page, key = (
                find_page(page_path(request), viewer.maturity_limit) if use_cache else (None, "")
            )
            if page is not None:
                body, split = page.body, page.cards
            else:
                result = view(request, *args, **kwargs)
                if isinstance(result, HttpResponse):
                    return result
                if cards:
                    body = to_json(result)
                else:
                    body = page_schema.model_validate(result).model_dump_json().encode()
                split = None
                if use_cache:
                    split = store_page(key, body, seconds).cards if cards else None
            if cards and viewer.profile is not None:
                body = page_body_for_viewer(body, viewer, split)
            return json_response(body)

        return cached

    return decorate


ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _detail(request: HttpRequest, slug: str) -> Any:
    viewer = current_viewer(request)
    title = selectors.title_detail(viewer=viewer, slug=slug)
    if viewer.profile is not None:
        progress, by_episode = selectors.progress_on_title(
            profile_id=viewer.profile_id, title_id=title.pk
        )
        # Read by the schemas' resolvers; set on the instances of this one answer.
        title.viewer_progress = progress  # type: ignore[attr-defined]
        title.viewer_state = selectors.viewer_state_by_title(  # type: ignore[attr-defined]
            profile_id=viewer.profile_id, title_ids=[title.pk], progress=False
        ).get(title.pk, {})
        for season in title.seasons.all():
            for episode in season.episodes.all():
                episode.viewer_progress = by_episode.get(episode.pk)  # type: ignore[attr-defined]
    return title


@router.get(
    "/titles",
    response=list[TitleCardOut],
    summary="Browse titles",
    auth=read_auth,
    # paginated, so the response map holds only 200: the staff-only statuses go here
    openapi_extra={
        "responses": {
            403: {
                "description": "Forbidden: a status other than published, asked by non-staff",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
                },
            }
        }
    },
)
@decorate_view(cache_hits_before_parsing(cards=True))
@cached_page(TitlePageOut, cards=True)
@paginate(PageNumber)
def title_list(request: HttpRequest, filters: Query[TitleFilter]) -> Any:
    """Published titles within the viewer's maturity limit, filtered and ordered.

    Staff may ask for other statuses (``status=draft`` ... or ``any``).
    """
    query = selectors.TitleQuery(**filters.model_dump())
    viewer = current_viewer(request)
    titles = selectors.title_list(viewer=viewer, query=query)
    # The query and the maturity limit determine the list: its SQL is compiled once per pair.
    return selectors.TitleCards(titles, key=(query, viewer.maturity_limit))


@router.post(
    "/titles", response={201: TitleOut, **ERRORS}, summary="Create a title", auth=staff_auth
)
def title_create(request: HttpRequest, payload: TitleIn) -> Status:
    title = services.title_create(data=payload.model_dump())
    return Status(201, _detail(request, title.slug))


@router.get(
    "/titles/{slug}", response={200: TitleOut, 404: ErrorOut}, summary="A title", auth=read_auth
)
def title_detail(request: HttpRequest, slug: str) -> Any:
    """Seasons with episodes, credits grouped by role, genres and counters."""
    return _detail(request, slug)


@router.patch("/titles/{slug}", response={200: TitleOut, **ERRORS}, summary="Edit", auth=staff_auth)
def title_update(request: HttpRequest, slug: str, payload: TitlePatch) -> Any:
    title = services.title_update(
        title=selectors.title_for_staff(slug=slug), data=payload.model_dump(exclude_unset=True)
    )
    return _detail(request, title.slug)


@router.delete("/titles/{slug}", response={204: None, **ERRORS}, summary="Delete", auth=staff_auth)
def title_delete(request: HttpRequest, slug: str) -> Status:
    services.title_delete(title=selectors.title_for_staff(slug=slug))
    return Status(204, None)


@router.post("/titles/{slug}/publish", response={200: TitleOut, **ERRORS}, auth=staff_auth)
def title_publish(request: HttpRequest, slug: str) -> Any:
    """Make a title visible to viewers (sends ``title_published``)."""
    services.title_publish(title=selectors.title_for_staff(slug=slug))
    return _detail(request, slug)


@router.post("/titles/{slug}/unpublish", response={200: TitleOut, **ERRORS}, auth=staff_auth)
def title_unpublish(request: HttpRequest, slug: str) -> Any:
    """Hide a title from viewers (back to draft)."""
    services.title_unpublish(title=selectors.title_for_staff(slug=slug))
    return _detail(request, slug)


@router.post(
    "/titles/{slug}/images/{image}",
    response={200: TitleOut, 422: ErrorOut, **ERRORS},
    summary="Upload a poster or backdrop",
    auth=staff_auth,
)
def title_image_upload(
    request: HttpRequest,
    slug: str,
    image: Literal["poster", "backdrop"],
    file: File[UploadedFile],
) -> Any:
    """A JPEG, PNG or WebP, checked with Pillow; resized variants are made at once."""
    services.title_image_set(title=selectors.title_for_staff(slug=slug), field=image, upload=file)
    return _detail(request, slug)


@router.post("/titles/{slug}/seasons", response={201: SeasonSummaryOut, **ERRORS}, auth=staff_auth)
def season_create(request: HttpRequest, slug: str, payload: SeasonIn) -> Status:
    title = selectors.title_for_staff(slug=slug)
    season = services.season_create(title=title, **payload.model_dump())
    return Status(201, season)


@router.patch("/seasons/{season_id}", response={200: SeasonSummaryOut, **ERRORS}, auth=staff_auth)
def season_update(request: HttpRequest, season_id: int, payload: SeasonPatch) -> Any:
    season = selectors.object_or_404(Season, pk=season_id)
    return services.season_update(season=season, data=payload.model_dump(exclude_unset=True))


@router.delete("/seasons/{season_id}", response={204: None, **ERRORS}, auth=staff_auth)
def season_delete(request: HttpRequest, season_id: int) -> Status:
    services.season_delete(season=selectors.object_or_404(Season, pk=season_id))
    return Status(204, None)


@router.post("/seasons/{season_id}/episodes", response={201: EpisodeOut, **ERRORS}, auth=staff_auth)
def episode_create(request: HttpRequest, season_id: int, payload: EpisodeIn) -> Status:
    season = selectors.object_or_404(Season, pk=season_id)
    return Status(201, services.episode_create(season=season, data=payload.model_dump()))


@router.patch("/episodes/{episode_id}", response={200: EpisodeOut, **ERRORS}, auth=staff_auth)
def episode_update(request: HttpRequest, episode_id: int, payload: EpisodePatch) -> Any:
    episode = selectors.object_or_404(Episode, pk=episode_id)
    return services.episode_update(episode=episode, data=payload.model_dump(exclude_unset=True))


@router.delete("/episodes/{episode_id}", response={204: None, **ERRORS}, auth=staff_auth)
def episode_delete(request: HttpRequest, episode_id: int) -> Status:
    services.episode_delete(episode=selectors.object_or_404(Episode, pk=episode_id))
    return Status(204, None)


@router.post(
    "/titles/{slug}/credits", response={201: CreditOut, 422: ErrorOut, **ERRORS}, auth=staff_auth
)
def credit_create(request: HttpRequest, slug: str, payload: CreditIn) -> Status:
    data = payload.model_dump()
    person = data.pop("person")
    credit = services.credit_create(
        title=selectors.title_for_staff(slug=slug), person_slug=person, data=data
    )
    return Status(201, credit)


@router.patch("/credits/{credit_id}", response={200: CreditOut, **ERRORS}, auth=staff_auth)
def credit_update(request: HttpRequest, credit_id: int, payload: CreditPatch) -> Any:
    credit = selectors.object_or_404(Credit, pk=credit_id)
    return services.credit_update(credit=credit, data=payload.model_dump(exclude_unset=True))


@router.delete("/credits/{credit_id}", response={204: None, **ERRORS}, auth=staff_auth)
def credit_delete(request: HttpRequest, credit_id: int) -> Status:
    services.credit_delete(credit=selectors.object_or_404(Credit, pk=credit_id))
    return Status(204, None)


@router.get("/genres", response=list[GenreOut], summary="Genres", auth=read_auth)
@decorate_view(cache_hits_before_parsing(cards=False))
@cached_page(GenrePageOut)
@paginate(PageNumber)
def genre_list(request: HttpRequest) -> Any:
    return selectors.genre_list()


@router.post("/genres", response={201: GenreOut, **ERRORS}, auth=staff_auth)
def genre_create(request: HttpRequest, payload: GenreIn) -> Status:
    return Status(201, services.genre_create(**payload.model_dump()))


@router.patch("/genres/{slug}", response={200: GenreOut, **ERRORS}, auth=staff_auth)
def genre_update(request: HttpRequest, slug: str, payload: GenrePatch) -> Any:
    genre = selectors.object_or_404(Genre, slug=slug)
    return services.genre_update(genre=genre, data=payload.model_dump(exclude_unset=True))


@router.delete("/genres/{slug}", response={204: None, **ERRORS}, auth=staff_auth)
def genre_delete(request: HttpRequest, slug: str) -> Status:
    services.genre_delete(genre=selectors.object_or_404(Genre, slug=slug))
    return Status(204, None)


@router.get("/people", response=list[PersonOut], summary="People", auth=read_auth)
@decorate_view(cache_hits_before_parsing(cards=False))
@cached_page(PersonPageOut)
@paginate(PageNumber)
def person_list(
    request: HttpRequest, q: str | None = Query(None, min_length=1, max_length=100)
) -> Any:
    return selectors.person_list(q=q)


@router.post("/people", response={201: PersonOut, **ERRORS}, auth=staff_auth)
def person_create(request: HttpRequest, payload: PersonIn) -> Status:
    return Status(201, services.person_create(**payload.model_dump()))


@router.get("/people/{slug}", response={200: PersonDetailOut, 404: ErrorOut}, auth=read_auth)
def person_detail(request: HttpRequest, slug: str) -> Any:
    """A person with their filmography (titles the viewer may see)."""
    person, credits = selectors.person_detail(viewer=current_viewer(request), slug=slug)
    person.filmography = credits  # type: ignore[attr-defined]
    return person


@router.patch("/people/{slug}", response={200: PersonOut, **ERRORS}, auth=staff_auth)
def person_update(request: HttpRequest, slug: str, payload: PersonPatch) -> Any:
    person = selectors.object_or_404(Person, slug=slug)
    return services.person_update(person=person, data=payload.model_dump(exclude_unset=True))


@router.delete("/people/{slug}", response={204: None, **ERRORS}, auth=staff_auth)
def person_delete(request: HttpRequest, slug: str) -> Status:
    services.person_delete(person=selectors.object_or_404(Person, slug=slug))
    return Status(204, None)


@router.get("/search", response=SearchOut, summary="Typo-tolerant search", auth=read_auth)
def catalog_search(request: HttpRequest, q: str = Query(..., min_length=1, max_length=100)) -> Any:
    """Titles (by name or original name, or by genre) and people, best first."""
    config = settings()
    hits = current_index().search(
        q,
        maturity_limit=current_viewer(request).maturity_limit,
        limit=config.SEARCH_LIMIT,
        min_score=config.SEARCH_MIN_SCORE,
        person_weight=config.SEARCH_PERSON_WEIGHT,
        genre_weight=config.SEARCH_GENRE_WEIGHT,
    )
    return SearchOut(
        query=q,
        results=[
            SearchResultOut(
                type=hit.type,  # type: ignore[arg-type]
                score=hit.score,
                id=hit.entry.id,
                slug=hit.entry.slug,
                name=hit.entry.name,
                kind=getattr(hit.entry, "kind", None),
                year=getattr(hit.entry, "year", None),
                maturity_rating=getattr(hit.entry, "maturity_rating", None),
            )
            for hit in hits
        ],
    )


@router.get("/home", response=HomeOut, summary="Home screen rows", auth=read_auth)
def home_rows(request: HttpRequest) -> Any:
    """Featured, new, most viewed and one row per top genre, in one call; for a signed-in
    profile first "Continue watching" and "Next up" (rows with ``items``: the episode and
    where to resume), and its progress on every card. Rows other plugins contribute
    through core's ``home_rows`` hook (such as social's "Trending" and "Top picks") come
    after the profile's own rows and before the shared ones; they are not cached.

    The shared rows are cached per catalog version and maturity limit for
    ``HOME_CACHE_SECONDS``; the profile's own are not.
    """
    viewer = current_viewer(request)
    seconds = settings().HOME_CACHE_SECONDS
    key = f"streamflix_media:home:{catalog_version()}:{viewer.maturity_limit}"
    body = cache.get(key) if seconds else None
    if body is None:
        rows = selectors.home_rows(viewer=viewer)
        body = HomeOut.model_validate({"rows": rows}).model_dump_json()
        if seconds:
            cache.set(key, body, seconds)
    contributed = [
        HomeRowOut.model_validate(
            {"key": row.key, "name": row.name, "genre": None, "titles": row.titles}
        ).model_dump(mode="json")
        for row in contributed_home_rows(viewer)
    ]
    if viewer.profile is None:
        if not contributed:
            return json_response(body)
        data = json.loads(body)
        data["rows"][:0] = contributed
        return json_response(json_body(data).encode())
    personal = [
        (key, name, items)
        for key, name, items in (
            ("continue_watching", "Continue watching", selectors.continue_watching(viewer=viewer)),
            ("next_up", "Next up", selectors.next_up(viewer=viewer)),
        )
        if items
    ]
    data = json.loads(body)
    data["rows"][:0] = [
        HomeRowOut.model_validate(
            {"key": key, "name": name, "genre": None, "titles": [i.title for i in items],
             "items": [watch_item_out(i) for i in items]}
        ).model_dump(mode="json")
        for key, name, items in personal
    ] + contributed  # fmt: skip
    return json_response(json_body(merge_viewer_state(data, viewer)).encode())
