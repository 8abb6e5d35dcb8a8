"""Signals of the social plugin, each sent after the change is committed (``send_robust``: a
failing receiver never undoes or fails the change; receivers never decide its outcome).

The comment signals carry ``comment_id``, ``title_id``, ``parent_id`` (the root comment of a
reply, else ``None``) and ``profile_id`` (the author's profile, ``None`` once anonymised).
"""

from django.dispatch import Signal

comment_posted = Signal()
"""A comment (or a reply) was posted."""

comment_edited = Signal()
"""A comment's text was edited by its author."""

comment_removed = Signal()
"""A comment disappeared from view: deleted by its author or hidden by a moderator."""

title_counters_changed = Signal()
"""A title's likes or rating counters changed. kwargs: ``title_id``."""
