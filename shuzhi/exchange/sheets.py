"""The two sheets people keep: their columns (Chinese headers), the other names people give each
column, the words each column accepts, and the blank templates.

Exports use the same columns, so that an exported sheet can be edited and imported back. The
tables here are the one place where what a sheet may say is written down: the import reads by
them, and the import page shows them to the person who fills the sheet.
"""

from dataclasses import dataclass, field
from io import BytesIO

import xlsxwriter
from django.utils.translation import gettext_lazy as _

from shuzhi.exchange.rules import fold, normalise_header
from shuzhi.members.models import ETHNICITIES, Member
from shuzhi.orgs.models import Organization

TEXT = "text"
NAME = "name"  # text that loses every space inside it: 王　芳 is 王芳
DATE = "date"
CHOICE = "choice"

# The other headers people give each column, by sheet and column key (the template's header is
# the Column's own). Spaces of any width, *, ：and full-width letters in a header are ignored,
# and so is a note in brackets after it: '出生年月（年.月）' is 出生年月.
# fmt: off
HEADER_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "orgs": {
        "code": ("编码", "组织代码", "党组织编码", "党组织代码"),
        "name": ("党组织名称", "组织全称", "名称"),
        "kind": ("类别", "党组织类别"),
        "level": ("组织层级", "党组织层级"),
        "field": ("所属领域", "行业领域"),
        "parent": ("上级党组织", "上级组织编码", "上级党组织编码"),
        "secretary_id": ("书记身份证号码", "书记公民身份号码"),
        "secretary_since": ("书记任职时间", "任职日期", "任职时间"),
    },
    "members": {
        "name": ("党员姓名", "名字"),
        "id_number": ("公民身份号码", "公民身份证号码", "公民身份证号", "身份证号码", "身份证", "居民身份证号码",
                      "居民身份证号", "证件号码"),
        "birth_date": ("出生年月", "出生年月日", "出生时间", "生日"),
        "phone": ("电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"),
        "education": ("文化程度", "最高学历", "学历程度"),
        "joined_on": ("入党时间", "入党年月", "入党年月日", "加入党组织日期", "加入党组织时间"),
        "full_member_on": ("转正时间", "转正年月", "转为正式党员日期", "转为正式党员时间"),
        "status": ("党籍状态", "党员类型", "正式或预备"),
        "category": ("人员类型", "人员身份", "党员类别"),
        "organization": ("所在党支部", "所在支部", "所属党组织", "所属党支部", "所属支部", "党支部", "支部",
                         "党支部名称", "支部名称", "所在组织", "党组织"),
    },
}

# fmt: on

# The other ways people write a column's words, by column key and label (the label itself and
# the stored code are always taken). Compared without spaces and in half-width letters.
VOCABULARY: dict[str, dict[str, tuple[str, ...]]] = {
    "gender": {"男": ("男性",), "女": ("女性",)},
    "ethnicity": {e: (e.removesuffix("族"),) for e in ETHNICITIES},
    "education": {
        "研究生": ("研究生毕业", "硕士", "硕士研究生", "博士", "博士研究生"),
        "大学本科": ("本科", "大本", "本科毕业", "大学本科毕业", "学士"),
        "大学专科": ("大专", "专科", "大专毕业", "专科毕业", "高职"),
        "中专": ("中等专科", "中等专业学校", "中技", "技校", "技工学校", "中职", "中专毕业"),
        "高中": ("高中毕业", "职高", "职业高中"),
        "初中及以下": ("初中", "初中毕业", "小学", "小学及以下", "初中以下", "文盲", "半文盲"),
    },
    "status": {"正式党员": ("正式",), "预备党员": ("预备",)},
    "category": {
        "在职": ("在职党员", "在职人员", "在岗", "在岗职工"),
        "离退休": ("退休", "离休", "离退休人员", "退休人员", "离休人员", "离退休党员", "退休党员"),
        "农牧渔民": ("农民", "牧民", "渔民", "农牧民", "农民党员"),
        "学生": ("在校学生", "学生党员"),
        "流动": ("流动党员", "外出流动党员"),
        "其他": ("其它",),
    },
}


class Choices(dict):
    """What a choice column accepts (any written form → stored value), and its labels in order."""

    def __init__(self, labels: dict[str, str], others: dict[str, tuple[str, ...]] | None = None):
        super().__init__()
        self.labels = list(labels)
        for label, value in labels.items():
            self[label] = value
            self.setdefault(value, value)  # the stored code, as an export of old wrote it
            for form in (others or {}).get(label, ()):
                self.setdefault(form, value)
        for form, value in list(self.items()):
            self.setdefault(fold(form), value)


def _choices(text_choices, key: str = "") -> Choices:
    return Choices({str(label): value for value, label in text_choices.choices}, VOCABULARY.get(key))


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
    synonyms: tuple[str, ...] = ()
    # a required column that may be left out when this other column is there: its values are
    # then inferred from that column's (党员状态 from 转正日期)
    inferred_from: str = ""
    months: bool = False  # a date column that takes a date known only to its month (1975.03)

    @property
    def labels(self) -> list[str]:
        labels = getattr(self.choices, "labels", None)
        return (
            list(labels)
            if labels is not None
            else list(dict.fromkeys(k for k in self.choices if not k.isascii()))
        )

    @property
    def other_forms(self) -> dict[str, list[str]]:
        """Label → the other ways of writing it this column takes (for the page's vocabulary)."""
        return {
            label: list(forms)
            for label, forms in VOCABULARY.get(self.key, {}).items()
            if label in self.labels
        }


def header_lookup(spec) -> dict[str, str]:
    """Normalised header → column key: each column's header first, then its synonyms."""
    lookup: dict[str, str] = {}
    for column in spec:
        lookup.setdefault(normalise_header(column.header), column.key)
    for column in spec:
        for name in column.synonyms:
            lookup.setdefault(normalise_header(name), column.key)
    return lookup


_ORG, _MEMBER = HEADER_SYNONYMS["orgs"], HEADER_SYNONYMS["members"]

# fmt: off
ORG_COLUMNS = (
    Column("code", "组织编码", required=True, max_length=32, note=_("唯一；已存在的编码表示更新该组织"), width=16,
           synonyms=_ORG["code"]),
    Column("name", "组织名称", required=True, max_length=100, width=36, synonyms=_ORG["name"]),
    Column("kind", "组织类别", required=True, kind=CHOICE, choices=_choices(Organization.Kind), width=10,
           synonyms=_ORG["kind"]),
    Column("level", "层级", required=True, kind=CHOICE, choices=_choices(Organization.Level), width=14,
           synonyms=_ORG["level"]),
    Column("field", "领域", required=True, kind=CHOICE, choices=_choices(Organization.Field), width=12,
           synonyms=_ORG["field"]),
    Column(
        "parent",
        "上级组织",
        max_length=500,
        note=_(
            "上级组织的编码，或从上到下的名称路径，如“中共云州市委员会/中共云州市东湖区委员会”；新建组织必填"
        ),
        width=36,
        synonyms=_ORG["parent"],
    ),
    Column("secretary_id", "书记身份证号", max_length=18, note=_("须是本组织或下级组织已登记的党员"), width=20,
           synonyms=_ORG["secretary_id"]),
    Column("secretary_since", "书记任职日期", kind=DATE, width=14, synonyms=_ORG["secretary_since"]),
)

MEMBER_COLUMNS = (
    Column("name", "姓名", required=True, kind=NAME, max_length=50, width=10, note=_("姓名中的空格会去掉"),
           synonyms=_MEMBER["name"]),
    Column("id_number", "身份证号", required=True, max_length=18, note=_("18位；已登记的身份证号表示更新该党员"),
           width=21, synonyms=_MEMBER["id_number"]),
    Column("gender", "性别", kind=CHOICE, choices=_choices(Member.Gender, "gender"),
           note=_("可不填，按身份证号确定"), width=6),
    Column("ethnicity", "民族", kind=CHOICE, choices=Choices({e: e for e in ETHNICITIES}, VOCABULARY["ethnicity"]),
           note=_("可不填，默认汉族"), width=8),
    Column("birth_date", "出生日期", kind=DATE, note=_("可不填，按身份证号确定"), width=12,
           synonyms=_MEMBER["birth_date"], months=True),
    Column("phone", "联系电话", max_length=20, width=14, synonyms=_MEMBER["phone"]),
    Column("education", "学历", required=True, kind=CHOICE, choices=_choices(Member.Education, "education"),
           width=12, synonyms=_MEMBER["education"]),
    Column("joined_on", "入党日期", required=True, kind=DATE, width=12, synonyms=_MEMBER["joined_on"],
           months=True),
    Column("full_member_on", "转正日期", kind=DATE, note=_("预备党员不填"), width=12,
           synonyms=_MEMBER["full_member_on"], months=True),
    Column("status", "党员状态", required=True, kind=CHOICE, choices=_choices(Member.Status, "status"), width=10,
           synonyms=_MEMBER["status"], inferred_from="full_member_on",
           note=_("没有这一列时按转正日期确定：填了的是正式党员，没填的是预备党员")),
    Column("category", "人员类别", required=True, kind=CHOICE, choices=_choices(Member.Category, "category"),
           width=10, synonyms=_MEMBER["category"]),
    Column("organization", "所在党组织", required=True, max_length=500,
           note=_("党支部的编码，或从上到下的名称路径"), width=36, synonyms=_MEMBER["organization"]),
)

# fmt: on

DATE_FORMS = _("2021-07-01、2021/7/1、2021.7.1、2021年7月1日、20210701 或 Excel 日期")
MONTH_FORMS = _("只知年月的写 2021.07、2021-7、2021年7月、202107")


def vocabulary(kind: str) -> list[dict[str, object]]:
    """What the import page shows of one sheet: each column's header, the other headers it is
    known by, the words it takes (with their other forms) and what to know about it."""
    rows = []
    for column in SHEETS[kind][1]:
        if column.key == "ethnicity":
            words = [(_("56个民族的名称，“族”字可省"), [_("汉 → 汉族"), _("蒙古 → 蒙古族")])]
        else:
            words = [(label, column.other_forms.get(label, [])) for label in column.labels]
        notes = [str(column.note)] if column.note else []
        if column.kind == DATE:
            notes.append(str(DATE_FORMS))
            if column.months:
                notes.append(str(MONTH_FORMS))
        rows.append(
            {
                "header": column.header,
                "synonyms": list(column.synonyms),
                "required": column.required and not column.inferred_from,
                "words": words,
                "notes": notes,
            }
        )
    return rows


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
            parts.append("日期，如 2021-07-01" + ("；只知年月的写 2021.07" if column.months else ""))
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
