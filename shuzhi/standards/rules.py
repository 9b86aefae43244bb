"""The arithmetic of the standard: whether an item is met, a branch's score, its level and gaps.

Pure functions over plain values. "No data" (a fact source that could say nothing about the
branch) is never counted as met, and says so in the gaps list.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

COMPUTED = "computed"  # from a fact source with a threshold
CHECKED = "checked"  # checked by hand: the branch claims it, the level above checks it

# why an item is not met (the gaps list says which)
NO_DATA = "no_data"
BELOW = "below"
NOT_CLAIMED = "not_claimed"
REFUSED = "refused"  # the level above judged it not met


@dataclass(frozen=True)
class ItemState:
    item_id: int
    points: int
    evidence: str
    threshold: Decimal | None = None
    value: Decimal | None = None  # the fact's value (computed items); None: no data
    claimed: bool = False  # the branch's own checklist says met (checked items)
    verdict: bool | None = None  # the level above's word, which overrides


def met(state: ItemState) -> bool:
    if state.verdict is not None:
        return state.verdict
    if state.evidence == COMPUTED:
        return state.value is not None and state.threshold is not None and state.value >= state.threshold
    return state.claimed


def gap_reason(state: ItemState) -> str | None:
    """Why an item is not met (None when it is)."""
    if met(state):
        return None
    if state.verdict is False:
        return REFUSED
    if state.evidence == COMPUTED:
        return NO_DATA if state.value is None else BELOW
    return NOT_CLAIMED


def score(states: list[ItemState]) -> int:
    return sum(s.points for s in states if met(s))


def level(points: int, thresholds: list[tuple[int, int]]) -> int:
    """The highest rank whose minimum the score reaches; 0 below every rank.
    `thresholds` is (rank, minimum score)."""
    reached = [rank for rank, minimum in thresholds if points >= minimum]
    return max(reached, default=0)


def share(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def follow_up_end(full_member_on: date, years: int) -> date:
    """The day the follow-up of a member converted on `full_member_on` ends (29 February: the
    28th)."""
    try:
        return full_member_on.replace(year=full_member_on.year + years)
    except ValueError:
        return full_member_on.replace(year=full_member_on.year + years, day=28)


def converted_window(year: int, years: int) -> tuple[date, date]:
    """The conversion dates of the members under follow-up at some time in `year`: converted by
    the year's end, and their period not ended before the year began."""
    return date(year - years, 1, 2), date(year, 12, 31)
