"""Social reads, query-count bounded; one module per topic. Every public selector is
importable from here."""

from .live import live_title, live_viewer, title_counters  # noqa: F401
from .notifications import notification_list, notification_unread_count  # noqa: F401
