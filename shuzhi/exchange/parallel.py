"""Run a pure function over slices of a large sheet in forked processes, one per core.

Checking 290,000 roster rows is pure Python; two cores halve it. The children inherit the rows
and the reference data by fork (nothing is pickled on the way in), report progress through a
shared counter, send each slice's result back through a pipe of their own, and must not touch
the database: they are only given the pure check.

Nothing here can hang the caller. The children are this module's own processes, not a pool:
each is watched through its sentinel, so a child that dies (killed, out of memory) is noticed at
once instead of leaving its slice unanswered for ever; a child that stops making progress for
`stall_seconds` is given up; and whatever happens, every child is killed (SIGKILL, which no
handler can swallow) before the call returns. The children also drop the signal handlers they
inherit: the background worker's SIGTERM handler only asks the worker to stop after its task,
and in a child it used to swallow the pool's terminate, so the pool waited for ever.
"""

import gc
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait
from typing import TypeVar

from django.utils.translation import gettext as _

T = TypeVar("T")
SliceFunction = Callable[[int, int, Callable[[int], None]], T]

CHILD_NICENESS = 10  # added to the children's niceness (see _child)
_running: set[multiprocessing.Process] = set()  # children of calls under way, for kill_children
_running_lock = threading.Lock()


class CheckFailed(RuntimeError):
    """A child could not finish its slices: the message is for a person, `detail` for the log."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


class CheckerDied(CheckFailed):
    pass


class CheckStalled(CheckFailed):
    pass


def workers_available() -> int:
    return max(
        1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    )


def kill_children() -> int:
    """Kill every child of the calls under way (a watchdog's last word); return how many."""
    with _running_lock:
        children = [child for child in _running if child.is_alive()]
    for child in children:
        child.kill()
    return len(children)


def in_slices(
    func: SliceFunction,
    total: int,
    *,
    workers: int | None = None,
    min_rows: int = 20_000,
    slice_rows: int = 16_000,
    on_progress: Callable[[int], None] | None = None,
    on_result: Callable[[T], None] | None = None,
    poll_seconds: float = 1.0,
    stall_seconds: float = 300.0,
) -> Sequence[T]:
    """func(start, stop, progress) for consecutive slices of range(total); results in order.

    There are more slices than workers (about `slice_rows` each, see _bounds), so that `on_result` gets each
    result, in order, as soon as it and those before it are in, while the workers go on with the
    rest: the caller can write what is checked while the remainder is being checked. Small
    inputs, or a machine with one core, run in this process.

    Raises CheckerDied when a child ends without its results, CheckStalled when neither the
    progress counter nor the results have moved for `stall_seconds`, CheckFailed when `func`
    raised in a child (with its traceback logged by the caller's exception handler).
    """
    workers = workers or workers_available()
    if workers < 2 or total < min_rows or "fork" not in multiprocessing.get_all_start_methods():
        result = func(0, total, on_progress or (lambda done: None))
        if on_result is not None:
            on_result(result)
        return [result]
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    bounds = _bounds(total, workers, slice_rows)
    count = min(workers, len(bounds))
    children: dict[object, tuple[multiprocessing.Process, int]] = {}  # pipe → (child, its slices)
    try:
        for number in range(count):
            mine = [(index, bounds[index]) for index in range(number, len(bounds), count)]
            receive, send = context.Pipe(duplex=False)
            child = context.Process(
                target=_child, args=(func, mine, send, counter), name=f"roster-check-{number}", daemon=True
            )
            with _running_lock:
                _running.add(child)
            child.start()
            send.close()
            children[receive] = (child, len(mine))
        return _collect(children, len(bounds), counter, on_progress, on_result, poll_seconds, stall_seconds)
    finally:
        for child, _slices in children.values():
            if child.is_alive():
                child.kill()
        for receive, (child, _slices) in children.items():
            child.join()
            receive.close()  # type: ignore[attr-defined]
            with _running_lock:
                _running.discard(child)


def _bounds(total: int, workers: int, slice_rows: int) -> list[tuple[int, int]]:
    """(start, stop) of each slice: about `slice_rows` rows, as many for each worker, the first
    and the last slice of each worker a quarter of the others. What the caller does with a
    result (the writer's COPY) overlaps the checking of the next ones, except before the first
    result comes and after the last: small first and last slices keep those waits short."""
    slices = -(-max(workers, -(-total // slice_rows)) // workers) * workers  # as many for each worker
    middle = slices - 2 * workers
    weights = [1] * workers + [4] * middle + [1] * workers if middle > 0 else [1] * slices
    scale, reached = total / sum(weights), 0
    stops = [round(scale * (reached := reached + weight)) for weight in weights]
    return [(start, stop) for start, stop in zip([0, *stops[:-1]], stops, strict=True) if stop > start]


def _collect(children, slices, counter, on_progress, on_result, poll_seconds, stall_seconds) -> list:
    """Take the children's results as they come, hand them over in order, and watch the children:
    a pipe that ends before its child sent every slice means the child died."""
    results: list = []
    arrived: dict[int, object] = {}
    delivered = dict.fromkeys(children, 0)
    open_pipes = set(children)
    last_seen, last_moved = (-1, -1), time.monotonic()
    while len(results) < slices:
        for pipe in wait(list(open_pipes), timeout=poll_seconds):
            try:
                index, outcome = pipe.recv()  # type: ignore[attr-defined]
            except EOFError:
                open_pipes.discard(pipe)
                if delivered[pipe] < children[pipe][1]:
                    raise CheckerDied(
                        _("校验进程意外退出（可能是服务器内存不足或进程被结束），未导入任何数据。")
                    ) from None
                continue
            if isinstance(outcome, _Failure):
                raise CheckFailed(_("校验时出错，未导入任何数据。"), detail=outcome.text)
            delivered[pipe] += 1
            arrived[index] = outcome
        while len(results) in arrived:
            results.append(arrived.pop(len(results)))
            if on_result is not None:
                on_result(results[-1])
        if on_progress is not None:
            on_progress(counter.value)
        seen = (counter.value, len(results) + len(arrived))
        if seen != last_seen:
            last_seen, last_moved = seen, time.monotonic()
        elif time.monotonic() - last_moved > stall_seconds:
            raise CheckStalled(
                _("校验已有 %(s)d 秒没有进展，已停止，未导入任何数据。") % {"s": int(stall_seconds)}
            )
    return results


class _Failure:
    def __init__(self, text: str):
        self.text = text


def _child(func, slices, send, counter) -> None:
    # the worker's own handlers are not for this process: SIGTERM ends it, as for any process,
    # and Ctrl+C in a terminal is the parent's to handle (it kills its children)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGQUIT"):
        signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    # no garbage collection in the children, which live for one sheet: it would also write to
    # every object they inherited, and so copy the pages they share with the parent
    gc.disable()
    # below the caller and the database server: the writer's COPY of what is already checked
    # is what the import's end waits for, and a web request on the same machine is not held up
    os.nice(CHILD_NICENESS)
    reported = 0

    def progress(done: int) -> None:
        nonlocal reported
        with counter.get_lock():
            counter.value += done - reported
        reported = done

    try:
        for index, (start, stop) in slices:
            reported = 0
            send.send((index, func(start, stop, progress)))
    except BaseException:
        send.send((-1, _Failure(traceback.format_exc())))
    finally:
        send.close()
