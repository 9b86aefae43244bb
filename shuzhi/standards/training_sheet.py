"""Reading a training list kept in Excel: one row per participant of a training (姓名, 培训名称,
类型, 日期, 学时). Reading only: the rows become values the service writes, or row-by-row reasons
in Chinese."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from shuzhi.core.dates import MonthDate
from shuzhi.exchange import rules as cells
from shuzhi.exchange.workbook import SheetData

MAX_ROWS = 5000  # a township's 集中轮训 of a few thousand members

COLUMNS = {  # key → (header, its other names)
    "name": ("姓名", ("参训人员", "学员姓名", "党员姓名")),
    "title": ("培训名称", ("培训班名称", "培训主题", "课程名称", "学习内容", "主题")),
    "kind": ("类型", ("培训类型", "学习形式", "形式", "类别")),
    "held_on": ("日期", ("培训日期", "时间", "培训时间", "学习日期")),
    "hours": ("学时", ("培训学时", "学时数", "课时")),
}
REQUIRED = ("name", "title", "held_on", "hours")
KIND_WORDS = {
    "集中轮训": "rotation", "轮训": "rotation", "集中培训": "rotation",
    "党课": "lecture", "专题党课": "lecture",
    "专题培训": "special", "专题": "special", "培训": "special",
    "网络学习": "online", "网络培训": "online", "线上学习": "online", "网上学习": "online",
}  # fmt: skip


def lookup() -> dict[str, str]:
    found: dict[str, str] = {}
    for key, (header, others) in COLUMNS.items():
        for name in (header, *others):
            found.setdefault(cells.normalise_header(name), key)
    return found


@dataclass(frozen=True)
class Row:
    number: int
    member_id: int
    title: str
    kind: str
    held_on: date
    hours: Decimal


def _hours(value: object) -> Decimal:
    if cells.is_blank(value) or isinstance(value, bool):
        raise cells.CellError(_("应填写学时数。"))
    raw = repr(value) if isinstance(value, int | float) else str(value).strip().removesuffix("学时").strip()
    try:
        hours = Decimal(raw).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise cells.CellError(_("“%(value)s”不是学时数。") % {"value": str(value)[:20]}) from None
    if not Decimal("0.5") <= hours <= 100:
        raise cells.CellError(_("学时应在 0.5 到 100 之间。"))
    return hours


def read_rows(sheet: SheetData, *, roster: dict[str, int], today: date) -> tuple[list[Row], list[str]]:
    """The sheet's rows as values, or the reason for each bad row ("第 5 行 学时：…")."""
    positions: dict[str, int] = {}
    names = lookup()
    for index, cell in enumerate(sheet.header):
        for name in cells.header_names(cell):
            if name in names:
                positions.setdefault(names[name], index)
                break
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in positions]
    if missing:
        return [], [_("表头缺少：%(cols)s。") % {"cols": "、".join(missing)}]
    if len(sheet.rows) > MAX_ROWS:
        return [], [_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}]
    rows, errors = [], []
    for i, raw in enumerate(sheet.rows):
        number = sheet.number(i)

        def cell(key: str, raw=raw) -> object:
            index = positions.get(key)
            return raw[index] if index is not None and index < len(raw) else None

        problems = []
        name = cells.compact(str(cell("name") or ""))
        member_id = roster.get(name)
        if member_id is None:
            problems.append(_("第 %(row)d 行 姓名：“%(name)s”不在本单位名册中（或名册中有同名党员）。")
                            % {"row": number, "name": name})  # fmt: skip
        try:
            title = cells.text(cell("title"), max_length=200)
            if not title:
                raise cells.CellError(_("应填写培训名称。"))
        except cells.CellError as error:
            problems.append(_("第 %(row)d 行 培训名称：%(why)s") % {"row": number, "why": error})
            title = ""
        kind_text = cells.fold(str(cell("kind") or "")) or "专题培训"
        kind = KIND_WORDS.get(kind_text)
        if kind is None:
            problems.append(_("第 %(row)d 行 类型：“%(kind)s”不是集中轮训、党课、专题培训或网络学习。")
                            % {"row": number, "kind": kind_text[:20]})  # fmt: skip
        try:
            held_on = cells.parse_date(cell("held_on"))
            if held_on is None:
                raise cells.CellError(_("应填写日期。"))
            if isinstance(held_on, MonthDate):
                raise cells.CellError(_("只写了月份，请写到日，如 2025-06-18。"))
            if held_on > today or held_on.year < 2000:
                raise cells.CellError(
                    _("%(d)s 不在可登记的范围内（2000 年至今天）。") % {"d": held_on.isoformat()}
                )
        except cells.CellError as error:
            problems.append(_("第 %(row)d 行 日期：%(why)s") % {"row": number, "why": error})
            held_on = None
        try:
            hours = _hours(cell("hours"))
        except cells.CellError as error:
            problems.append(_("第 %(row)d 行 学时：%(why)s") % {"row": number, "why": error})
            hours = None
        if problems:
            errors.extend(problems)
            continue
        rows.append(
            Row(number=number, member_id=member_id, title=title, kind=kind, held_on=held_on, hours=hours)
        )
    return rows, errors
