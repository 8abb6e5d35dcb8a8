"""Social writes, keyword-only and named ``<thing>_<action>``; one module per topic. Every
public service is importable from here."""

from .live import live_broadcast, notifications_group, title_group  # noqa: F401
from .notifications import notification_mark_read, notifications_create, notifications_mark_all_read  # noqa: F401
from .rooms import room_join, room_leave  # noqa: F401
from .tickets import ws_ticket_issue, ws_ticket_redeem  # noqa: F401
