"""gunicorn's settings for the app: `make run` (bin/serve) and production alike.

    gunicorn -c config/gunicorn.py -b 0.0.0.0:8000 config.wsgi

A fixed number of workers, each with a fixed number of threads, and each thread keeps at most
one database connection open for the next request (CONN_MAX_AGE): one app server holds at most
SHUZHI_WEB_WORKERS × SHUZHI_WEB_THREADS connections however many people come at once. Requests
beyond the threads wait in the listen queue instead of opening more connections (Django's
development server opened one per request, and 50 voters exhausted PostgreSQL's 100).

No ballot code reaches a log: the access log is off unless SHUZHI_ACCESS_LOG names a file (or
"-" for standard output), and both gunicorn logs go through the filter that masks `/v/<code>/`.
"""

from gunicorn.glogging import Logger

from config.env import env_int, env_list, env_str
from shuzhi.ballots.logging import RedactBallotCodes

wsgi_app = "config.wsgi"
bind = ["127.0.0.1:8000"]
worker_class = "gthread"
workers = env_int("SHUZHI_WEB_WORKERS", 2, minimum=1, maximum=64)
threads = env_int("SHUZHI_WEB_THREADS", 4, minimum=1, maximum=64)
backlog = 2048  # a meeting's phones arriving at once wait here for a free thread
accesslog = env_str("SHUZHI_ACCESS_LOG") or None
errorlog = "-"
loglevel = "info"
# no control socket: it would let a command change the worker count, and with it the bound on
# database connections; and every gunicorn on a machine would contend for its one default path
control_socket_disable = True
# gunicorn believes X-Forwarded-Proto (https) from the same proxies as the app does, and no others
# (its default would believe anything from 127.0.0.1)
forwarded_allow_ips = ",".join(env_list("SHUZHI_TRUSTED_PROXIES", []))


class CodeMaskingLogger(Logger):
    """gunicorn's logger with ballot codes masked in the error log and the access log (whose
    request line and Referer both carry the voting page's address)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactBallotCodes) for f in log.filters):
                log.addFilter(RedactBallotCodes())


logger_class = CodeMaskingLogger
