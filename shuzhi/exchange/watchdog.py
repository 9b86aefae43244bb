"""Every import and export runs watched, so that a job can fail but never hang.

The job reports each step it makes (`beat`). A thread beside it looks every few seconds: a job
that has made no step for the stall limit, or runs past the timeout, is stopped. The watchdog
kills the job's checking processes and, on PostgreSQL, ends the job's database session, which
rolls its transaction back on the server at once, whatever the job's own thread is doing; the
job's thread then meets the closed session or the missing checkers, and fails the job with the
watchdog's message. The server enforces the same limits too (`idle_in_transaction_session_timeout`
and `statement_timeout` on the import's transaction), in case this process is past helping.
"""

import logging
import threading
import time

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from shuzhi.exchange import parallel

logger = logging.getLogger(__name__)


class Stopped(Exception):
    """The watchdog stopped the job; the message is for a person."""


class Watchdog:
    def __init__(self, *, job_id: int, stall_seconds: float, timeout_seconds: float):
        self.job_id = job_id
        self.stall_seconds = stall_seconds
        self.timeout_seconds = timeout_seconds
        self.message = ""  # why the job was stopped, once it was
        self.backend_pid: int | None = None
        self._started = self._last = time.monotonic()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"job-{job_id}-watchdog", daemon=True)

    def __enter__(self) -> "Watchdog":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    @property
    def fired(self) -> bool:
        return bool(self.message)

    def beat(self) -> None:
        """The job made a step (if it was not stopped meanwhile: then raise Stopped)."""
        self.check()
        self._last = time.monotonic()

    def check(self) -> None:
        """Raise Stopped if the job was stopped: before a commit, nothing may be kept then."""
        if self.message:
            raise Stopped(self.message)

    def guard(self, connection) -> None:
        """The job's transaction runs on this connection: end its session if the job stalls."""
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            self.backend_pid = connection.connection.info.backend_pid

    def _watch(self) -> None:
        interval = min(5.0, self.stall_seconds / 5)
        while not self._done.wait(interval):
            now = time.monotonic()
            if now - self._last > self.stall_seconds:
                self._stop(
                    _(
                        "任务已有 %(s)d 秒没有进展，已停止，未导入任何数据。请稍后重新上传；如仍如此，请联系系统管理员。"
                    )
                    % {"s": int(self.stall_seconds)}
                )
                return
            if now - self._started > self.timeout_seconds:
                self._stop(
                    _("任务运行超过 %(m)d 分钟仍未完成，已停止，未导入任何数据。请分成几个文件上传。")
                    % {"m": int(self.timeout_seconds // 60)}
                )
                return

    def _stop(self, message: str) -> None:
        self.message = message
        logger.error("job %s stopped by its watchdog: %s", self.job_id, message)
        parallel.kill_children()
        if self.backend_pid is not None:
            side = connections.create_connection(DEFAULT_DB_ALIAS)
            try:
                with side.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [self.backend_pid])
            except Exception:
                logger.exception("job %s: could not end its database session", self.job_id)
            finally:
                side.close()
