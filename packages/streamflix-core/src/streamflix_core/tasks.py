"""django-q2 task targets of core."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.utils import timezone

logger = logging.getLogger(__name__)


def send_account_email(to: str, subject: str, body: str, attempt: int = 1) -> None:
    """Send one account email; on failure schedule a retry with a doubling delay until
    ``STREAMFLIX_CORE["EMAIL_MAX_ATTEMPTS"]`` is reached (then the failure is raised)."""
    from django_q.models import Schedule
    from django_q.tasks import schedule

    from .conf import settings

    try:
        send_mail(subject, body, None, [to])
    except Exception:
        config = settings()
        if attempt >= config.EMAIL_MAX_ATTEMPTS:
            logger.exception("Giving up on an account email after %s attempts", attempt)
            raise
        delay = config.EMAIL_RETRY_DELAY_SECONDS * 2 ** (attempt - 1)
        logger.warning("Account email failed (attempt %s); retrying in %ss", attempt, delay)
        schedule(
            "streamflix_core.tasks.send_account_email",
            to,
            subject,
            body,
            attempt + 1,
            schedule_type=Schedule.ONCE,
            repeats=1,
            next_run=timezone.now() + timedelta(seconds=delay),
        )
