import io
from datetime import date, timedelta

import docx
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shuzhi.core.roles import Role
from shuzhi.rectification import documents, rules
from shuzhi.rectification.models import Item, QuarterlyCheck
from shuzhi.rectification.services import check_record, items_generate
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.rectification import published_cycle

pytestmark = pytest.mark.django_db

URL = reverse("rectification:supervision")
DOCX_URL = reverse("rectification:supervision_docx")
XLSX_URL = reverse("rectification:supervision_xlsx")


@pytest.fixture
def cycle(cast):
    cycle = published_cycle(cast)
    items_generate(actor=cast.county_organiser, cycle=cycle)
    return cycle


def _items(org) -> list[Item]:
    return list(Item.objects.filter(organization=org).order_by("id"))


def _item(cycle, org, title: str, **fields) -> Item:
    """An item of a unit outside the county cycle (the neighbouring county's own rectification)."""
    fields.setdefault("deadline", timezone.localdate() + timedelta(days=30))
    return Item.objects.create(cycle=cycle, organization=org, org_path=org.path, title=title, **fields)


def _supervisor(org):
    return UserFactory(role=Role.SUPERVISOR, organization=org)


def test_the_supervisor_sees_the_subtrees_board_and_records_a_check_of_an_item(
    client, cast, cycle, django_assert_num_queries
):
    _item(cycle, cast.township_b, "西山区大庙镇的整改事项")  # the neighbouring county
    client.force_login(_supervisor(cast.county_a))
    client.get(URL)
    # session, user, the board's count, page and units, the quarter's checks
    with django_assert_num_queries(6):
        page = client.get(URL).content.decode()
    board = page.split('data-testid="board"')[1].split("</table>")[0]
    assert cast.township_a.name in board and cast.township_b.name not in board
    assert f"org={cast.township_a.pk}#check" in board
    quarter = rules.quarter_of(timezone.localdate())
    assert documents.quarter_label(quarter) in page and "本季度还没有督查记录" in page

    # the unit's row offers its items
    chosen = client.get(URL, {"org": cast.township_a.pk}).content.decode()
    assert f'value="{cast.township_a.code}"' in chosen
    items = _items(cast.township_a)
    assert all(f'value="{item.pk}"' in chosen for item in items)
    response = client.post(URL, {"quarter": quarter, "unit": cast.township_a.code, "item": items[0].pk,
                                 "rating": "poor", "note": "后备干部库仅建成 1 个村，进展滞后"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"{URL}?quarter={quarter}"
    check = QuarterlyCheck.objects.get()
    assert (check.quarter, check.organization, check.item, check.rating) == (
        quarter, cast.township_a, items[0], "poor"
    )  # fmt: skip
    client.post(
        URL, {"quarter": quarter, "unit": cast.township_a.name, "rating": "fair", "note": "整体推进基本正常"}
    )
    unit_check = QuarterlyCheck.objects.get(item__isnull=True)
    assert unit_check.organization == cast.township_a and unit_check.rating == "fair"
    checks = client.get(URL).content.decode().split('data-testid="checks"')[1]
    assert "后备干部库仅建成 1 个村" in checks and "整个单位" in checks and "进展滞后" in checks


def test_a_check_is_refused_with_a_reason_and_nothing_saved(client, cast, cycle):
    other = _item(cycle, cast.township_b, "西山区大庙镇的整改事项")
    client.force_login(_supervisor(cast.county_a))
    own = _items(cast.township_a)[0]
    good = {"unit": cast.township_a.code, "item": own.pk, "rating": "good", "note": "已完成摸底"}
    refusals = [
        ({"unit": "不存在的单位"}, "本单位及下级党组织中没有“不存在的单位”"),
        ({"unit": cast.township_b.code, "item": ""}, f"本单位及下级党组织中没有“{cast.township_b.code}”"),
        ({"unit": "村党支部", "item": ""}, "“村党支部”对应多个党组织"),
        ({"item": other.pk}, "所选整改事项不属于该单位"),
        ({"note": " "}, "请填写督查意见"),
        ({"rating": ""}, "请选择评价"),
    ]
    for change, message in refusals:
        response = client.post(URL, {**good, **change})
        assert response.status_code == 200 and message in response.content.decode(), message
    lookup = client.post(URL, {"unit": "不存在的单位", "action": "lookup"}).content.decode()
    assert "本单位及下级党组织中没有" in lookup
    assert not QuarterlyCheck.objects.exists()
    future = client.post(URL, {**good, "quarter": "2999Q1"})  # a quarter to come is the current one
    assert future.status_code == 302
    assert QuarterlyCheck.objects.get().quarter == rules.quarter_of(timezone.localdate())


def test_only_the_supervision_office_reaches_supervision_and_wrong_methods_are_refused(client, cast, cycle):
    for user in (cast.county_organiser, cast.city_organiser, cast.township_secretary, cast.member_user):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert (
            client.post(URL, {"unit": cast.township_a.code, "rating": "good", "note": "x"}).status_code == 403
        )
        assert client.get(DOCX_URL).status_code == 403
        assert client.get(XLSX_URL).status_code == 403
    assert not QuarterlyCheck.objects.exists()
    client.force_login(_supervisor(cast.county_a))
    assert client.put(URL).status_code == 405
    assert client.post(DOCX_URL).status_code == 405
    assert client.post(XLSX_URL).status_code == 405


def test_the_quarterly_report_has_every_unit_with_items_and_the_check_notes_in_word_and_excel(
    client, cast, cycle
):
    supervisor = _supervisor(cast.city)
    today = timezone.localdate()
    quarter = rules.quarter_of(today)
    _item(cycle, cast.township_b, "大庙镇逾期事项", status=Item.Status.OVERDUE)
    _item(
        cycle,
        cast.township_b,
        "大庙镇已销号事项",
        status=Item.Status.CLOSED,
        progress=100,
        closed_at=timezone.now(),
    )
    _item(
        cycle,
        cast.village_b,
        "张楼村上年已销号事项",
        status=Item.Status.CLOSED,
        progress=100,
        closed_at=timezone.now() - timedelta(days=400),
    )  # closed before the quarter: not under way in it
    first = _items(cast.township_a)[0]
    check_record(
        actor=supervisor, organization=cast.township_a, item=first, rating="poor", note="后备干部库进展滞后"
    )
    check_record(
        actor=supervisor, organization=cast.township_b, item=None, rating="good", note="大庙镇整体推进较好"
    )
    check_record(
        actor=supervisor, organization=cast.village_a2, item=None, rating="fair", note="李集村尚未建立台账"
    )
    check_record(actor=supervisor, organization=cast.township_a, item=None, rating="good", note="上一季度的意见",
                 quarter="2000Q1")  # fmt: skip
    client.force_login(supervisor)

    response = client.get(DOCX_URL, {"quarter": quarter})
    assert response.status_code == 200 and ".docx" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    table = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert table[0] == ["序号", "单位", "事项", "已销号", "逾期", "平均进度", "督查评价"]
    assert table[1:] == [
        ["1", cast.township_a.name, "3", "0", "0", "0%", "进展滞后 1"],
        ["2", cast.village_a2.name, "0", "0", "0", "0%", "基本正常 1"],
        ["3", cast.township_b.name, "2", "1", "1", "50%", "进展良好 1"],
    ]
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert f"{documents.quarter_label(quarter)}整改落实情况督查报告" in text and cast.city.name in text
    assert f"【{first.title}】进展滞后：后备干部库进展滞后" in text
    assert "良好：大庙镇整体推进较好" in text and "李集村尚未建立台账" in text
    assert "上一季度的意见" not in text and "张楼村" not in text
    assert "共有2个单位的5项整改事项在推进，其中已销号1项，逾期1项，平均进度20%。本季度督查3个单位" in text

    response = client.get(XLSX_URL, {"quarter": quarter})
    assert response.status_code == 200 and ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "单位",
        "组织编码",
        "整改事项",
        "已销号",
        "逾期",
        "平均进度(%)",
        "督查评价",
        "督查意见",
    ]
    assert [row[:7] for row in rows[1:]] == [
        [cast.township_a.name, cast.township_a.code, 3, 0, 0, 0, "进展滞后 1"],
        [cast.village_a2.name, cast.village_a2.code, 0, 0, 0, 0, "基本正常 1"],
        [cast.township_b.name, cast.township_b.code, 2, 1, 1, 50, "进展良好 1"],
    ]
    assert "后备干部库进展滞后" in rows[1][7] and rows[3][7] == "进展良好：大庙镇整体推进较好"

    past = client.get(XLSX_URL, {"quarter": "2000Q1"})  # an earlier quarter: only what was under way then
    rows = list(load_workbook(io.BytesIO(past.content)).worksheets[0].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [cast.township_a.name] and "上一季度的意见" in rows[1][7]


def test_quarters():
    assert documents.quarter_bounds("2026Q4") == (date(2026, 10, 1), date(2027, 1, 1))
    assert documents.quarter_bounds("2026Q1") == (date(2026, 1, 1), date(2026, 4, 1))
    assert documents.quarter_label("2026Q3") == "2026年第三季度"
    assert documents.recent_quarters(date(2026, 2, 1), 3) == ["2026Q1", "2025Q4", "2025Q3"]
    with pytest.raises(ValueError):
        documents.quarter_bounds("2026Q5")
