"""The Word documents of rectification: a unit's 整改方案 for filing with the level above, and the
督查办's quarterly report of progress by unit (its rows also make the .xlsx).

Both are written with the official layout of `core.documents` (A4, 方正小标宋 title, 黑体 headings, 仿宋 body).
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Avg, Count, Q
from django.utils import timezone

from shuzhi.core import documents
from shuzhi.core.access import in_subtree
from shuzhi.rectification import rules
from shuzhi.rectification.models import Item, QuarterlyCheck
from shuzhi.rectification.selectors import items_visible_to

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")

# (header, width in cm, centred), filling the 15.6 cm between the margins
_PLAN_COLUMNS = (("序号", 1.2, True), ("问题", 3.6, False), ("整改措施", 4.8, False), ("责任人", 1.8, True),
                 ("整改时限", 2.6, True), ("状态", 1.6, True))  # fmt: skip
_QUARTER_COLUMNS = (("序号", 1.2, True), ("单位", 5.4, False), ("事项", 1.6, True), ("已销号", 1.8, True),
                    ("逾期", 1.6, True), ("平均进度", 1.8, True), ("督查评价", 2.2, True))  # fmt: skip


# ---- quarters -------------------------------------------------------------------------------------


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """The first day of the quarter and the first day after it."""
    match = QUARTER.match(quarter)
    if match is None:
        raise ValueError(quarter)
    year, number = int(match.group(1)), int(match.group(2))
    start = date(year, 3 * number - 2, 1)
    return start, date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)


def quarter_label(quarter: str) -> str:
    """2026Q4 → 2026年第四季度."""
    match = QUARTER.match(quarter)
    if match is None:
        return quarter
    return f"{match.group(1)}年第{documents.chinese_number(int(match.group(2)))}季度"


def recent_quarters(today: date, count: int = 8) -> list[str]:
    """The current quarter and the ones before it, newest first."""
    year, number = today.year, (today.month - 1) // 3 + 1
    quarters = []
    for _i in range(count):
        quarters.append(f"{year}Q{number}")
        year, number = (year - 1, 4) if number == 1 else (year, number - 1)
    return quarters


# ---- the 整改方案 ------------------------------------------------------------------------------------


def _plan_rows(items: Iterable[Item]) -> list[tuple[str, ...]]:
    """Each item, then its steps as sub-rows numbered 1.1, 1.2 … (and 1.1.1 for a step's steps)."""
    items = list(items)
    ids = {item.pk for item in items}
    children: dict[int | None, list[Item]] = {}
    for item in items:
        parent = item.parent_id if item.parent_id in ids else None
        children.setdefault(parent, []).append(item)
    rows: list[tuple[str, ...]] = []

    def walk(parent: int | None, prefix: str) -> None:
        for number, item in enumerate(children.get(parent, []), start=1):
            label = f"{prefix}{number}"
            rows.append((label, item.title, item.measures, item.responsible,
                         item.deadline.isoformat() if item.deadline else "", item.get_status_display()))  # fmt: skip
            walk(item.pk, f"{label}.")

    walk(None, "")
    return rows


def plan_docx(organization, cycle, items: Iterable[Item]) -> bytes:
    """The unit's 整改方案 for one cycle: its items with measures, responsible person, deadline and
    status, each item's steps as sub-rows. `items` holds the items and their steps, in order."""
    items = list(items)
    top = [item for item in items if item.parent_id is None]
    confirmed = [item.plan_confirmed_at for item in top if item.plan_confirmed_at]
    is_confirmed = bool(top) and len(confirmed) == len(top)
    document = documents.new_document(title=f"{organization.name}整改方案", subject=cycle.title)
    documents.title_block(
        document, "整改方案", cycle.title, *([] if is_confirmed else ["（草稿，尚未确认）"])
    )
    documents.line(document, f"整改单位：{organization.name}", indent=False)
    documents.line(document, f"考核周期：{cycle.title}", indent=False)
    documents.line(
        document,
        f"根据{cycle.organization.name}反馈的评议意见和存在问题，本单位逐项制定整改措施，明确责任人和"
        f"整改时限，共{len(top)}项整改事项，现报上级党组织备案。",
    )
    documents.heading(document, "一、整改事项")
    documents.table(document, _PLAN_COLUMNS, _plan_rows(items))
    documents.heading(document, "二、工作要求", space_before=True)
    documents.line(
        document,
        "各责任人按整改措施和时限推进，及时在平台上报整改进展和佐证材料；整改完成后申请上级党组织销号。"
        "整改情况纳入下一年度述职评议内容。",
    )
    day = timezone.localtime(max(confirmed)).date() if is_confirmed else timezone.localdate()
    documents.signature(document, organization.name, documents.chinese_date(day))
    return documents.save(document)


# ---- the quarterly supervision report -------------------------------------------------------------


@dataclass(frozen=True)
class QuarterRow:
    unit: str
    code: str
    items: int  # top-level items under way during the quarter
    closed: int
    overdue: int
    progress: int  # mean progress of those items, in per cent
    ratings: str  # the quarter's check ratings, e.g. "进展良好 1、进展滞后 1"
    notes: tuple[str, ...]  # the quarter's check notes, an item's prefixed with its title


def quarterly_rows(viewer, quarter: str) -> list[QuarterRow]:
    """Progress by unit in the viewer's subtree, with the quarter's checks: the top-level items
    under way during the quarter (not closed before it began, not created after it ended), as they
    stand today, and every unit checked in the quarter even if it has none."""
    start, end = quarter_bounds(quarter)
    zone = timezone.get_current_timezone()
    began = timezone.make_aware(datetime.combine(start, time.min), zone)
    ended = timezone.make_aware(datetime.combine(end, time.min), zone)
    items = (
        items_visible_to(viewer)
        .filter(parent__isnull=True, created_at__lt=ended)
        .exclude(closed_at__lt=began)
    )
    units: dict[int, dict] = {}
    counted = (
        items.values("organization_id", "organization__name", "organization__code", "org_path")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(status=rules.CLOSED)),
            overdue=Count("id", filter=Q(status=rules.OVERDUE)),
            progress=Avg("progress"),
        )
        .order_by()
    )
    for row in counted:
        units[row["organization_id"]] = {
            "unit": row["organization__name"], "code": row["organization__code"], "path": row["org_path"],
            "items": row["total"], "closed": row["closed"], "overdue": row["overdue"],
            "progress": round(row["progress"] or 0), "ratings": Counter(), "notes": [],
        }  # fmt: skip
    checks = (
        QuarterlyCheck.objects.filter(
            in_subtree("organization__path", viewer.organization.path), quarter=quarter
        )
        .select_related("organization", "item")
        .order_by("organization__path", "created_at", "id")
    )
    for check in checks:
        org = check.organization
        unit = units.setdefault(org.pk, {"unit": org.name, "code": org.code, "path": org.path, "items": 0, "closed": 0,
                                         "overdue": 0, "progress": 0, "ratings": Counter(), "notes": []})  # fmt: skip
        label = check.get_rating_display()
        unit["ratings"][check.rating] += 1
        about = f"【{check.item.title[:30]}】" if check.item_id else ""
        unit["notes"].append(f"{about}{label}：{check.note}")
    labels = dict(QuarterlyCheck.Rating.choices)
    rows = []
    for unit in sorted(units.values(), key=lambda u: u["path"]):
        ratings = "、".join(f"{labels[r]} {unit['ratings'][r]}" for r in labels if unit["ratings"][r])
        rows.append(QuarterRow(unit=unit["unit"], code=unit["code"], items=unit["items"], closed=unit["closed"],
                               overdue=unit["overdue"], progress=unit["progress"], ratings=ratings,
                               notes=tuple(unit["notes"])))  # fmt: skip
    return rows


def quarterly_report_docx(rows: list[QuarterRow], quarter: str, root) -> bytes:
    """The quarterly report of the supervision office of `root`: a summary, the table of units,
    then each checked unit's notes."""
    label = quarter_label(quarter)
    title_text = f"{label}整改落实情况督查报告"
    document = documents.new_document(title=title_text, subject=root.name)
    documents.title_block(document, title_text, root.name)
    total = sum(row.items for row in rows)
    closed = sum(row.closed for row in rows)
    overdue = sum(row.overdue for row in rows)
    mean = round(sum(row.progress * row.items for row in rows) / total) if total else 0
    checked = sum(1 for row in rows if row.notes)
    today = documents.chinese_date(timezone.localdate())
    documents.line(
        document,
        f"{label}，共有{sum(1 for row in rows if row.items)}个单位的{total}项整改事项在推进，其中已销号{closed}项，"
        f"逾期{overdue}项，平均进度{mean}%。本季度督查{checked}个单位。"
        f"以下数据截至{today}。",
    )
    documents.heading(document, "一、各单位整改进展")
    documents.table(
        document,
        _QUARTER_COLUMNS,
        [(str(i), row.unit, str(row.items), str(row.closed), str(row.overdue), f"{row.progress}%", row.ratings or "—")
         for i, row in enumerate(rows, start=1)],
    )  # fmt: skip
    documents.heading(document, "二、督查意见", space_before=True)
    noted = [row for row in rows if row.notes]
    for number, row in enumerate(noted, start=1):
        documents.heading(
            document,
            f"（{documents.chinese_number(number)}）{row.unit}",
            font=documents.SIGNATURE_FONT,
            level=2,
        )
        for note in row.notes:
            documents.line(document, note)
    if not noted:
        documents.line(document, "本季度尚未记录督查意见。")
    documents.signature(document, root.name, today)
    return documents.save(document)
