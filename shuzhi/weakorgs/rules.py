"""The arithmetic of 软弱涣散 flags: pure functions over plain values (no ORM).

Each rule answers HIT (the organisation shows the sign), CLEAR (it does not) or NO_DATA (the
facts the rule rests on do not exist for it): NO_DATA is never counted as passed.
"""

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

# rule keys: stored in Rule.key and Flag.rule, never rename
SECRETARY_VACANT = "secretary_vacant"
NO_NEW_MEMBER = "no_new_member"
LIFE_BELOW = "life_below"
SATISFACTION = "satisfaction"
BOTTOM_SHARE = "bottom_share"
OVERDUE_ITEMS = "overdue_items"
AGEING = "ageing"
NO_LIFE_MEETING = "no_life_meeting"
STAR_LOW = "star_low"

RULE_KEYS = (
    SECRETARY_VACANT,
    NO_NEW_MEMBER,
    LIFE_BELOW,
    SATISFACTION,
    BOTTOM_SHARE,
    OVERDUE_ITEMS,
    AGEING,
    NO_LIFE_MEETING,
    STAR_LOW,
)

# rules whose facts no area records yet: always NO_DATA until that area exists (satisfaction: no
# questionnaire or 民主评议 records a village's mass satisfaction as a figure yet)
WITHOUT_SOURCE = frozenset({SATISFACTION})

YOUNG_AGE = 35  # an ageing branch has nobody under this age


class Outcome(StrEnum):
    HIT = "hit"
    CLEAR = "clear"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class OrgFacts:
    """What is known of one organisation for a year; None wherever the fact is missing."""

    has_secretary: bool = True
    vacant_since: date | None = None  # when the post became vacant (no secretary)
    life_rate: Decimal | None = None  # records.org_life_rate, 0–100
    overdue_items: int | None = None
    member_count: int = 0
    average_age: Decimal | None = None
    youngest_age: int | None = None
    life_meetings: int | None = None  # 组织生活会 held in the year; None: not a branch
    rank: int | None = None  # in its assessment group, 1 = best
    group_size: int | None = None
    # the latest day someone of the organisation was made a 发展对象 or joined (lifecycle, roster);
    # None: nobody on record (no member, no applicant)
    last_recruit: date | None = None
    star_share: Decimal | None = None  # standards.star_level: share of branches at the counted level


def months_between(start: date, end: date) -> int:
    """Whole months from start to end (0 if end is not after start)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)


def bottom_places(group_size: int, share: Decimal) -> int:
    """How many places from the bottom a share (percent) of a group covers, rounded up."""
    if group_size <= 0 or share <= 0:
        return 0
    return min(group_size, math.ceil(Decimal(group_size) * share / 100))


def evaluate(key: str, threshold: Decimal, f: OrgFacts, *, today: date) -> Outcome:
    """One rule over one organisation's facts."""
    if key in WITHOUT_SOURCE:
        return Outcome.NO_DATA
    if key == SECRETARY_VACANT:
        if f.has_secretary:
            return Outcome.CLEAR
        if f.vacant_since is None:
            return Outcome.NO_DATA
        return Outcome.HIT if months_between(f.vacant_since, today) > threshold else Outcome.CLEAR
    if key == LIFE_BELOW:
        if f.life_rate is None:
            return Outcome.NO_DATA
        return Outcome.HIT if f.life_rate < threshold else Outcome.CLEAR
    if key == OVERDUE_ITEMS:
        if f.overdue_items is None:
            return Outcome.NO_DATA
        return Outcome.HIT if f.overdue_items > threshold else Outcome.CLEAR
    if key == AGEING:
        if not f.member_count or f.average_age is None or f.youngest_age is None:
            return Outcome.NO_DATA
        ageing = f.average_age > threshold and f.youngest_age >= YOUNG_AGE
        return Outcome.HIT if ageing else Outcome.CLEAR
    if key == NO_LIFE_MEETING:
        if f.life_meetings is None:
            return Outcome.NO_DATA
        return Outcome.HIT if f.life_meetings < max(threshold, Decimal(1)) else Outcome.CLEAR
    if key == NO_NEW_MEMBER:
        if f.last_recruit is None:
            return Outcome.NO_DATA
        return Outcome.HIT if months_between(f.last_recruit, today) >= threshold * 12 else Outcome.CLEAR
    if key == STAR_LOW:
        if f.star_share is None:
            return Outcome.NO_DATA
        return Outcome.HIT if f.star_share < threshold else Outcome.CLEAR
    if key == BOTTOM_SHARE:
        if f.rank is None or not f.group_size:
            return Outcome.NO_DATA
        places = bottom_places(f.group_size, threshold)
        return Outcome.HIT if f.rank > f.group_size - places else Outcome.CLEAR
    raise ValueError(f"unknown rule {key!r}")


def required_on_list(total: int, percent: Decimal) -> int:
    """The ratio practice: at least `percent` of a field's organisations on the list, rounded up
    (a field with organisations and a positive percent lists at least one)."""
    if total <= 0 or percent <= 0:
        return 0
    return min(total, math.ceil(Decimal(total) * percent / 100))


def average(total: int, count: int) -> Decimal | None:
    if count <= 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"))
