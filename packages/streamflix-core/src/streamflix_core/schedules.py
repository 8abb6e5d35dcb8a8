"""Sync of the plugins' declared django-q2 schedules into ``django_q.Schedule`` rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from .plugins.compose import active

MANAGED_PREFIX = "streamflix:"


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


@transaction.atomic
def sync_schedules(*, prune: bool = False) -> SyncReport:
    """Make the Schedule table match what the selected plugins declare.

    Rows are keyed by ``streamflix:<schedule name>``; running it twice changes nothing.
    With ``prune``, managed rows that no plugin declares any more are deleted.
    """
    from django_q.models import Schedule

    report = SyncReport()
    declared: set[str] = set()
    for spec in active():
        for schedule in spec.schedules:
            name = MANAGED_PREFIX + schedule.name
            declared.add(name)
            wanted = {
                "func": schedule.func,
                "schedule_type": schedule.schedule_type,
                "minutes": schedule.minutes,
                "cron": schedule.cron,
                "kwargs": repr(dict(sorted(schedule.kwargs.items()))) if schedule.kwargs else None,
                "repeats": -1,
            }
            row = Schedule.objects.filter(name=name).first()
            if row is None:
                Schedule.objects.create(name=name, **wanted)
                report.created.append(name)
                continue
            changed = {k: v for k, v in wanted.items() if getattr(row, k) != v}
            if changed:
                for key, value in changed.items():
                    setattr(row, key, value)
                row.save(update_fields=list(changed))
                report.updated.append(name)
            else:
                report.unchanged.append(name)
    if prune:
        stale = Schedule.objects.filter(name__startswith=MANAGED_PREFIX).exclude(name__in=declared)
        report.deleted = sorted(stale.values_list("name", flat=True))
        stale.delete()
    return report
