"""Reading the organisational-life 台账 a branch already keeps in Excel: one row per occasion,
columns named as people name them, absentees written as "张三（病假）、李四（外出）". Reading only:
the rows become values the service writes, or row-by-row reasons in Chinese."""

import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from shuzhi.core.dates import MonthDate
from shuzhi.exchange import rules as cells
from shuzhi.exchange.workbook import SheetData
from shuzhi.records.models import Attendance, Kind

MAX_ROWS = 2000  # a branch keeps a few dozen a year; a county's sheet belongs to its branches

COLUMNS = {  # key → (header, its other names)
    "held_on": ("日期", ("会议日期", "时间", "会议时间", "活动时间", "活动日期", "开展时间", "召开时间")),
    "kind": ("类型", ("会议类型", "会议形式", "形式", "类别", "活动类型", "组织生活类型")),
    "topic": ("主题", ("会议主题", "议题", "内容", "会议内容", "活动主题", "学习内容")),
    "host": ("主持人", ("主持", "召集人")),
    "teacher": ("授课人", ("讲课人", "主讲人", "授课")),
    "absent": ("缺席人员", ("缺席", "缺席人员及原因", "请假人员", "未参加人员")),
    "minutes": ("会议记录", ("记录", "内容摘要", "会议纪要", "备注")),
}
REQUIRED = ("held_on", "kind", "topic")

KIND_WORDS = {
    "支部党员大会": Kind.CONGRESS, "党员大会": Kind.CONGRESS, "支部大会": Kind.CONGRESS, "党员会": Kind.CONGRESS,
    "支委会": Kind.COMMITTEE, "支部委员会": Kind.COMMITTEE, "支委会议": Kind.COMMITTEE,
    "党小组会": Kind.GROUP, "党小组会议": Kind.GROUP, "小组会": Kind.GROUP,
    "党课": Kind.LECTURE, "讲党课": Kind.LECTURE,
    "主题党日": Kind.THEME_DAY, "主题党日活动": Kind.THEME_DAY, "党日活动": Kind.THEME_DAY,
    "组织生活会": Kind.LIFE_MEETING, "民主生活会": Kind.DEMOCRATIC_LIFE,
}  # fmt: skip
ABSENCE_WORDS = {
    "病假": Attendance.Absence.SICK, "病": Attendance.Absence.SICK, "生病": Attendance.Absence.SICK,
    "住院": Attendance.Absence.SICK, "事假": Attendance.Absence.PERSONAL, "事": Attendance.Absence.PERSONAL,
    "外出": Attendance.Absence.AWAY, "外出务工": Attendance.Absence.AWAY, "务工": Attendance.Absence.AWAY,
    "出差": Attendance.Absence.AWAY, "在外": Attendance.Absence.AWAY,
}  # fmt: skip
_ABSENTEE = re.compile(r"([^\s(（、，,;；]+)\s*(?:[(（]([^)）]*)[)）])?")


def lookup() -> dict[str, str]:
    found: dict[str, str] = {}
    for key, (header, others) in COLUMNS.items():
        for name in (header, *others):
            found.setdefault(cells.normalise_header(name), key)
    return found


@dataclass
class Row:
    number: int  # the Excel row
    kind: str
    held_on: date
    topic: str
    host: str
    teacher: str
    minutes: str
    absent: dict[int, tuple[str, str]] = field(default_factory=dict)  # member id → (reason, note)


def absentees(value: str) -> list[tuple[str, str]]:
    """'张三（病假）、李四(外出) 王五' → [('张三', '病假'), ('李四', '外出'), ('王五', '')]."""
    return [
        (m.group(1), (m.group(2) or "").strip())
        for m in _ABSENTEE.finditer(value)
        if m.group(1) not in ("无", "-", "—")
    ]


def read_rows(sheet: SheetData, *, roster: dict[str, int], today: date) -> tuple[list[Row], list[str]]:
    """The sheet's rows as values, or every problem as "第 n 行 列：原因" (all rows are read, so
    one upload shows every mistake)."""
    positions: dict[str, int] = {}
    names = lookup()
    for index, cell in enumerate(sheet.header):
        for name in cells.header_names(cell):
            if name in names:
                positions.setdefault(names[name], index)
                break
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in positions]
    if missing:
        return [], [_("表头缺少“%(columns)s”列。") % {"columns": "”“".join(missing)}]
    if len(sheet.rows) > MAX_ROWS:
        return [], [_("一次最多导入 %(n)d 行，请按年度分开上传。") % {"n": MAX_ROWS}]
    rows: list[Row] = []
    errors: list[str] = []

    def cell(row: list[object], key: str) -> object:
        index = positions.get(key)
        return row[index] if index is not None and index < len(row) else None

    for i, raw in enumerate(sheet.rows):
        number = sheet.number(i)
        problems: list[str] = []

        def problem(key: str, why: str, number=number, problems=problems) -> None:
            problems.append(
                _("第 %(row)d 行 %(column)s：%(why)s")
                % {"row": number, "column": COLUMNS[key][0], "why": why}
            )

        held_on = None
        try:
            held_on = cells.parse_date(cell(raw, "held_on"))
            if held_on is None:
                problem("held_on", _("不能为空。"))
            elif isinstance(held_on, MonthDate):
                problem("held_on", _("请写到日，如 2025-03-05。"))
                held_on = None
            elif held_on > today:
                problem("held_on", _("不能晚于今天。"))
        except cells.CellError as error:
            problem("held_on", str(error))
        values: dict[str, str] = {}
        for key, limit in (
            ("topic", 200),
            ("host", 50),
            ("teacher", 50),
            ("minutes", 20000),
            ("absent", 2000),
        ):
            try:
                values[key] = cells.text(cell(raw, key), max_length=limit)
            except cells.CellError as error:
                problem(key, str(error))
                values[key] = ""
        kind_text = cells.fold(str(cell(raw, "kind") or ""))
        kind = KIND_WORDS.get(kind_text, "")
        if not kind:
            problem(
                "kind", _("只能填：%(labels)s。") % {"labels": "、".join(str(label) for label in Kind.labels)}
            )
        if not values["topic"]:
            problem("topic", _("不能为空。"))
        if kind == Kind.LECTURE and not values["teacher"]:
            problem("teacher", _("党课请填写授课人。"))
        absent: dict[int, tuple[str, str]] = {}
        for name, reason in absentees(values["absent"]):
            member_id = roster.get(cells.compact(name))
            if member_id is None:
                problem("absent", _("“%(name)s”不在本支部名册中。") % {"name": name})
                continue
            code = ABSENCE_WORDS.get(cells.fold(reason))
            absent[member_id] = (
                (code, "") if code else (Attendance.Absence.OTHER, reason[:100] or _("台账未注明"))
            )
        if problems:
            errors.extend(problems)
            continue
        rows.append(Row(number=number, kind=kind, held_on=held_on, topic=values["topic"],  # type: ignore[arg-type]
                        host=values["host"], teacher=values["teacher"], minutes=values["minutes"], absent=absent))  # fmt: skip
    return rows, errors
