from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import task

from shuzhi.lifecycle.services import deadline_reminders_send
from shuzhi.lifecycle.training import qualification_reminders_send

RUN_AT = time(1, 30)  # every night at half past one, local time


def next_run(now: datetime) -> datetime:
    today = timezone.localtime(now)
    at = today.replace(hour=RUN_AT.hour, minute=RUN_AT.minute, second=0, microsecond=0)
    return at if at > today else at + timedelta(days=1)


@task()
def remind_daily() -> int:
    """Remind the branches of steps coming due and the workers of their qualification running out,
    then queue itself for the next night."""
    today = timezone.localdate()
    count = deadline_reminders_send(today=today) + qualification_reminders_send(today=today)
    remind_daily.using(run_after=next_run(timezone.now())).enqueue()
    return count
