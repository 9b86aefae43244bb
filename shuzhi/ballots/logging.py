"""Keep ballot codes out of the logs: a code in a log line, next to a time, is one step towards
linking a voter to a ballot. Every record through our handlers has `/v/<code>/` masked, the big
screen's display link `/s/<token>/` too (whoever reads it in a log could watch the screen), and the
发展对象's one-time test code `/test/<code>/` (whoever reads it could sit the test in their place)."""

import logging
import re

CODE_IN_PATH = re.compile(r"/([vs]|test)/(?!done/)[A-Za-z0-9_-]+/?")
MASK = r"/\1/***/"


def _mask(value: object) -> object:
    if isinstance(value, str):
        return CODE_IN_PATH.sub(MASK, value)
    return value


class RedactBallotCodes(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            try:
                record.msg = CODE_IN_PATH.sub(MASK, record.getMessage())
            except (TypeError, ValueError):
                record.msg = _mask(str(record.msg))
            record.args = None
        else:
            record.msg = _mask(record.msg)
        if getattr(record, "request", None) is not None:
            record.request = None  # its path holds the code; the message already says what failed
        return True
