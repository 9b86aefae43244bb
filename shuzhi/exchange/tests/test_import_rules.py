"""Reading cells and planning an import: pure functions over plain values, no database."""

from datetime import date, datetime

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from shuzhi.core.dates import MonthDate, shown
from shuzhi.exchange import plans, rules
from shuzhi.exchange.rules import FORMULA_PREFIXES, CellError
from shuzhi.exchange.sheets import (
    HEADER_SYNONYMS,
    MEMBER_COLUMNS,
    ORG_COLUMNS,
    SHEETS,
    VOCABULARY,
    header_lookup,
)
from shuzhi.exchange.workbook import _column_index
from shuzhi.members import rules as member_rules

JULY_FIRST = date(2021, 7, 1)
BAD_FORMAT = "日期格式不正确，应为 2021-07-01 这样的日期。"


# ---- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2021-07-01",
        "2021-7-1",
        "2021/7/1",
        "2021/07/01",
        "2021.7.1",
        "2021年7月1日",
        "2021年07月01日",
        "2021年7月1",
        "20210701",
        " 2021-07-01 ",
        20210701,
        20210701.0,
        "２０２１－０７－０１",  # full-width
        "2021-07-01 08:30",
        "2021-07-01 00:00:00",
        44378,  # Excel's day number, in a cell that lost its date format
        44378.5,
        "44378",
        JULY_FIRST,
        datetime(2021, 7, 1, 8, 30),
    ],
    ids=repr,
)
def test_the_usual_ways_of_writing_a_date_are_read(value):
    assert rules.parse_date(value) == JULY_FIRST


@pytest.mark.parametrize("value", [None, "", "   "], ids=repr)
def test_an_empty_date_cell_is_no_date(value):
    assert rules.parse_date(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2020-13-45", "“2020-13-45”不是存在的日期。"),
        ("2021-02-29", "“2021-02-29”不是存在的日期。"),
        ("2021年2月30日", "“2021年2月30日”不是存在的日期。"),
        ("20211301", "“20211301”不是存在的日期。"),
        ("去年", BAD_FORMAT),
        ("7/1/2021", BAD_FORMAT),
        ("21-7-1", BAD_FORMAT),
        ("2021-13", "“2021-13”不是存在的年月。"),
        ("2021", "只写了年份，请至少写到月，如 2021.07 或 2021-07-01。"),
        (2021, "只写了年份，请至少写到月，如 2021.07 或 2021-07-01。"),
        (2021.5, "“2021.5”不是存在的年月。"),
        (-3, BAD_FORMAT),
        (True, BAD_FORMAT),
    ],
    ids=repr,
)
def test_a_date_that_cannot_be_read_says_why(value, message):
    with pytest.raises(CellError) as caught:
        rules.parse_date(value)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "value",
    [
        *("2021.07", "2021.7", "2021-7", "2021-07", "2021/7", "2021年7月", "2021年07月", "2021 年 7 月"),
        *("202107", 202107, 2021.07, "２０２１．０７"),
    ],
    ids=repr,
)
def test_a_date_written_to_its_month_is_read_as_a_month(value):
    read = rules.parse_date(value)

    assert isinstance(read, MonthDate) and (read.year, read.month) == (2021, 7)
    assert shown(read) == "2021-07"


def test_a_month_excel_kept_as_a_number_without_its_last_zero_is_october():
    assert rules.parse_date(2021.1) == MonthDate(2021, 10)
    assert rules.parse_date("2021.1") == MonthDate(2021, 1)  # typed as text, read as typed


@given(
    st.dates(date(1000, 1, 1), date(9999, 12, 31)),
    st.sampled_from(
        ["{:%Y-%m-%d}", "{:%Y%m%d}", "{d.year}/{d.month}/{d.day}", "{d.year}年{d.month}月{d.day}日"]
    ),
)
def test_any_date_written_in_an_accepted_way_reads_back(day, spelling):
    assert rules.parse_date(spelling.format(day, d=day)) == day


# ---- headers and text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("组织编码", "组织编码"),
        ("组织编码*", "组织编码"),
        ("＊组织编码", "组织编码"),
        (" 组织编码 ", "组织编码"),
        ("组织\n编码", "组织编码"),
        ("书记 身份证号", "书记身份证号"),
        ("备注（选填）", "备注(选填)"),
        (None, ""),
        (2021, "2021"),
    ],
)
def test_a_header_is_known_whatever_decoration_it_carries(header, expected):
    assert rules.normalise_header(header) == expected


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES, ids=repr)
def test_text_that_would_run_as_a_formula_gets_an_apostrophe(prefix):
    value = prefix + 'HYPERLINK("http://example.com")'
    assert rules.neutralise_formula(value) == "'" + value


@pytest.mark.parametrize(
    "value", [-5, -1.5, 0, 3.25, JULY_FIRST, None, "王庄村党支部", "'=已加过", "1+1"], ids=repr
)
def test_numbers_dates_and_plain_text_are_left_alone(value):
    assert rules.neutralise_formula(value) == value


@given(st.text())
@example("=1+1")
@example("\t=cmd")
@example("\r\n@SUM(A1)")
def test_neutralised_text_never_starts_like_a_formula(value):
    result = rules.neutralise_formula(value)
    assert not str(result).startswith(FORMULA_PREFIXES)


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.dates(), st.none(), st.booleans()))
def test_neutralising_never_changes_a_value_that_is_not_text(value):
    assert rules.neutralise_formula(value) == value


@given(st.text(min_size=1))
@example("=SUM(A1:A9)")
@example("-3")
def test_text_reads_back_what_the_export_neutralised(value):
    assume(value == value.strip() and value)
    # a cell typed as ' followed by a formula sign is ambiguous: read as neutralised by us
    assume(not (value[:1] == "'" and value[1:2] in FORMULA_PREFIXES))
    assert rules.text(rules.neutralise_formula(value)) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'+86 138", "+86 138"),
        ("'-", "-"),
        ("'abc", "'abc"),  # not ours: the apostrophe is the person's
        (" 王庄 ", "王庄"),
        (13800001111.0, "13800001111"),
        (42, "42"),
        (1.5, "1.5"),
        ("", ""),
        (None, ""),
    ],
    ids=repr,
)
def test_text_reads_a_cell_as_the_person_meant_it(value, expected):
    assert rules.text(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "应为文字，不能是逻辑值。"),
        (JULY_FIRST, "应为文字，不能是日期。"),
        (datetime(2021, 7, 1), "应为文字，不能是日期。"),
    ],
    ids=repr,
)
def test_text_refuses_what_is_not_text(value, message):
    with pytest.raises(CellError, match=message):
        rules.text(value)


def test_text_over_the_limit_says_by_how_much():
    assert rules.text("王" * 50, max_length=50) == "王" * 50
    with pytest.raises(CellError, match=r"^超过 50 个字符（现有 51 个）。$"):
        rules.text("王" * 51, max_length=50)


def test_a_long_number_excel_rounded_is_refused_and_a_short_one_is_text():
    with pytest.raises(CellError, match=r"^身份证号被 Excel 存成了数字，末几位可能已变成0。"):
        rules.digits_text(3.29901196707e17, what="身份证号")
    assert rules.digits_text(13800001111.0, what="联系电话") == "13800001111"
    assert rules.digits_text("32990119670701123X", what="身份证号") == "32990119670701123X"


def test_a_choice_accepts_labels_and_values_and_lists_the_labels():
    choices = {"正式党员": "full", "预备党员": "probationary", "full": "full", "probationary": "probationary",
               "正式": "full"}  # fmt: skip
    assert [rules.parse_choice(v, choices) for v in ("正式党员", " 正式 ", "probationary")] == [
        "full", "full", "probationary",
    ]  # fmt: skip
    with pytest.raises(CellError, match=r"^只能填：正式党员、预备党员、正式。$"):
        rules.parse_choice("优秀", choices)


@pytest.mark.parametrize(
    ("index", "letter"),
    [
        (0, "A"),
        (1, "B"),
        (25, "Z"),
        (26, "AA"),
        (27, "AB"),
        (51, "AZ"),
        (52, "BA"),
        (701, "ZZ"),
        (702, "AAA"),
    ],
)
def test_a_column_number_becomes_its_letters(index, letter):
    assert rules.column_letter(index) == letter


@given(st.integers(0, 18_277))
def test_the_report_finds_the_column_by_its_letters(index):
    assert _column_index(rules.column_letter(index)) == index


@pytest.mark.parametrize(
    "path",
    ["中共东湖区柳泉镇委员会/王庄村党支部", "中共东湖区柳泉镇委员会／王庄村党支部", " 中共东湖区柳泉镇委员会 > 王庄村党支部 ",
     "中共东湖区柳泉镇委员会＞王庄村党支部/"],
)  # fmt: skip
def test_a_path_of_names_may_use_any_of_the_separators(path):
    assert rules.split_org_path(path) == ["中共东湖区柳泉镇委员会", "王庄村党支部"]


# ---- the header row ----------------------------------------------------------------------------


def test_columns_are_found_by_header_in_any_order_and_unknown_ones_are_ignored():
    errors = plans.Errors()
    header = [
        "备注",
        "所在党组织*",
        " 姓名",
        "身份证号",
        "学历",
        "入党日期",
        "党员状态",
        "人员类别",
        "联系电话",
    ]

    found = plans.read_header(header, 3, MEMBER_COLUMNS, errors)

    assert not errors
    assert found == {"organization": 1, "name": 2, "id_number": 3, "education": 4, "joined_on": 5,
                     "status": 6, "category": 7, "phone": 8}  # fmt: skip


def test_every_missing_required_column_and_every_repeated_one_is_an_error_of_the_header_row():
    errors = plans.Errors()

    plans.read_header(["组织编码", "组织名称", "组织名称", "层级"], 2, ORG_COLUMNS, errors)

    assert [(e.row, e.column, e.letter, e.message) for e in errors.sorted()] == [
        (2, "组织类别", "", "缺少必填列“组织类别”。"),
        (2, "领域", "", "缺少必填列“领域”。"),
        (2, "组织名称", "C", "该列出现了两次。"),
    ]


# ---- organisations by code or names -------------------------------------------------------------


def _index():
    refs = [
        plans.OrgRef("C01", "中共云州市东湖区委员会", "committee", "county", id=1),
        plans.OrgRef("C01001", "中共东湖区柳泉镇委员会", "committee", "township", id=2, parent_code="C01"),
        plans.OrgRef("C01001001", "王庄村党支部", "branch", "village", id=3, parent_code="C01001"),
        plans.OrgRef("C01002", "中共东湖区新河镇委员会", "committee", "township", id=4, parent_code="C01"),
        plans.OrgRef("C01002001", "王庄村党支部", "branch", "village", id=5, parent_code="C01002"),
    ]
    return plans.OrgIndex(refs, root_code="C01", root_ancestor_names=["中共云州市委员会"])


@pytest.mark.parametrize(
    ("reference", "code"),
    [
        ("C01001001", "C01001001"),
        ("中共东湖区柳泉镇委员会", "C01001"),
        ("中共东湖区柳泉镇委员会/王庄村党支部", "C01001001"),
        ("中共东湖区新河镇委员会/王庄村党支部", "C01002001"),
        ("中共云州市东湖区委员会/中共东湖区新河镇委员会/王庄村党支部", "C01002001"),
        ("中共云州市委员会/中共云州市东湖区委员会/中共东湖区柳泉镇委员会/王庄村党支部", "C01001001"),
    ],
)
def test_an_organisation_is_found_by_code_or_by_names_from_the_top(reference, code):
    assert _index().resolve(reference).code == code


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("王庄村党支部", "“王庄村党支部”对应 2 个党组织，请改填组织编码。"),
        ("C09", "找不到“C09”：没有这个编码或名称路径的党组织，或它不在您的管理范围内。"),
        ("中共东湖区柳泉镇委员会/李集村党支部", "找不到“中共东湖区柳泉镇委员会/李集村党支部”："),
        ("中共云州市委员会", "找不到“中共云州市委员会”："),  # above the importer: not theirs
        (" / ", "请填写组织编码或名称路径。"),
    ],
)
def test_an_organisation_that_is_not_one_and_only_one_is_refused(reference, message):
    with pytest.raises(CellError) as caught:
        _index().resolve(reference)
    assert str(caught.value).startswith(message)


# ---- plans -------------------------------------------------------------------------------------


def _existing(code, name, kind, level, field, path, parent_code, pk):
    return plans.ExistingOrg(id=pk, code=code, name=name, kind=kind, level=level, field=field, path=path,
                             parent_code=parent_code, secretary_id=None, secretary_since=None)  # fmt: skip


def _plan_orgs(rows):
    existing = [
        _existing("C01", "中共云州市东湖区委员会", "committee", "county", "agency", "00010001", None, 1),
        _existing(
            "C01001", "中共东湖区柳泉镇委员会", "committee", "township", "rural", "000100010001", "C01", 2
        ),
    ]
    sheet = plans.Sheet(1, {column.key: i for i, column in enumerate(ORG_COLUMNS)}, rows)
    errors = plans.Errors()
    plan = plans.plan_orgs(sheet, ORG_COLUMNS, existing=existing, root_code="C01", codes_elsewhere=set(),
                           secretaries={}, errors=errors)  # fmt: skip
    return plan, errors


def test_new_organisations_are_planned_parents_first_whatever_the_order_of_the_file():
    rows = [
        ["C01002001001", "第一党支部", "党支部", "村社区", "农村", "C01002001", "", ""],
        ["C01002001", "新河村党总支", "党总支", "村社区", "农村", "C01002", "", ""],
        ["C01002", "中共东湖区新河镇委员会", "党委", "乡镇街道", "农村", "C01", "", ""],
        ["C01001", "中共东湖区柳泉镇委员会", "党委", "乡镇街道", "农村", "C01", "", ""],
    ]

    plan, errors = _plan_orgs(rows)

    assert not errors
    assert [change.org.code for change in plan.creates] == ["C01002", "C01002001", "C01002001001"]
    assert [change.org.parent_code for change in plan.creates] == ["C01", "C01002", "C01002001"]
    assert (plan.updates, plan.unchanged) == ([], 1)


def test_a_changed_field_is_planned_as_an_update_of_that_field_only():
    plan, errors = _plan_orgs([["C01001", "柳泉镇党委", "党委", "乡镇街道", "社区", "C01", "", ""]])

    assert not errors
    assert [(change.org.id, change.values) for change in plan.updates] == [
        (2, {"name": "柳泉镇党委", "field": "community"})
    ]


def _member_row(row, id_hash, fingerprint):
    return plans.MemberRow(row=row, id_hash=id_hash, fingerprint=fingerprint, insert=())


def _member_sheet():
    rows = [["", f"id{i}"] for i in range(6)]
    return plans.Sheet(1, {"name": 0, "id_number": 1}, rows)


def test_a_repeated_person_across_slices_is_reported_on_the_later_row():
    errors = plans.Errors()
    # slice one read rows 2 and 3, slice two rows 6 and 7; row 6 repeats row 2
    seen = [{"id0": 2, "id1": 3}, {"id0": 6, "id5": 7}]

    repeated = plans.cross_slice_duplicates(seen, sheet=_member_sheet(), spec=MEMBER_COLUMNS, errors=errors)

    assert repeated == {6}
    assert [(e.row, e.column, e.letter, e.value, e.message) for e in errors.items] == [
        (6, "身份证号", "B", "id4", "与第 2 行的身份证号重复。")
    ]


def test_members_are_created_updated_or_left_alone_and_never_taken_from_outside_the_scope():
    existing = {
        b"same": plans.ExistingMember(1, "00010001", fingerprint=7),
        b"changed": plans.ExistingMember(2, "000100010001", fingerprint=7),
        b"elsewhere": plans.ExistingMember(3, "00010002", fingerprint=7),
    }
    rows = [_member_row(2, b"new", 7), _member_row(3, b"same", 7), _member_row(4, b"changed", 8),
            _member_row(5, b"elsewhere", 7)]  # fmt: skip
    errors = plans.Errors()

    plan = plans.plan_members(rows, existing=existing, scope_path="00010001", sheet=_member_sheet(),
                              spec=MEMBER_COLUMNS, errors=errors)  # fmt: skip

    assert [row.row for row in plan.creates] == [2]
    assert [(pk, row.row) for pk, row in plan.updates] == [(2, 4)]
    assert plan.unchanged == 1
    assert [(e.row, e.message) for e in errors.items] == [
        (5, "该身份证号的党员已在您管理范围以外的党组织登记，请办理组织关系转接。")
    ]


def test_errors_are_listed_by_row_then_column():
    errors = plans.Errors()
    for row, letter in [(5, "B"), (2, "L"), (5, "A"), (2, "B")]:
        errors.add(row, MEMBER_COLUMNS[0], letter, "x" * 300, "错")

    assert [(e.row, e.letter) for e in errors.sorted()] == [(2, "B"), (2, "L"), (5, "A"), (5, "B")]
    assert errors.rows == {2, 5}
    assert {len(e.value) for e in errors.items} == {200}


# ---- the words people use: header synonyms and vocabularies ----------------------------------------

SYNONYMS = [
    (kind, key, name)
    for kind, table in HEADER_SYNONYMS.items()
    for key, names in table.items()
    for name in names
]


@pytest.mark.parametrize(("kind", "key", "name"), SYNONYMS, ids=[f"{k}-{n}" for k, _key, n in SYNONYMS])
def test_every_other_name_of_a_column_finds_that_column(kind, key, name):
    spec = SHEETS[kind][1]
    spaced = "　".join(name)  # spaces of any width inside a header are ignored

    for written in (name, spaced, f" {name}*", f"{name}（必填）", f"{name}:"):
        errors = plans.Errors()
        found = plans.read_header([written], 1, spec, errors)
        assert found == {key: 0}, written


def test_no_other_name_means_two_columns():
    for kind, table in HEADER_SYNONYMS.items():
        spec = SHEETS[kind][1]
        names = [rules.normalise_header(c.header) for c in spec] + [
            rules.normalise_header(n) for names in table.values() for n in names
        ]
        assert len(names) == len(set(names)), kind
        assert set(header_lookup(spec).values()) == {c.key for c in spec}


@pytest.mark.parametrize(
    ("key", "written", "stored"),
    [
        ("ethnicity", "汉", "汉族"),
        ("ethnicity", "维吾尔", "维吾尔族"),
        ("ethnicity", " 回 族 ", "回族"),
        ("education", "本科", "bachelor"),
        ("education", "大专", "college"),
        ("education", "初中", "junior"),
        ("education", "小学", "junior"),
        ("education", "硕士", "postgraduate"),
        ("education", "博士", "postgraduate"),
        ("education", "研究生", "postgraduate"),
        ("category", "农民", "farmer"),
        ("category", "流动党员", "mobile"),
        ("category", "退休", "retired"),
        ("status", "正式", "full"),
        ("status", "预备党员", "probationary"),
        ("gender", "男性", "M"),
        ("gender", "Ｆ", "F"),
    ],
)
def test_the_short_and_common_forms_of_a_word_are_understood(key, written, stored):
    column = next(c for c in MEMBER_COLUMNS if c.key == key)

    assert rules.parse_choice(written, column.choices) == stored


def test_every_form_in_the_vocabulary_is_taken_as_its_label():
    for column in MEMBER_COLUMNS:
        for label, forms in VOCABULARY.get(column.key, {}).items():
            for form in (label, *forms):
                assert rules.parse_choice(form, column.choices) == column.choices[label], (column.key, form)


def test_a_word_outside_the_vocabulary_is_refused_listing_only_the_labels():
    column = next(c for c in MEMBER_COLUMNS if c.key == "education")

    with pytest.raises(CellError) as caught:
        rules.parse_choice("大学", column.choices)

    assert str(caught.value) == "只能填：研究生、大学本科、大学专科、中专、高中、初中及以下。"


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        ("86-13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("(0516)88886666", "051688886666"),
        ("0516-88886666", "0516-88886666"),
    ],
)
def test_a_phone_is_read_however_it_was_spaced(written, stored):
    assert member_rules.normalise_phone(written) == stored


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("11010119900307123x", "11010119900307123X"),
        (" 1101 0119 9003 0712 3X ", "11010119900307123X"),
        ("１１０１０１１９９００３０７１２３Ｘ", "11010119900307123X"),
    ],
)
def test_an_id_number_is_read_however_it_was_typed(written, stored):
    assert member_rules.normalise_id_number(written) == stored
