"""The arithmetic of organisational life, over plain values: which requirement a record counts
for, whether a branch met its frequencies in a quarter and in a year, and shares up the tree.

A requirement asks for `times` records of a kind in each period (month, quarter or year); one
of them may count only the 党课 the branch secretary taught. A quarter is met when every monthly
period in it and the quarterly period are met; the year when its four quarters and the yearly
requirements are. Whether a period is met depends on the records alone, never on today's date:
a quarter still under way is shown as 进行中 by the pages, not judged here.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

MONTH, QUARTER, YEAR = "month", "quarter", "year"

# the kinds of organisational life (stored values)
CONGRESS = "congress"  # 支部党员大会
COMMITTEE = "committee"  # 支委会
GROUP = "group"  # 党小组会
LECTURE = "lecture"  # 党课
THEME_DAY = "theme_day"  # 主题党日
LIFE_MEETING = "life_meeting"  # 组织生活会
DEMOCRATIC_LIFE = "democratic_life"  # 民主生活会 (leadership groups)

QUARTERS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Rule:
    """One requirement as plain values."""

    kind: str
    period: str  # MONTH, QUARTER or YEAR
    times: int = 1
    secretary_only: bool = False  # only a 党课 taught by the branch secretary counts
    label: str = ""


@dataclass(frozen=True)
class Held:
    """How many records of a kind a branch holds in one month (by the secretary: the 党课 taught
    by the branch secretary, a part of the kind's count)."""

    kind: str
    month: int
    count: int
    by_secretary: int = 0


@dataclass(frozen=True)
class YearStatus:
    quarters: tuple[bool, bool, bool, bool]  # each quarter's monthly and quarterly requirements met
    yearly: bool  # the yearly requirements met
    missing: tuple[str, ...]  # what is short, one phrase each, in the order of the rules

    @property
    def met(self) -> bool:
        return all(self.quarters) and self.yearly


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def months_of(quarter: int) -> range:
    return range(quarter * 3 - 2, quarter * 3 + 1)


def _counts(held: Iterable[Held]) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], int]]:
    total: dict[tuple[str, int], int] = {}
    taught: dict[tuple[str, int], int] = {}
    for h in held:
        total[(h.kind, h.month)] = total.get((h.kind, h.month), 0) + h.count
        taught[(h.kind, h.month)] = taught.get((h.kind, h.month), 0) + h.by_secretary
    return total, taught


def _in(counts: Mapping[tuple[str, int], int], kind: str, months: Iterable[int]) -> int:
    return sum(counts.get((kind, m), 0) for m in months)


def year_status(rules: Iterable[Rule], held: Iterable[Held]) -> YearStatus:
    """Whether one branch met each requirement in each quarter and in the year."""
    total, taught = _counts(held)
    quarters = [True, True, True, True]
    yearly = True
    missing: list[str] = []
    for rule in rules:
        counts = taught if rule.secretary_only else total
        name = rule.label or rule.kind
        if rule.period == YEAR:
            if _in(counts, rule.kind, range(1, 13)) < rule.times:
                yearly = False
                missing.append(f"{name}：全年不足 {rule.times} 次")
            continue
        for q in QUARTERS:
            if rule.period == QUARTER:
                short = _in(counts, rule.kind, months_of(q)) < rule.times
                if short:
                    missing.append(f"{name}：第{q}季度不足 {rule.times} 次")
            else:
                short_months = [m for m in months_of(q) if counts.get((rule.kind, m), 0) < rule.times]
                short = bool(short_months)
                if short:
                    missing.append(f"{name}：{'、'.join(f'{m}月' for m in short_months)}未开展")
            if short:
                quarters[q - 1] = False
    return YearStatus(quarters=(quarters[0], quarters[1], quarters[2], quarters[3]), yearly=yearly,
                      missing=tuple(missing))  # fmt: skip


def quarters_due(year: int, today: date) -> int:
    """How many quarters of `year` have ended by `today` (0–4)."""
    if today.year > year:
        return 4
    if today.year < year:
        return 0
    return quarter_of(today) - 1


def share(part: int, whole: int) -> float | None:
    """part of whole in percent, one place; None when there is nothing to count."""
    if whole <= 0:
        return None
    return round(part * 100 / whole, 1)


# 党费 and the rest of the issue follow here as they are built.
