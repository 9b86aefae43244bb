from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import task

from shuzhi.weakorgs.services import flags_compute

RUN_AT = time(2, 0)  # every night at two o'clock, local time (after rectification marks overdue items at one)


def next_run(now: datetime) -> datetime:
    today = timezone.localtime(now)
    at = today.replace(hour=RUN_AT.hour, minute=RUN_AT.minute, second=0, microsecond=0)
    return at if at > today else at + timedelta(days=1)


@task()
def compute_flags_nightly() -> int:
    """Judge this year's grassroots organisations, then queue itself for the next night."""
    run = flags_compute(year=timezone.localdate().year)
    compute_flags_nightly.using(run_after=next_run(timezone.now())).enqueue()
    return run.flagged
