"""The arithmetic of organisational life, over plain values: which requirement a record counts
for, whether a branch met its frequencies in a quarter and in a year, and shares up the tree.

A requirement asks for `times` records of a kind in each period (month, quarter or year); one
of them may count only the 党课 the branch secretary taught. A quarter is met when every monthly
period in it and the quarterly period are met; the year when its four quarters and the yearly
requirements are. Whether a period is met depends on the records alone, never on today's date:
a quarter still under way is shown as 进行中 by the pages, not judged here.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

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
    min_members: int = 0  # asked only of branches this large (支委会: 7 full members, 条例 art. 8)


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


def year_status(rules: Iterable[Rule], held: Iterable[Held], *, members: int | None = None) -> YearStatus:
    """Whether one branch met each requirement in each quarter and in the year; a requirement
    with a minimum size is not asked of a smaller branch (`members` None: asked of every one)."""
    total, taught = _counts(held)
    quarters = [True, True, True, True]
    yearly = True
    missing: list[str] = []
    for rule in rules:
        if members is not None and members < rule.min_members:
            continue
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


# ---- 党费 --------------------------------------------------------------------------------------
EMPLOYED, RETIRED, FLAT = "employed", "retired", "flat"
ARREARS_FLAG_MONTHS = 6  # 连续六个月不交纳党费: flagged for the branch to act on, never decided here
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Band:
    """One rate band: a monthly base above `lower` up to `upper` (None: no upper end) pays
    `percent` of it; a flat band pays `amount` whatever the base."""

    group: str
    lower: Decimal = Decimal(0)
    upper: Decimal | None = None
    percent: Decimal = Decimal(0)
    amount: Decimal | None = None


def dues_group(category: str) -> str:
    """Which bands a member's category pays by: 离退休 their own, 农牧渔民 and students a flat
    amount, everyone else (在职, 流动, 其他) the employed bands."""
    if category == "retired":
        return RETIRED
    if category in ("farmer", "student"):
        return FLAT
    return EMPLOYED


def due_amount(base: Decimal, group: str, bands: Iterable[Band]) -> Decimal | None:
    """The monthly dues for a base, to the cent (half up); None when no band covers it."""
    for band in bands:
        if band.group != group:
            continue
        if band.amount is not None:
            return band.amount.quantize(CENT)
        if (base > band.lower and (band.upper is None or base <= band.upper)) or (
            base == 0 and band.lower == 0
        ):
            return (base * band.percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return None


@dataclass(frozen=True)
class Arrears:
    unpaid: tuple[int, ...]  # months of the year due and not paid
    streak: int  # the longest run of unpaid months, counted across the year's end from `carried`

    @property
    def flagged(self) -> bool:
        return self.streak >= ARREARS_FLAG_MONTHS


def arrears(paid: Iterable[int], *, through: int, carried: int = 0) -> Arrears:
    """Unpaid months 1..through and the longest unpaid run; `carried` is the run of unpaid
    months that ended last year (a run goes on over New Year)."""
    done = set(paid)
    unpaid = tuple(m for m in range(1, through + 1) if m not in done)
    longest = run = carried
    for month in range(1, through + 1):
        run = run + 1 if month not in done else 0
        longest = max(longest, run)
    return Arrears(unpaid=unpaid, streak=longest)


def months_due(year: int, today: date) -> int:
    """How many months of `year` are due by `today`: all twelve of a past year, up to this month
    in the running one (dues are paid in the month), none of a year to come."""
    if today.year > year:
        return 12
    if today.year < year:
        return 0
    return today.month


# ---- 记实积分 ----------------------------------------------------------------------------------
ATTENDANCE, DUES, COMMITMENTS, MANUAL = "attendance", "dues", "commitments", "manual"
SOURCES = (ATTENDANCE, DUES, COMMITMENTS, MANUAL)
DEFAULT_SCHEME = (  # 基本分 70（组织生活 40、党费 15、承诺践诺 15）+ 民主评议 20 + 贡献 10
    {"name": "组织生活", "source": ATTENDANCE, "points": 40},
    {"name": "按时交纳党费", "source": DUES, "points": 15},
    {"name": "承诺践诺", "source": COMMITMENTS, "points": 15},
    {"name": "民主评议", "source": MANUAL, "points": 20},
    {"name": "贡献加分", "source": MANUAL, "points": 10},
)


@dataclass(frozen=True)
class MemberYear:
    """What the records say of one member's year (plain values)."""

    attended: int = 0
    meetings: int = 0  # meetings of their branch they were on the roster of
    paid: int = 0
    due: int = 0  # months due (0: no dues account, or exempt)
    kept: int = 0
    partly: int = 0
    commitments: int = 0
    manual: Mapping[str, Decimal] = field(default_factory=dict)  # part name → points given with reasons
    exempt: bool = False  # 70 岁以上、患病、外出务工…: organisational life not held against them


@dataclass(frozen=True)
class PartScore:
    name: str
    points: Decimal
    max: int
    why: str


def scheme_problems(parts: Sequence[Mapping]) -> list[str]:
    problems = []
    names = [str(p.get("name", "")).strip() for p in parts]
    if any(not n for n in names) or len(set(names)) != len(names):
        problems.append("每一项都要有名称，且名称不能重复。")
    if any(p.get("source") not in SOURCES for p in parts):
        problems.append("计分来源只能是组织生活、党费、承诺践诺或手工评定。")
    total = sum(int(p.get("points", 0)) for p in parts)
    if total != 100:
        problems.append(f"各项分值合计应为 100，现为 {total}。")
    return problems


def _ratio(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else Decimal(0)


def member_points(parts: Sequence[Mapping], year: MemberYear) -> list[PartScore]:
    """Each part of the scheme for one member, with the reason a person reads; every value
    rounded to one place, manual parts kept within 0 and their maximum."""
    out = []
    one = Decimal("0.1")
    for part in parts:
        top, source, name = int(part["points"]), part["source"], part["name"]
        if source == ATTENDANCE:
            if year.exempt:
                points, why = Decimal(top), "经支部同意免于考核组织生活"
            else:
                points = top * _ratio(year.attended, year.meetings)
                why = f"应参加 {year.meetings} 次，参加 {year.attended} 次"
        elif source == DUES:
            points = top * _ratio(year.paid, year.due) if year.due else Decimal(0)
            why = f"应交 {year.due} 个月，已交 {year.paid} 个月" if year.due else "未核定党费或已减免"
            if not year.due and year.exempt:
                points = Decimal(top)
        elif source == COMMITMENTS:
            points = top * _ratio(2 * year.kept + year.partly, 2 * year.commitments)
            why = (f"承诺 {year.commitments} 项，践诺 {year.kept} 项，部分践诺 {year.partly} 项"
                   if year.commitments else "未填写承诺")  # fmt: skip
        else:
            given = Decimal(year.manual.get(name, 0))
            points = min(max(given, Decimal(0)), Decimal(top))
            why = "手工评定（见各条理由）" if name in year.manual else "尚未评定"
        out.append(
            PartScore(name=name, points=points.quantize(one, rounding=ROUND_HALF_UP), max=top, why=why)
        )
    return out


BANDS_OF_POINTS = ((90, "90 分以上"), (80, "80–89 分"), (70, "70–79 分"), (60, "60–69 分"), (0, "60 分以下"))


def distribution(totals: Iterable[Decimal]) -> list[tuple[str, int]]:
    """How many members fall in each band: what goes up the tree instead of names."""
    counts = {label: 0 for _low, label in BANDS_OF_POINTS}
    for total in totals:
        for low, label in BANDS_OF_POINTS:
            if total >= low:
                counts[label] += 1
                break
    return list(counts.items())
