from django_tasks import task

from shuzhi.exchange.services import exchange_job_run


@task()
def run_exchange_job(job_id: int) -> str:
    """Run one import or export in the worker (`manage.py db_worker`)."""
    return exchange_job_run(job_id=job_id).status
