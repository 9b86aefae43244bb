from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from shuzhi.analytics.services import checks_refresh

EVERY = timedelta(minutes=5)


@task()
def refresh_every_few_minutes() -> int:
    """Index what changed in the registered areas and check the changed reports, then queue
    itself again (the worker runs it). The areas below need no hook: their rows' updated_at is
    what the refresh reads."""
    count = checks_refresh()
    refresh_every_few_minutes.using(run_after=timezone.now() + EVERY).enqueue()
    return count
