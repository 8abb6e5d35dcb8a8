"""Plans as the services see them: the one on sale under a slug, and how long a period is."""

from __future__ import annotations

import calendar
from datetime import datetime

from streamflix_core.errors import NotFound

from ..models import Interval, Plan


def plan_on_sale(*, slug: str) -> Plan:
    """The active plan ``slug``, or a 404 ``plan_not_found``."""
    plan = Plan.objects.filter(slug=slug, is_active=True).first()
    if plan is None:
        raise NotFound("No such plan.", code="plan_not_found")
    return plan


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus calendar months, clamped to the last day of a shorter month."""
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def period_end_after(start: datetime, plan: Plan) -> datetime:
    """The end of one billing period of ``plan`` that begins at ``start``."""
    return add_months(start, 12 if plan.interval == Interval.YEAR else 1)
