"""Notification signals: one plugin tells the others that something happened.

Receivers never decide the sender's outcome: a receiver's exception is logged by the sender
(``send_robust``) and does not undo what was done. Every signal is sent after the change
is committed.
"""

from django.dispatch import Signal

user_registered = Signal()
"""A new account was created. kwargs: ``user``."""

account_deleted = Signal()
"""An account is being erased; erase what you keep for it. kwargs: ``user_id``, ``email``."""

title_published = Signal()
"""A catalog title became visible to viewers. kwargs: ``title_id``."""

progress_recorded = Signal()
"""A viewer's watch position was saved. kwargs: ``profile_id``, ``title_id``,
``episode_id`` (or ``None``), ``position_seconds``."""

title_completed = Signal()
"""A viewer finished a title or episode. kwargs: ``profile_id``, ``title_id``, ``episode_id``."""

subscription_changed = Signal()
"""A user's subscription state changed. kwargs: ``user_id``, ``status``, ``plan_slug``."""
