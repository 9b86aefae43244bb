"""Rectification arithmetic over plain values: the progress a status stands for, how children
roll up into their parent, and when an item is overdue."""

from collections.abc import Sequence
from datetime import date

NOT_STARTED, IN_PROGRESS, AWAITING, CLOSED, OVERDUE, RETURNED = (
    "not_started", "in_progress", "awaiting_review", "closed", "overdue", "returned",
)  # fmt: skip

# the progress each status stands for (an overdue or returned item keeps what it had reached)
PROGRESS = {NOT_STARTED: 0, IN_PROGRESS: 50, RETURNED: 50, AWAITING: 90, CLOSED: 100}
OPEN = frozenset({NOT_STARTED, IN_PROGRESS, RETURNED, OVERDUE})

# who may move an item from one status to another: "unit" (its own secretary), "above" (the
# level above), "system" (the scheduled overdue job)
TRANSITIONS = {
    (NOT_STARTED, IN_PROGRESS): "unit",
    (RETURNED, IN_PROGRESS): "unit",
    (OVERDUE, IN_PROGRESS): "unit",
    (IN_PROGRESS, AWAITING): "unit",
    (RETURNED, AWAITING): "unit",
    (OVERDUE, AWAITING): "unit",
    (AWAITING, CLOSED): "above",
    (AWAITING, RETURNED): "above",
    (CLOSED, IN_PROGRESS): "above",  # reopened, with a reason
    (NOT_STARTED, OVERDUE): "system",
    (IN_PROGRESS, OVERDUE): "system",
    (RETURNED, OVERDUE): "system",
}


def progress(status: str, *, started: bool) -> int:
    if status == OVERDUE:
        return PROGRESS[IN_PROGRESS] if started else 0
    return PROGRESS[status]


def rolled_up(children: Sequence[tuple[int, int]]) -> int:
    """A parent's progress from its children's (progress, weight): the weighted mean, rounded
    down so that a parent shows 100 only when every child is done."""
    total = sum(weight for _p, weight in children)
    if not total:
        return 0
    return sum(p * weight for p, weight in children) // total


def is_overdue(status: str, deadline: date | None, today: date) -> bool:
    return deadline is not None and status in (NOT_STARTED, IN_PROGRESS, RETURNED) and today > deadline


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"
