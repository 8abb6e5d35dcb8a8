"""django-q2 task targets of core."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.mail import send_mail
from django.utils import timezone

logger = logging.getLogger(__name__)


def send_email(spec: dict[str, Any], attempt: int = 1) -> None:
    """Send one queued email (see :mod:`streamflix_core.emails`); on failure schedule a
    retry with a doubling delay until ``STREAMFLIX_CORE["EMAIL_MAX_ATTEMPTS"]`` is reached
    (then the failure is raised). Account emails are rebuilt from the spec on each try."""
    from django_q.models import Schedule
    from django_q.tasks import schedule

    from .conf import settings
    from .emails import TASK, build_message

    message = build_message(spec)
    if message is None:
        return
    to, subject, body = message
    try:
        send_mail(subject, body, None, [to])
    except Exception:
        config = settings()
        if attempt >= config.EMAIL_MAX_ATTEMPTS:
            logger.exception("Giving up on a %s email after %s attempts", spec["kind"], attempt)
            raise
        delay = config.EMAIL_RETRY_DELAY_SECONDS * 2 ** (attempt - 1)
        logger.warning(
            "A %s email failed (attempt %s); retrying in %ss", spec["kind"], attempt, delay
        )
        schedule(
            TASK,
            spec,
            attempt + 1,
            schedule_type=Schedule.ONCE,
            repeats=1,
            next_run=timezone.now() + timedelta(seconds=delay),
        )
