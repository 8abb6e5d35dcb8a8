"""Hooks: values one plugin asks of the others, without importing them.

A hook is declared here, once, with a docstring that is its contract. Providers register
from their plugin's hooks module (``PluginSpec.hooks``), which core imports when Django is
ready. Order of providers is registration order, which follows plugin dependency order.

Declared hooks:

``playback_entitlement``
    "May this viewer play this, and at what limits?" Media asks through
    :func:`decide_playback`. Each provider is ``provider(request: PlaybackRequest,
    decision: PlaybackDecision) -> PlaybackDecision`` and receives the decision folded so
    far, starting from the site's default policy (``STREAMFLIX_CORE["DEFAULT_PLAYBACK_POLICY"]``).
    Billing registers one that checks the subscription and applies the plan's limits.

``profile_limit``
    "How many viewer profiles may this user have?" Each provider is
    ``provider(user) -> int | None`` (``None``: no opinion). :func:`max_profiles` returns the
    lowest answer, or ``STREAMFLIX_CORE["MAX_PROFILES"]`` when no provider answers.

``title_viewer_marks``
    "What is this profile's own state on a title?" (liked, on its list, its rating). Each
    provider is ``provider(profile_id: int) -> Mapping[str, Expression]``: field name to a
    query expression evaluated on media's title rows (``OuterRef("pk")`` is the title's id),
    such as ``Exists(...)`` or ``Subquery(...)``. Media puts every provider's expressions
    into one query per page with the profile's progress (:func:`viewer_marks`), so a page
    costs one query whatever the page size and the number of providers. That query is
    compiled once per shape with a stand-in for ``profile_id`` (the real one is bound when
    it runs): use ``profile_id`` only as a value inside the expressions, never to choose
    them. Social registers one giving ``liked``, ``in_list`` and ``my_rating``.

``admin_dashboard_cards``
    "What should the admin index show about you?" Core's dashboard
    (:func:`streamflix_core.dashboard.dashboard_callback`, Unfold's ``DASHBOARD_CALLBACK``)
    asks every provider once per index page. Each provider is ``provider() ->
    Sequence[DashboardCard]`` (:class:`streamflix_core.dashboard.DashboardCard`): site-wide
    figures, the same for every staff member (an answer may be cached for
    ``STREAMFLIX_CORE["DASHBOARD_CACHE_SECONDS"]``), made with a bounded number of aggregate
    queries per card, never one per row. A provider lives in its plugin's admin layer
    (``<plugin>/admin/dashboard.py``) and is registered from the plugin's hooks module. A
    provider that raises is logged and replaced by an error card; the index still renders.
    Core registers the accounts cards; media, billing and social register theirs.
``home_rows``
    "Which rows do you add to the home screen of this viewer?" Media asks once per home
    request through :func:`contributed_home_rows` and places the rows after the profile's
    own ("Continue watching", "Next up") and before the shared ones (featured, new...).
    Each provider is ``provider(viewer) -> Sequence[HomeRow]`` (the viewer of
    ``streamflix_core.viewer.current_viewer``, maybe anonymous); a row's titles are media
    ``Title`` instances the viewer may see, genres prefetched, answered in a fixed number of
    queries. Media merges the profile's own state into the cards as on its own rows. Social
    registers one giving "Trending", "Top picks" and "Because you watched X".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .dashboard import DashboardCard

P = TypeVar("P", bound=Callable[..., Any])


class Hook(Generic[P]):
    """A named list of providers. ``register`` adds one, ``providers`` lists them."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc
        self._providers: list[P] = []

    def register(self, provider: P) -> P:
        """Add ``provider`` (idempotent); usable as a decorator."""
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def unregister(self, provider: P) -> None:
        if provider in self._providers:
            self._providers.remove(provider)

    @property
    def providers(self) -> tuple[P, ...]:
        return tuple(self._providers)

    def collect(self, *args: Any, **kwargs: Any) -> list[Any]:
        """Call every provider with the same arguments and return their answers in order."""
        return [provider(*args, **kwargs) for provider in self._providers]

    @contextmanager
    def temporarily(self, *providers: P, replace_existing: bool = False) -> Iterator[None]:
        """Register ``providers`` for the duration of a ``with`` block (tests).

        With ``replace_existing=True`` the already registered providers are set aside.
        """
        saved = list(self._providers)
        if replace_existing:
            self._providers.clear()
        for provider in providers:
            self.register(provider)
        try:
            yield
        finally:
            self._providers[:] = saved

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._providers)} provider(s)>"


# --- playback entitlement -----------------------------------------------------------------

DEFAULT_POLICIES = ("authenticated", "staff", "anyone", "nobody")


@dataclass(frozen=True)
class PlaybackRequest:
    """What is asked: ``user`` (maybe anonymous), the viewer ``profile`` when known, and the
    content (``content_type`` such as ``"title"`` or ``"episode"`` and its ``content_id``)."""

    user: Any
    content_type: str = ""
    content_id: Any = None
    profile: Any = None


@dataclass(frozen=True)
class PlaybackDecision:
    """The answer. ``reason`` is a stable machine code (``"ok"``, ``"not_authenticated"``,
    ``"no_subscription"``...). ``None`` limits mean unlimited."""

    allowed: bool
    reason: str = "ok"
    max_video_height: int | None = None
    max_concurrent_streams: int | None = None

    def deny(self, reason: str) -> PlaybackDecision:
        return replace(self, allowed=False, reason=reason)

    def limit(
        self, *, max_video_height: int | None = None, max_concurrent_streams: int | None = None
    ) -> PlaybackDecision:
        """Tighten limits (a provider can only lower a limit set by an earlier one)."""
        return replace(
            self,
            max_video_height=_lowest(self.max_video_height, max_video_height),
            max_concurrent_streams=_lowest(self.max_concurrent_streams, max_concurrent_streams),
        )


def _lowest(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


PlaybackProvider = Callable[[PlaybackRequest, PlaybackDecision], PlaybackDecision]

playback_entitlement: Hook[PlaybackProvider] = Hook(
    "playback_entitlement",
    "provider(request: PlaybackRequest, decision: PlaybackDecision) -> PlaybackDecision",
)


def default_decision(request: PlaybackRequest, policy: str) -> PlaybackDecision:
    """The decision of the site's default policy, before any provider speaks."""
    user = request.user
    signed_in = bool(user is not None and getattr(user, "is_authenticated", False))
    if policy == "anyone":
        return PlaybackDecision(allowed=True)
    if policy == "nobody":
        return PlaybackDecision(allowed=False, reason="playback_disabled")
    if not signed_in:
        return PlaybackDecision(allowed=False, reason="not_authenticated")
    if policy == "staff" and not getattr(user, "is_staff", False):
        return PlaybackDecision(allowed=False, reason="staff_only")
    return PlaybackDecision(allowed=True)


def decide_playback(request: PlaybackRequest) -> PlaybackDecision:
    """Fold every registered entitlement provider over the default policy's decision.

    A provider sees the decision so far and returns the next one; a denial from the default
    policy for an anonymous user is final (providers are not asked).
    """
    from .conf import settings

    decision = default_decision(request, settings().DEFAULT_PLAYBACK_POLICY)
    if decision.reason == "not_authenticated":
        return decision
    for provider in playback_entitlement.providers:
        decision = provider(request, decision)
    return decision


# --- profile limit --------------------------------------------------------------------------

profile_limit: Hook[Callable[[Any], int | None]] = Hook(
    "profile_limit", "provider(user) -> int | None"
)


def max_profiles(user: Any) -> int:
    """How many profiles ``user`` may have: the lowest provider answer, else the setting."""
    from .conf import settings

    answers = [limit for limit in profile_limit.collect(user) if limit is not None]
    return min(answers) if answers else settings().MAX_PROFILES


# --- the viewer's own state on titles -------------------------------------------------------

TitleMarksProvider = Callable[[int], Mapping[str, Any]]

title_viewer_marks: Hook[TitleMarksProvider] = Hook(
    "title_viewer_marks", "provider(profile_id: int) -> Mapping[str, Expression]"
)


def viewer_marks(profile_id: int) -> dict[str, Any]:
    """Every provider's expressions for ``profile_id``, merged (a later provider wins a
    clash): annotations for a query over media's titles."""
    merged: dict[str, Any] = {}
    for answer in title_viewer_marks.collect(profile_id):
        merged.update(answer)
    return merged


# --- admin dashboard cards ------------------------------------------------------------------

admin_dashboard_cards: Hook[Callable[[], Sequence[DashboardCard]]] = Hook(
    "admin_dashboard_cards", "provider() -> Sequence[DashboardCard]"
)

# --- rows other plugins add to the home screen ----------------------------------------------


@dataclass(frozen=True)
class HomeRow:
    """A home-screen row: a stable ``key`` (``"trending"``, ``"because:<slug>"``...), the
    ``name`` shown, and its ``titles`` (media ``Title`` instances, genres prefetched)."""

    key: str
    name: str
    titles: list[Any]


HomeRowsProvider = Callable[[Any], Sequence[HomeRow]]

home_rows: Hook[HomeRowsProvider] = Hook("home_rows", "provider(viewer) -> Sequence[HomeRow]")


def contributed_home_rows(viewer: Any) -> list[HomeRow]:
    """Every provider's rows for ``viewer``, in provider order; empty rows are left out."""
    return [row for rows in home_rows.collect(viewer) for row in rows if row.titles]
