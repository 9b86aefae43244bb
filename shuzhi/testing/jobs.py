"""Run queued background jobs the way production does: django-tasks-db's worker, here in-process."""

from unittest import mock

from django_tasks_db.management.commands.db_worker import Worker


def run_queued_jobs() -> None:
    """Process every queued task with the real worker loop, then return.

    The worker closes "old" connections between tasks; inside a test the connection holds the
    test's transaction, so that step is skipped here (it is what Django does per request too).
    """
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()
