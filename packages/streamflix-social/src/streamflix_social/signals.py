"""Signals of the social plugin, each sent after the change is committed.

Receivers never decide the sender's outcome.
"""

from django.dispatch import Signal

comment_posted = Signal()
"""A comment was posted. kwargs: ``comment_id``, ``title_id``, ``parent_id`` (``None`` for a
top-level comment), ``profile_id`` (the author)."""

comment_edited = Signal()
"""A comment's text changed. kwargs: ``comment_id``, ``title_id``, ``parent_id``,
``profile_id`` (the author)."""

comment_removed = Signal()
"""A comment was removed (by its author or a moderator). kwargs: ``comment_id``,
``title_id``, ``parent_id``, ``profile_id`` (the author)."""

title_counters_changed = Signal()
"""A title's likes or rating counters changed. kwargs: ``title_id``."""
