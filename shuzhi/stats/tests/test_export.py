"""The statistics as a workbook: one sheet per table, numbers as numbers, totals that add up and
match the page; the same gate as the page."""

from io import BytesIO

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shuzhi.stats.tests.fixtures import LATE

pytestmark = pytest.mark.django_db


def test_the_workbook_has_a_sheet_per_table_whose_numbers_add_up_and_match_the_page(client, cast, town):
    client.force_login(cast.county_organiser)
    query = {"org": town.town.pk, "day": f"{LATE:%Y-%m-%d}"}
    tables = client.get(reverse("stats:index"), query).context["tables"]
    response = client.get(reverse("stats:export"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = CalamineWorkbook.from_filelike(BytesIO(response.content))
    assert len(book.sheet_names) == len(tables)
    for name, table in zip(book.sheet_names, tables, strict=True):
        rows = book.get_sheet_by_name(name).to_python()
        assert (
            rows[0][0] == table.title
            and "柳林镇党委" in rows[1][0]
            and "2025-12-31" in "".join(map(str, rows[1]))
        )
        assert rows[2][1:] == table.columns
        body = rows[3 : 3 + len(table.rows)]
        for row, shown in zip(body, table.rows, strict=True):
            assert [int(v) for v in row[1:]] == [c.value for c in shown.cells]
            assert all(isinstance(v, float | int) for v in row[1:])  # numbers, not text
        if table.total_row is not None:
            total, parts = (
                body[0],
                [r for r, s in zip(body, table.rows, strict=True) if not s.total and not s.level],
            )
            for col in range(1, len(total)):
                assert total[col] == sum(r[col] for r in parts), (table.key, col)
    status = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert status[3][1:] == [5, 2, 2, 2]


def test_another_county_cannot_export_this_one(client, cast, town):
    client.force_login(cast.outsider)
    assert client.get(reverse("stats:export"), {"org": town.town.pk}).status_code == 404
    client.force_login(cast.member_user)
    assert client.get(reverse("stats:export")).status_code == 403
