"""A signed-in profile's own state — progress, liked, on its list, its rating — merged into
pages that are cached for everyone.

Two ways, the same bytes:

- :func:`merge_viewer_state` sets the fields on title cards of a decoded page (home rows,
  discovery rows);
- :func:`page_body_for_viewer` splices them into the JSON text of a card page as
  :func:`~streamflix_media.selectors.cards.title_cards` writes it, without decoding and
  re-encoding the page: each card ends with its viewer fields, all ``null`` in the public
  page, and only those few bytes are replaced.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_json

from .. import selectors
from .schemas.catalog import ProgressOut

VIEWER_STATE_FIELDS = ("liked", "in_list", "my_rating")

#: How every card of a public page ends (``TitleCardOut``'s last fields, compact JSON).
PUBLIC_CARD_TAIL = b'"progress":null,"liked":null,"in_list":null,"my_rating":null}'
# A card opens with its id then its slug; a genre (the only other object with an id in a
# card) has its name second. Quotes inside strings are escaped, so text never matches.
_CARD_OPENING = re.compile(rb'\{"id":(\d+),"slug":')


def json_body(data: Any) -> str:
    """Compact JSON with non-ASCII characters as they are: the bytes pydantic's
    ``model_dump_json`` writes, so a page merged with a profile's state is encoded like the
    public page it came from."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _cards_in(data: dict[str, Any], lists: tuple[str, ...]) -> list[dict[str, Any]]:
    cards = [card for name in lists for card in data.get(name, [])]
    for row in data.get("rows", []):
        cards.extend(row["titles"])
    return cards


def merge_viewer_state(
    data: dict[str, Any], viewer: Any, *, lists: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Set the profile's progress and marks (``title_viewer_marks`` providers: liked, on its
    list, its rating) on every title card of ``data`` — the cards of each list named in
    ``lists`` and of every row in ``data["rows"]``: one query, whatever the page size."""
    cards = _cards_in(data, lists)
    ids = list({card["id"] for card in cards})
    states = selectors.viewer_state_by_title(profile_id=viewer.profile_id, title_ids=ids)
    for card in cards:
        state = states.get(card["id"], {})
        progress = state.get("progress")
        if progress is not None:
            card["progress"] = ProgressOut.model_validate(progress).model_dump(mode="json")
        for field, value in state.items():
            if field in VIEWER_STATE_FIELDS:
                card[field] = value
    return data


@dataclass(frozen=True)
class CardSplit:
    """A public card page cut where each card's viewer fields go: ``pieces`` around the
    public tails, and the id of the card each tail closes."""

    pieces: tuple[bytes, ...]
    ids: tuple[int, ...]


def split_cards(body: bytes) -> CardSplit | None:
    """``body`` (a public page of title cards) cut at each card's viewer fields; ``None``
    for a page in another form."""
    pieces = body.split(PUBLIC_CARD_TAIL)
    ids = tuple(int(found) for found in _CARD_OPENING.findall(body))
    if len(ids) != len(pieces) - 1:
        return None
    return CardSplit(tuple(pieces), ids)


def page_body_for_viewer(body: bytes, viewer: Any, split: CardSplit | None = None) -> bytes:
    """``body`` (a public page of title cards in ``items``) with the profile's own state on
    each card: one query. ``split`` is ``split_cards(body)`` when the caller kept it. A page
    in another form is decoded and merged field by field."""
    split = split or split_cards(body)
    if split is None:
        data = merge_viewer_state(json.loads(body), viewer, lists=("items",))
        return json_body(data).encode()
    states = selectors.viewer_state_by_title(
        profile_id=viewer.profile_id, title_ids=list(dict.fromkeys(split.ids))
    )
    merged = [split.pieces[0]]
    for title_id, piece in zip(split.ids, split.pieces[1:], strict=True):
        merged.append(_card_tail(states.get(title_id)))
        merged.append(piece)
    return b"".join(merged)


#: Tails of cards without progress, by their marks: a page repeats a handful of them.
_TAILS_WITHOUT_PROGRESS: dict[tuple[Any, ...], bytes] = {}


def _card_tail(state: dict[str, Any] | None) -> bytes:
    if not state:
        return PUBLIC_CARD_TAIL
    progress = state.get("progress")
    marks = tuple(state.get(field) for field in VIEWER_STATE_FIELDS)
    if progress is None:
        known = _TAILS_WITHOUT_PROGRESS.get(marks)
        if known is not None:
            return known
    # The object without its opening brace: the card's closing one stays.
    fields = {"progress": progress, **dict(zip(VIEWER_STATE_FIELDS, marks, strict=True))}
    tail = to_json(fields)[1:]
    if progress is None and len(_TAILS_WITHOUT_PROGRESS) < 256:
        _TAILS_WITHOUT_PROGRESS[marks] = tail
    return tail
