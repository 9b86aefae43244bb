"""The two sheets people keep: their columns (Chinese headers), and the blank templates.

Exports use the same columns, so that an exported sheet can be edited and imported back.
"""

from dataclasses import dataclass, field
from io import BytesIO

import xlsxwriter
from django.utils.translation import gettext_lazy as _

from shuzhi.members.models import ETHNICITIES, Member
from shuzhi.orgs.models import Organization

TEXT = "text"
DATE = "date"
CHOICE = "choice"


def _choices(text_choices, *aliases: tuple[str, str]) -> dict[str, str]:
    """Label → stored value, accepting the stored value itself and some common short forms."""
    mapping = {str(label): value for value, label in text_choices.choices}
    mapping.update({value: value for value in text_choices.values})
    mapping.update(dict(aliases))
    return mapping


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    kind: str = TEXT
    max_length: int | None = None
    choices: dict[str, str] = field(default_factory=dict)
    note: str = ""
    width: int = 14

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys(k for k in self.choices if not k.isascii()))


ORG_COLUMNS = (
    Column(
        "code", "组织编码", required=True, max_length=32, note=_("唯一；已存在的编码表示更新该组织"), width=16
    ),
    Column("name", "组织名称", required=True, max_length=100, width=36),
    Column("kind", "组织类别", required=True, kind=CHOICE, choices=_choices(Organization.Kind), width=10),
    Column("level", "层级", required=True, kind=CHOICE, choices=_choices(Organization.Level), width=14),
    Column("field", "领域", required=True, kind=CHOICE, choices=_choices(Organization.Field), width=12),
    Column(
        "parent",
        "上级组织",
        max_length=500,
        note=_(
            "上级组织的编码，或从上到下的名称路径，如“中共云州市委员会/中共云州市东湖区委员会”；新建组织必填"
        ),
        width=36,
    ),
    Column(
        "secretary_id", "书记身份证号", max_length=18, note=_("须是本组织或下级组织已登记的党员"), width=20
    ),
    Column("secretary_since", "书记任职日期", kind=DATE, width=14),
)

MEMBER_COLUMNS = (
    Column("name", "姓名", required=True, max_length=50, width=10),
    Column(
        "id_number",
        "身份证号",
        required=True,
        max_length=18,
        note=_("18位；已登记的身份证号表示更新该党员"),
        width=21,
    ),
    Column(
        "gender",
        "性别",
        kind=CHOICE,
        choices=_choices(Member.Gender),
        note=_("可不填，按身份证号确定"),
        width=6,
    ),
    Column(
        "ethnicity",
        "民族",
        kind=CHOICE,
        choices={e: e for e in ETHNICITIES} | {e.removesuffix("族"): e for e in ETHNICITIES if len(e) > 2},
        note=_("可不填，默认汉族"),
        width=8,
    ),
    Column("birth_date", "出生日期", kind=DATE, note=_("可不填，按身份证号确定"), width=12),
    Column("phone", "联系电话", max_length=20, width=14),
    Column("education", "学历", required=True, kind=CHOICE, choices=_choices(Member.Education), width=12),
    Column("joined_on", "入党日期", required=True, kind=DATE, width=12),
    Column("full_member_on", "转正日期", kind=DATE, note=_("预备党员不填"), width=12),
    Column(
        "status",
        "党员状态",
        required=True,
        kind=CHOICE,
        choices=_choices(Member.Status, ("正式", "full"), ("预备", "probationary")),
        width=10,
    ),
    Column("category", "人员类别", required=True, kind=CHOICE, choices=_choices(Member.Category), width=10),
    Column(
        "organization",
        "所在党组织",
        required=True,
        max_length=500,
        note=_("党支部的编码，或从上到下的名称路径"),
        width=36,
    ),
)

SHEETS = {"orgs": ("党组织", ORG_COLUMNS), "members": ("党员名册", MEMBER_COLUMNS)}
TEXT_COLUMNS = {"code", "id_number", "secretary_id", "phone"}  # digits that must stay text in Excel
TEMPLATE_ROWS = 20000
WORKBOOK_OPTIONS = {
    # a value is data: never a formula, a number or a link because of how it looks
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def template(kind: str) -> bytes:
    """A blank sheet with the headers, text columns kept as text, dropdowns, and instructions."""
    title, columns = SHEETS[kind]
    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **WORKBOOK_OPTIONS})
    sheet = book.add_worksheet(title)
    required = book.add_format({"bold": True, "bg_color": "#F8D7DA", "border": 1})
    optional = book.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1})
    as_text = book.add_format({"num_format": "@"})
    as_date = book.add_format({"num_format": "yyyy-mm-dd"})
    for index, column in enumerate(columns):
        cell_format = as_text if column.key in TEXT_COLUMNS else as_date if column.kind == DATE else None
        sheet.set_column(index, index, column.width, cell_format)
        sheet.write_string(0, index, column.header, required if column.required else optional)
        if column.note:
            sheet.write_comment(0, index, str(column.note))
        if column.kind == CHOICE and len(",".join(column.labels)) < 250:
            sheet.data_validation(
                1,
                index,
                TEMPLATE_ROWS,
                index,
                {"validate": "list", "source": column.labels, "ignore_blank": True},
            )
    sheet.freeze_panes(1, 0)
    _instructions(book, columns)
    book.close()
    return buffer.getvalue()


def _instructions(book, columns) -> None:
    sheet = book.add_worksheet("填写说明")
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 8)
    sheet.set_column(2, 2, 70)
    for col, header in enumerate(("列名", "必填", "说明")):
        sheet.write_string(0, col, header, bold)
    for row, column in enumerate(columns, start=1):
        allowed = "、".join(column.labels)
        parts = [str(column.note)] if column.note else []
        if allowed:
            parts.append(f"可填：{allowed}")
        if column.kind == DATE:
            parts.append("日期，如 2021-07-01")
        if column.max_length and column.kind == TEXT:
            parts.append(f"不超过 {column.max_length} 个字符")
        sheet.write_string(row, 0, column.header)
        sheet.write_string(row, 1, "是" if column.required else "")
        sheet.write_string(row, 2, "；".join(parts), wrap)
    last = len(columns) + 2
    sheet.write_string(last, 0, "注意", bold)
    sheet.write_string(
        last,
        2,
        "整个文件有任何错误都不会导入任何一行，系统会给出错误报告（第几行、哪一列、什么问题），改正后重新上传即可。"
        "同一文件可以重复导入：已有的记录会被更新，不会重复。",
        wrap,
    )
