"""The arithmetic of the party statistics (党内统计): bands, periods, and folding grouped counts
into the tables of the annual return. Pure: plain values in, plain values out.

A figure is the count of the groups that match its filter, and the same filter (a dict of plain
strings) is what its drill-down link carries, so a list always holds exactly the figure's members.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from shuzhi.members.rules import birth_range_for_ages

HAN = "汉族"
EMPTY = "-"  # a filter value meaning "not filled in"
UNLISTED = "unlisted"  # an ethnicity outside the 56 (an import's 穿青人, a typo): counted as 其他/未列

# the age bands of the national statistics bulletin (党内统计公报): (key, label, min age, max age)
AGE_BANDS: tuple[tuple[str, str, int | None, int | None], ...] = (
    ("le30", "30岁及以下", None, 30),
    ("31_35", "31～35岁", 31, 35),
    ("36_40", "36～40岁", 36, 40),
    ("41_45", "41～45岁", 41, 45),
    ("46_50", "46～50岁", 46, 50),
    ("51_55", "51～55岁", 51, 55),
    ("56_60", "56～60岁", 56, 60),
    ("ge61", "61岁及以上", 61, None),
)

# periods of joining: (key, label, from (inclusive), until (exclusive))
PERIODS: tuple[tuple[str, str, date | None, date | None], ...] = (
    ("pre1949", "新中国成立前", None, date(1949, 10, 1)),
    ("to1978", "新中国成立后至党的十一届三中全会前", date(1949, 10, 1), date(1978, 12, 18)),
    ("to2012", "党的十一届三中全会后至党的十八大前", date(1978, 12, 18), date(2012, 11, 8)),
    ("since2012", "党的十八大以来", date(2012, 11, 8), None),
)

TREND_YEARS = (5, 10)  # the spans of the trends a viewer may choose; the first is the default
YOUNG_BANDS = ("le30", "31_35")  # 35岁及以下, as the bulletin's shares say
HIGHER_EDUCATION = ("postgraduate", "bachelor", "college")  # 大专及以上

PROBATIONARY = "probationary"
FULL = "full"

# the member filters a drill-down may carry, and the values of the flows and checks
MEMBER_FILTERS = ("gender", "ethnicity", "minority", "band", "education", "category", "period", "status")
FLOWS = ("joined", "converted", "left", "mobile_out", "mobile_in", "mobile_lost", "evaluated")


def default_day(today: date) -> date:
    """The statistics' date unless one is chosen: 31 December of the current year."""
    return date(today.year, 12, 31)


def year_start(day: date) -> date:
    return date(day.year, 1, 1)


def band_births(day: date, key: str) -> tuple[date | None, date | None]:
    """(earliest, latest) birth dates of the people in age band `key` on `day`."""
    for band, _label, low, high in AGE_BANDS:
        if band == key:
            return birth_range_for_ages(day, low, high)
    raise KeyError(key)


def band_of(birth: date, day: date) -> str:
    for key, _label, _low, _high in AGE_BANDS:
        earliest, latest = band_births(day, key)
        if (earliest is None or birth >= earliest) and (latest is None or birth <= latest):
            return key
    return AGE_BANDS[0][0]  # born after the day: the youngest band


def period_of(joined: date) -> str:
    for key, _label, start, until in PERIODS:
        if (start is None or joined >= start) and (until is None or joined < until):
            return key
    return PERIODS[-1][0]


def status_on(day: date, *, full_member_on: date | None, probationary_now: bool) -> str:
    """正式 or 预备 on a day for someone who was a member then (as lifecycle.rules.status_on)."""
    if full_member_on is not None:
        return FULL if day >= full_member_on else PROBATIONARY
    return PROBATIONARY if probationary_now else FULL


def matches(group: Mapping[str, object], filters: Mapping[str, str]) -> bool:
    """Whether a group of members (a row of the grouped count) falls under a figure's filter."""
    for key, value in filters.items():
        if key == "minority":
            if (group["ethnicity"] == HAN) == (value == "1"):
                return False
        elif key in ("education", "category"):
            if (group[key] or EMPTY) != value:
                return False
        elif key == "young":
            if (group["band"] in YOUNG_BANDS) != (value == "1"):
                return False
        elif key == "higher":
            if (group["education"] in HIGHER_EDUCATION) != (value == "1"):
                return False
        elif key in MEMBER_FILTERS and group[key] != value:
            return False
    return True


def conflicting(*filters: Mapping[str, str]) -> bool:
    """Two filters that ask different values of one field (男 row × 女 column): no one matches."""
    seen: dict[str, str] = {}
    for one in filters:
        for key, value in one.items():
            if seen.setdefault(key, value) != value:
                return True
    return False


@dataclass
class Cell:
    value: int
    filters: dict[str, str] | None  # None: nothing to list (a conflicting or empty figure)
    url: str = ""  # the drill-down, filled in by the selector that knows the scope and the day
    share: float | None = None  # a percentage shown beside the count (the counties compared)


@dataclass
class Row:
    label: str
    cells: list[Cell]
    level: int = 0  # 1: a part of the row above (a minority under 少数民族)
    total: bool = False


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[Row]
    chart: str = ""  # "pie", "bar" or "" (no chart)
    note: str = ""
    kind: str = "members"  # what its figures list: members, or organisations
    extra: dict = field(default_factory=dict)

    @property
    def total_row(self) -> Row | None:
        return next((row for row in self.rows if row.total), None)

    @property
    def parts(self) -> list[Row]:
        """The rows that add up to the total (top level, not the total itself)."""
        return [row for row in self.rows if not row.total and row.level == 0]


FIELD_OF = {"minority": "ethnicity", "young": "band", "higher": "education"}  # a filter → the field it reads


def _merged(groups: Sequence[Mapping[str, object]], filters: Sequence[Mapping[str, str]]) -> list[dict]:
    """The groups summed over every field none of the filters reads."""
    fields = sorted({FIELD_OF.get(key, key) for f in filters for key in f})
    sums: dict[tuple, int] = {}
    for g in groups:
        key = tuple(g[name] for name in fields)
        sums[key] = sums.get(key, 0) + int(g["n"])  # type: ignore[call-overload]
    return [{**dict(zip(fields, key, strict=True)), "n": n} for key, n in sums.items()]


def cross_table(
    *,
    key: str,
    title: str,
    groups: Sequence[Mapping[str, object]],
    rows: Sequence[tuple[str, dict[str, str], int]],
    columns: Sequence[tuple[str, dict[str, str]]],
    chart: str = "",
    note: str = "",
    keep_empty: Callable[[dict[str, str]], bool] = lambda _f: True,
) -> Table:
    """A table of rows (label, filter, level) × columns (label, filter), with a 合计 row first.

    The groups are first merged over the fields the table does not ask about (a city's three
    thousand become a few hundred), then each is matched once against every row and every column
    (not once per cell), so a city's groups fold into all the tables in milliseconds."""
    all_rows = [("合计", {}, 0), *rows]
    groups = _merged(groups, [f for _label, f, _level in all_rows] + [f for _label, f in columns])
    sums = [[0] * len(columns) for _row in all_rows]
    for g in groups:
        in_columns = [c for c, (_label, f) in enumerate(columns) if matches(g, f)]
        if not in_columns:
            continue
        n = int(g["n"])  # type: ignore[call-overload]
        for r, (_label, f, _level) in enumerate(all_rows):
            if matches(g, f):
                for c in in_columns:
                    sums[r][c] += n
    built = []
    for r, (label, row_filter, level) in enumerate(all_rows):
        cells = []
        for c, (_column, column_filter) in enumerate(columns):
            value = sums[r][c]
            if conflicting(row_filter, column_filter):
                cells.append(Cell(0, None))
                continue
            cells.append(Cell(value, {**row_filter, **column_filter} if value else None))
        if r and not cells[0].value and not keep_empty(row_filter):
            continue
        built.append(Row(label=label, cells=cells, level=level, total=r == 0))
    return Table(key=key, title=title, columns=[c for c, _f in columns], rows=built, chart=chart, note=note)


def count_table(
    *,
    key: str,
    title: str,
    column: str,
    rows: Sequence[tuple[str, dict[str, str], int, int]],
    chart: str = "",
    note: str = "",
    kind: str = "members",
    total: bool = True,
) -> Table:
    """A one-column table of counts already made (flows): rows (label, filter, count, level), with
    a 合计 row first of the top-level rows when `total`."""
    built = []
    if total:
        whole = sum(n for _label, _f, n, level in rows if level == 0)
        built.append(Row(label="合计", cells=[Cell(whole, None)], total=True))
    built += [Row(label=label, cells=[Cell(n, f if n else None)], level=level) for label, f, n, level in rows]
    return Table(key=key, title=title, columns=[column], rows=built, chart=chart, note=note, kind=kind)


def adds_up(table: Table) -> bool:
    """The total row equals the sum of the top-level rows, in every column."""
    total = table.total_row
    if total is None:
        return True
    return all(
        total.cells[i].value == sum(row.cells[i].value for row in table.parts)
        for i in range(len(total.cells))
    )
