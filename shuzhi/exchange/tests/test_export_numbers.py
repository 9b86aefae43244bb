"""Numbers in every .xlsx export are numbers: Excel sums and sorts scores, ranks and counts;
codes stay text. Each export is opened with calamine, which reports each cell's type."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shuzhi.core.roles import Role
from shuzhi.exchange.sheets import Column
from shuzhi.exchange.workbook import write_table
from shuzhi.rectification.services import items_generate
from shuzhi.scoring.services import component_scores_set, entered_components
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.meetings import tallied_cycle
from shuzhi.testing.rectification import published_cycle

pytestmark = pytest.mark.django_db

NUMBER = (int, float)


def _rows(content: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(0).to_python(skip_empty_area=False)


def _column(rows, header):
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def test_write_table_writes_numbers_as_numbers_and_codes_as_text():
    buffer = io.BytesIO()
    columns = [
        Column("code", "组织编码"),
        Column("rank", "排名"),
        Column("score", "得分"),
        Column("ok", "是否"),
    ]
    write_table(
        buffer,
        title="表",
        columns=columns,
        rows=[("1001", 1, Decimal("92.50"), "是"), ("0002", 2, 88.0, "否")],
    )
    rows = _rows(buffer.getvalue())
    assert _column(rows, "组织编码") == ["1001", "0002"]
    assert _column(rows, "排名") == [1, 2] and all(isinstance(v, NUMBER) for v in _column(rows, "排名"))
    assert _column(rows, "得分") == [92.5, 88.0] and all(isinstance(v, float) for v in _column(rows, "得分"))
    assert _column(rows, "是否") == ["是", "否"]


def test_a_true_or_false_is_not_written_as_a_number():
    buffer = io.BytesIO()
    write_table(buffer, title="表", columns=[Column("flag", "标记")], rows=[(True,)])
    assert _column(_rows(buffer.getvalue()), "标记") == ["True"]


@pytest.fixture
def cycle(cast):
    return published_cycle(cast)


def test_the_results_export_has_numeric_ranks_and_scores(client, cast, cycle):
    client.force_login(cast.county_organiser)
    response = client.get(reverse("scoring:results_xlsx", args=[cycle.pk]))
    rows = _rows(response.content)
    assert len(rows) == 4
    assert all(isinstance(v, NUMBER) for v in _column(rows, "组内排名"))
    assert all(isinstance(v, float) and 0 <= v <= 100 for v in _column(rows, "综合得分"))
    assert all(isinstance(v, str) for v in _column(rows, "述职单位"))


def test_the_cadre_export_has_numeric_scores(client, cast, cycle):
    client.force_login(cast.county_organiser)
    rows = _rows(client.get(reverse("scoring:cadre_xlsx", args=[cycle.pk])).content)
    scores = [row[3] for row in rows[1:]]
    assert scores and all(isinstance(v, float) for v in scores)


def test_the_scores_template_keeps_entered_scores_as_numbers_and_codes_as_text(client, cast):
    cycle, _meeting = tallied_cycle(cast)
    reporter = cycle.reporters.get(organization=cast.township_a)
    components = entered_components(cycle)
    if not components:
        pytest.skip("the cycle's scheme enters no component")
    component_scores_set(
        actor=cast.county_organiser, reporter=reporter, scores={components[0]: Decimal("87.5")}
    )
    client.force_login(cast.county_organiser)
    rows = _rows(client.get(reverse("scoring:template", args=[cycle.pk])).content)
    assert all(isinstance(v, str) for v in _column(rows, "组织编码"))
    assert 87.5 in _column(rows, components[0])


def test_the_supervision_export_has_numeric_counts(client, cast, cycle):
    items_generate(actor=cast.county_organiser, cycle=cycle)
    supervisor = UserFactory(role=Role.SUPERVISOR, organization=cast.city)
    client.force_login(supervisor)
    rows = _rows(client.get(reverse("rectification:supervision_xlsx")).content)
    assert len(rows) > 1
    for header in ("整改事项", "已销号", "逾期", "平均进度(%)"):
        assert all(isinstance(v, NUMBER) for v in _column(rows, header)), header
    assert all(isinstance(v, str) for v in _column(rows, "组织编码"))
