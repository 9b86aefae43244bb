from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import task

from shuzhi.rectification.services import items_mark_overdue

RUN_AT = time(1, 0)  # every night at one o'clock, local time


def next_run(now: datetime) -> datetime:
    today = timezone.localtime(now)
    at = today.replace(hour=RUN_AT.hour, minute=RUN_AT.minute, second=0, microsecond=0)
    return at if at > today else at + timedelta(days=1)


@task()
def mark_overdue_daily() -> int:
    """Mark overdue items, then queue itself for the next night (the worker runs it)."""
    count = items_mark_overdue()
    mark_overdue_daily.using(run_after=next_run(timezone.now())).enqueue()
    return count
