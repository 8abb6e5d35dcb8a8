"""Signals of the social plugin: something happened to a comment (sent after the commit).

Every signal carries ``comment_id``, ``title_id``, ``parent_id`` (the root comment of a reply,
else ``None``) and ``profile_id`` (the author's profile, ``None`` once anonymised). They are
sent with ``send_robust``: a failing receiver never undoes or fails the change."""

from __future__ import annotations

from django.dispatch import Signal

comment_posted = Signal()
"""A comment (or a reply) was posted."""

comment_edited = Signal()
"""A comment's text was edited by its author."""

comment_removed = Signal()
"""A comment disappeared from view: deleted by its author or hidden by a moderator."""
