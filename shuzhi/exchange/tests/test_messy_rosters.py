"""Rosters as branches really keep them, imported through the page: a title and a 填报单位 line
above the header, headers in the words people use, merged cells, dates written to the month, as
Excel day numbers and as text, short forms, spaces in names, full-width digits, 合计 and empty
rows, a repeated header, notes at the foot, a hidden sheet and a second sheet. Every valid row
goes in, every invalid row is refused with its real reason and its Excel row number, and nothing
else is refused.
"""

from datetime import date, datetime
from io import BytesIO

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuzhi.core.dates import MONTH
from shuzhi.exchange.models import ExchangeJob
from shuzhi.members.models import Member
from shuzhi.members.rules import id_check_character
from shuzhi.testing.factories import make_id_number
from shuzhi.testing.jobs import run_queued_jobs

TITLE = "中共东湖区柳泉镇王庄村支部委员会党员花名册"
HEADER = [
    "序号",
    "姓　名",
    "性 别",
    "民族",
    "公民身份号码",
    "出生年月",
    "文化程度",
    "入党时间",
    "转正时间",
    "人员类别",
    "联系电话",
    "所在党支部",
    "备注",
    "",
    "",
]
COLUMN = {name: index for index, name in enumerate(HEADER)}
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _id(birth: date, gender: str) -> str:
    return make_id_number(birth, gender)


def _id_ending_in_x(birth: date, gender: str) -> str:
    for serial in range(0, 1000, 2):
        body = f"329901{birth:%Y%m%d}{serial + (1 if gender == 'M' else 0):03d}"
        if id_check_character(body) == "X":
            return body + "X"
    raise AssertionError("no serial gives X")


def _workbook(
    rows: list[list[object]],
    *,
    merged_branch: tuple[int, int, str] | None = None,
    above: list[list[object]] | None = None,
    header: list[str] = HEADER,
) -> bytes:
    """A workbook as a branch keeps it: a hidden sheet, an instructions sheet, and the roster, whose
    cells are written as given: str as text, int/float as numbers, date as date cells, a
    ("serial", n) pair as a bare Excel day number, a ("month", date) pair as a date cell in a
    month-only format (as Excel makes of 2008-7 typed in)."""
    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    hidden = book.add_worksheet("旧名册")
    hidden.write_row(0, 0, ["姓名", "身份证号", "所在党组织"])
    hidden.write_row(1, 0, ["不该读到", "110101199003077777", "C09"])
    notes = book.add_worksheet("填表说明")
    notes.write(0, 0, "请按要求填写，身份证号设为文本格式。")
    sheet = book.add_worksheet("2024年党员花名册")
    as_date = book.add_format({"num_format": "yyyy-mm-dd"})
    as_month = book.add_format({"num_format": 'yyyy"年"m"月"'})
    sheet.merge_range(0, 0, 0, 12, TITLE, book.add_format({"bold": True, "align": "center"}))
    for offset, line in enumerate(
        above
        if above is not None
        else [["填报单位：王庄村党支部          填报人：张三    联系电话：13812345678"], []]
    ):
        sheet.write_row(1 + offset, 0, line)
    header_row = 1 + len(above if above is not None else [[], []])
    sheet.write_row(header_row, 0, header)
    for r, row in enumerate(rows, start=header_row + 1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, tuple) and value[0] == "serial":
                sheet.write_number(r, c, value[1])
            elif isinstance(value, tuple) and value[0] == "month":
                sheet.write_datetime(r, c, datetime.combine(value[1], datetime.min.time()), as_month)
            elif isinstance(value, datetime | date):
                sheet.write_datetime(r, c, value, as_date)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    if merged_branch:
        first, last, name = merged_branch
        sheet.merge_range(
            header_row + 1 + first, COLUMN["所在党支部"], header_row + 1 + last, COLUMN["所在党支部"], name
        )
    sheet.activate()
    hidden.hide()
    book.close()
    return buffer.getvalue()


def _row(
    number,
    name,
    id_number,
    *,
    gender="",
    ethnicity="汉",
    born="",
    education="本科",
    joined="2008.07",
    full="2009.07",
    category="在职",
    phone="",
    branch="王庄村党支部",
    remark="",
):
    return [
        number,
        name,
        gender,
        ethnicity,
        id_number,
        born,
        education,
        joined,
        full,
        category,
        phone,
        branch,
        remark,
    ]


ZHAO = _id(date(1966, 2, 28), "M")

# Excel rows: 1 title, 2 填报单位, 3 blank, 4 header, data from 5
# fmt: off
VALID = [
    # name with a full-width space; born written to the month; dates to the month as text
    _row(1, "王　芳", _id(date(1985, 4, 12), "F"), gender="女", born="1985.04", phone="138 1234 5678"),
    # an x in lower case, and a space after the number; dates as real date cells
    _row(2, "李 强 ", _id_ending_in_x(date(1979, 11, 3), "M").lower() + " ", gender="男", ethnicity="回",
         education="大专", joined=date(2001, 7, 1), full=date(2002, 7, 1), phone=13900001111),
    # full-width digits; dates as Excel day numbers in cells that lost their format; a farmer
    _row(3, "赵德明", ZHAO.translate(FULL_WIDTH), education="初中", joined=("serial", 33055),
         full=("serial", 33420), category="农民", phone="0516-88886666"),
    # dates as numbers Excel keeps of 1999.10 (1999.1) and 2000.10; a mobile member, retired
    _row(4, "孙丽", _id(date(1970, 6, 1), "F"), ethnicity="满", education="小学", joined=1999.1, full=2000.1,
         category="流动党员"),
    # a month typed into Excel as 2019-5 (a date cell in a month-only format); probationary (no 转正时间)
    _row(5, "周  一", _id(date(1998, 5, 20), "M"), education="硕士", joined=("month", date(2024, 5, 1)), full="",
         category="学生"),
    # dates as 2010年7月 and 201107; an ID number stored as text by a leading apostrophe
    _row(6, "吴敏", "'" + _id(date(1980, 1, 30), "F"), education="研究生", joined="2010年7月", full="201107",
         category="退休", phone="+86 13700002222"),
    # a whole date as text in Chinese, 8 digits, and a day number in a date column
    _row(7, "郑和平", _id(date(1958, 9, 9), "M"), education="高中", joined="1985年3月12日", full=19860312),
]
INVALID = [
    # Excel already turned this ID number into a rounded number: the last digits are lost
    (_row(8, "钱多", float(_id(date(1975, 3, 3), "M")[:17] + "0")), "E",
     "身份证号被 Excel 存成了数字，末几位可能已变成0。请把该列设为“文本”格式后重新填写。"),
    (_row(9, "冯错", _id(date(1975, 3, 4), "M")[:17] + ("1" if _id(date(1975, 3, 4), "M")[17] != "1" else "2")),
     "E", "身份证号校验位不正确，请核对是否有录入错误。"),
    (_row(10, "陈小", _id(date(1990, 8, 8), "M"), joined="2008.07"), "H", "入党时应年满十八岁，请核对入党日期和身份证号。"),
    (_row(11, "褚卫", _id(date(1960, 1, 1), "M"), gender="女"), "C",
     "性别与身份证号不符：身份证号第17位表示男性。身份证号校验无误，请改正性别（也可不填，按身份证号确定）。"),
    (_row(12, "卫东", _id(date(1960, 2, 2), "M"), joined="2001.07", full="2000.07"), "I", "转正日期应晚于入党日期。"),
    (_row(13, "蒋南", _id(date(1960, 3, 3), "M"), branch="前进村党支部"), "L",
     "找不到“前进村党支部”：没有这个编码或名称路径的党组织，或它不在您的管理范围内。"),
    (_row(14, "沈北", _id(date(1960, 4, 4), "M"), phone="1381234567"), "K",
     "联系电话应为11位手机号或带区号的固定电话（如 0516-12345678）。"),
]

# fmt: on


def _sheet_rows(valid, invalid):
    """The data area as kept: a blank row, the header repeated after a page break, a 合计 row
    and notes at the foot among the rows; returns (rows, Excel row of each person)."""
    rows: list[list[object]] = []
    at: dict[str, int] = {}

    def add(row):
        rows.append(row)
        if row and isinstance(row[1], str) and row[1] and row[0] not in ("序号", "合计"):
            at[row[1]] = 5 + len(rows) - 1

    for row in valid[:3]:
        add(row)
    add([])  # an empty row between people
    for row in valid[3:]:
        add(row)
    add(list(HEADER))  # the header again, where a printed page began
    for row, _letter, _message in invalid:
        add(row)
    add(["合计", "", "", "", "", "", "", "", "", "", "", "", f"共 {len(valid) + len(invalid)} 人"])
    add([])
    add(["填表人：张三", "", "", "审核人：李四"])
    return rows, at


def _import(client, user, content: bytes) -> tuple[ExchangeJob, str]:
    client.force_login(user)
    response = client.post(
        reverse("exchange:upload", args=["members"]), {"file": SimpleUploadedFile("花名册.xlsx", content)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    run_queued_jobs()
    job = ExchangeJob.objects.latest("id")
    return job, client.get(response["Location"]).content.decode()


def test_every_invalid_row_is_refused_for_its_real_reason_at_its_excel_row_and_nothing_else(client, cast):
    rows, at = _sheet_rows(VALID, INVALID)

    job, page = _import(client, cast.county_organiser, _workbook(rows, merged_branch=(0, 2, "王庄村党支部")))

    assert job.status == ExchangeJob.Status.REJECTED, job.message
    found = [(error["row"], error["letter"], error["message"]) for error in job.errors]
    expected = [(at[row[1]], letter, message) for row, letter, message in INVALID]
    assert found == expected
    assert not Member.objects.filter(name__in=["王芳", "李强"]).exists()
    assert "跳过合计行 1 行、空行 1 行、重复的表头行 1 行、表尾说明行 1 行。" in page


def test_every_valid_row_of_a_messy_roster_goes_in_as_the_person_meant_it(client, cast):
    rows, _at = _sheet_rows(VALID, [])

    job, page = _import(client, cast.county_organiser, _workbook(rows, merged_branch=(0, 2, "王庄村党支部")))

    assert (job.status, job.created_count, job.errors) == (ExchangeJob.Status.SUCCEEDED, len(VALID), []), (
        job.errors
    )
    assert job.notes == [
        "读取的是工作表“2024年党员花名册”；另有 2 个工作表未读取（其中 1 个是隐藏的）。",
        "表头在第 4 行，其上的标题和填报信息未作为数据读取。",
        "跳过合计行 1 行、空行 1 行、重复的表头行 1 行、表尾说明行 1 行。",
        "表中没有“党员状态”列：已按转正日期确定，填了转正日期的是正式党员，没填的是预备党员。",
    ]
    for note in job.notes:
        assert note in page
    people = {m.name: m for m in Member.objects.filter(organization=cast.village_a)}
    wang = people["王芳"]
    assert (wang.gender, wang.ethnicity, wang.education, wang.birth_date) == (
        "F",
        "汉族",
        "bachelor",
        date(1985, 4, 12),
    )
    assert (wang.joined_on, wang.joined_on_precision) == (date(2008, 7, 1), MONTH)
    assert (str(wang.joined), str(wang.full_member)) == ("2008-07-01", "2009-07-01")
    assert (wang.phone, wang.status, wang.category) == ("13812345678", "full", "employed")
    li = people["李强"]
    assert (li.id_number, li.ethnicity, li.education, li.joined_on_precision) == (
        _id_ending_in_x(date(1979, 11, 3), "M"),
        "回族",
        "college",
        "day",
    )
    assert li.phone == "13900001111"
    zhao = people["赵德明"]
    assert (zhao.id_number, zhao.joined_on, zhao.full_member_on) == (ZHAO, date(1990, 7, 1), date(1991, 7, 1))
    assert (zhao.education, zhao.category, zhao.phone) == ("junior", "farmer", "0516-88886666")
    sun = people["孙丽"]
    assert (sun.joined_on, sun.full_member_on, sun.full_member_on_precision) == (
        date(1999, 10, 1),
        date(2000, 10, 1),
        MONTH,
    )
    assert (sun.ethnicity, sun.education, sun.category) == ("满族", "junior", "mobile")
    zhou = people["周一"]
    assert (zhou.status, zhou.full_member_on, zhou.education, zhou.category) == (
        "probationary",
        None,
        "postgraduate",
        "student",
    )
    assert (zhou.joined_on, zhou.joined_on_precision) == (date(2024, 5, 1), MONTH)
    wu = people["吴敏"]
    assert (wu.joined_on_precision, wu.full_member_on, wu.category, wu.phone) == (
        MONTH,
        date(2011, 7, 1),
        "retired",
        "13700002222",
    )
    zheng = people["郑和平"]
    assert (zheng.joined_on, zheng.full_member_on, zheng.joined_on_precision) == (
        date(1985, 3, 12),
        date(1986, 3, 12),
        "day",
    )
    assert "不该读到" not in {m.name for m in Member.objects.all()}


def test_a_roster_without_a_branch_column_takes_the_branch_of_its_filling_in_line(client, cast):
    header = [name for name in HEADER if name != "所在党支部"]
    rows = [[cell for index, cell in enumerate(row) if index != COLUMN["所在党支部"]] for row in VALID[:2]]

    job, page = _import(client, cast.county_organiser, _workbook(rows, header=header))

    assert (job.status, job.created_count) == (ExchangeJob.Status.SUCCEEDED, 2), job.errors
    assert set(Member.objects.filter(name__in=["王芳", "李强"]).values_list("organization", flat=True)) == {
        cast.village_a.pk
    }
    assert "表中没有“所在党组织”列：全部党员按“王庄村党支部”登记（取自表头上方的填报单位）。" in page


def test_a_sheet_whose_header_cannot_be_found_says_so_in_chinese(client, cast):
    rows = [["某某村党员情况统计", "", ""], ["一共", 12, "人"]]

    job, _page = _import(
        client, cast.county_organiser, _workbook(rows, header=["项目", "数量", "单位"], above=[])
    )

    assert job.status == ExchangeJob.Status.REJECTED
    assert job.message == (
        "在工作表“2024年党员花名册”的前 12 行中没有找到表头：表头行应有“姓名”、“身份证号”、“性别”等列名。请检查是否选错了文件。"
    )


@pytest.mark.parametrize("name", ["王 芳", "王　芳", "王芳", "王"])
def test_the_member_search_finds_a_name_however_it_was_spaced(client, cast, name):
    rows, _at = _sheet_rows(VALID[:1], [])
    _import(client, cast.county_organiser, _workbook(rows))

    page = client.get(reverse("members:list"), {"name": name}).content.decode()

    assert ">王芳<" in page


def test_the_import_page_shows_the_column_names_and_words_the_import_understands(client, cast):
    client.force_login(cast.county_organiser)

    page = client.get(reverse("exchange:index")).content.decode()

    assert 'data-testid="vocabulary"' in page
    for shown in ("公民身份号码", "出生年月", "文化程度", "入党时间", "转正时间", "所在党支部", "联系电话",
                  "大学本科（本科、", "大学专科（大专、", "初中及以下（初中、初中毕业、小学", "农牧渔民（农民、",
                  "流动（流动党员", "只知年月的写 2021.07、2021-7", "没有这一列时按转正日期确定"):  # fmt: skip
        assert shown in page, shown
