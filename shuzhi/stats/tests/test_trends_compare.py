"""The two chart pages of the statistics: the trends across years and the organisations below side
by side, as an organiser reads them: hand-counted figures, each drilling to exactly its members,
inside the viewer's own subtree only."""

from datetime import date

import pytest
from django.urls import reverse

from shuzhi.stats.tests.fixtures import LATE

pytestmark = pytest.mark.django_db


def table_of(client, name, org, day, **extra):
    response = client.get(reverse(f"stats:{name}"), {"org": org.pk, "day": f"{day:%Y-%m-%d}", **extra})
    assert response.status_code == 200
    return response.context["table"]


def row(table, label):
    return next(r for r in table.rows if r.label == label)


def drilled(client, cell):
    names, url = [], cell.url
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.context["page"]
        names += [m.name for m in page]
        url = (reverse("stats:members") + "?" + response.context["query"] + f"&page={page.next_page_number()}"
               if page.has_next() else "")  # fmt: skip
    return sorted(names)


def values(r):
    return [c.value for c in r.cells]


def test_the_trends_count_each_year_as_it_ended(client, cast, town):
    client.force_login(cast.county_organiser)
    trends = table_of(client, "trends", town.town, LATE)
    assert [r.label for r in trends.rows] == ["2021年", "2022年", "2023年", "2024年", "2025年"]
    # total, 正式, 预备, 发展, 转正, 减少
    # end of 2024: 甲 乙 丁 (戊 still in 张楼村, 丙 and 己 not yet members)
    assert values(row(trends, "2024年")) == [3, 3, 0, 0, 0, 0]
    # 2025: 丁 died in March, 戊 moved in in May, 丙 and 己 joined
    assert values(row(trends, "2025年")) == [5, 3, 2, 2, 0, 1]
    assert drilled(client, row(trends, "2024年").cells[0]) == sorted(["甲", "乙", "丁"])
    assert drilled(client, row(trends, "2025年").cells[0]) == sorted(["甲", "乙", "丙", "戊", "己"])
    assert drilled(client, row(trends, "2025年").cells[3]) == sorted(["丙", "己"])
    assert drilled(client, row(trends, "2025年").cells[5]) == ["丁"]
    for r in trends.rows:
        for cell in r.cells:
            if cell.url:
                assert len(drilled(client, cell)) == cell.value, (r.label, cell.url)
    ten = table_of(client, "trends", town.town, LATE, years="10")
    assert len(ten.rows) == 10 and ten.rows[0].label == "2016年"
    assert len(table_of(client, "trends", town.town, LATE, years="99").rows) == 5  # a link made by hand
    # a year not yet ended says up to when it counts
    assert table_of(client, "trends", town.town, date(2025, 6, 30)).rows[-1].label == "2025年（至6月30日）"


def test_the_counties_side_by_side_drill_to_exactly_their_members(client, cast, town):
    client.force_login(cast.county_organiser)
    compared = table_of(client, "compare", cast.county_a, LATE)
    labels = [r.label for r in compared.rows]
    assert labels == ["合计", cast.township_a.name, town.town.name]
    here = row(compared, town.town.name)
    # 党员数 女 少数民族 35岁及以下 61岁及以上 大专及以上 预备 本年发展
    assert values(here) == [5, 2, 2, 3, 2, 4, 2, 2]
    assert here.cells[1].share == 40.0 and here.cells[0].share is None
    assert drilled(client, here.cells[1]) == sorted(["甲", "丙"])
    assert drilled(client, here.cells[3]) == sorted(["甲", "丙", "己"])
    assert drilled(client, here.cells[5]) == sorted(["甲", "丙", "戊", "己"])
    assert drilled(client, here.cells[4]) == sorted(["乙", "戊"])
    for r in compared.rows:
        for cell in r.cells:
            if cell.url:
                assert len(drilled(client, cell)) == cell.value, (r.label, cell.url)
    total = row(compared, "合计")
    assert values(total) == [a + b for a, b in zip(values(compared.rows[1]), values(here), strict=True)]
    # in January 戊 was still in the other county: not among 柳林镇's members, nor in its list
    early = row(table_of(client, "compare", cast.county_a, date(2025, 1, 31)), town.town.name)
    assert early.cells[0].value == 3 and drilled(client, early.cells[0]) == sorted(["甲", "乙", "丁"])


def test_the_city_compares_its_counties_and_sees_a_transfer_where_it_was(client, cast, town):
    client.force_login(cast.city_organiser)
    compared = table_of(client, "compare", cast.city, date(2025, 1, 31))
    assert [r.label for r in compared.rows] == ["合计", cast.county_a.name, cast.county_b.name]
    county_b = row(compared, cast.county_b.name)
    assert county_b.cells[0].value == 2 and drilled(client, county_b.cells[0]) == sorted(["张伟", "戊"])
    late = row(table_of(client, "compare", cast.city, LATE), cast.county_b.name)
    assert late.cells[0].value == 1


def test_a_county_organiser_sees_only_their_county(client, cast, town):
    client.force_login(cast.outsider)  # the organiser of 西山区
    for name in ("trends", "compare"):
        url = reverse(f"stats:{name}")
        assert client.get(url, {"org": town.town.pk}).status_code == 404
        assert client.get(url, {"org": cast.city.pk}).status_code == 404
        response = client.get(url)
        assert response.status_code == 200 and response.context["org"] == cast.county_b
        page = response.content.decode()
        assert cast.county_a.name not in page and town.town.name not in page
    compared = client.get(reverse("stats:compare")).context["table"]
    assert [r.label for r in compared.rows] == ["合计", cast.township_b.name]
    assert drilled(client, compared.rows[1].cells[0]) == ["张伟"]
    for who in (cast.member_user, cast.reviewer, cast.sysadmin, cast.auditor):
        client.force_login(who)
        assert client.get(reverse("stats:trends")).status_code == 403
        assert client.get(reverse("stats:compare")).status_code == 403
    client.logout()
    assert client.get(reverse("stats:compare")).status_code == 302


def test_the_statistics_page_links_to_both_and_they_draw_their_charts(client, cast, town):
    client.force_login(cast.county_organiser)
    page = client.get(reverse("stats:index")).content.decode()
    assert reverse("stats:trends") in page and reverse("stats:compare") in page
    response = client.get(reverse("stats:compare"), {"org": town.town.pk, "day": "2025-12-31"})
    charts = response.context["charts"]["charts"]
    assert [c["key"] for c in charts] == ["compare-members", "compare-shares"]
    shares = charts[1]["series"][0]
    assert shares["name"] == "女党员" and shares["data"][0]["url"].startswith(reverse("stats:members"))
    leaf = client.get(reverse("stats:compare"), {"org": town.branch_x.pk})
    assert "没有下级党组织" in leaf.content.decode()


@pytest.mark.parametrize("name", ["trends", "compare"])
def test_the_chart_pages_take_a_fixed_number_of_queries(
    client, cast, town, name, django_assert_max_num_queries
):
    client.force_login(cast.city_organiser)
    url = reverse(f"stats:{name}")
    client.get(url)  # the session's first write
    with django_assert_max_num_queries(9) as captured:
        client.get(url, {"org": town.town.pk, "day": "2025-12-31"})
    few = len(captured)
    with django_assert_max_num_queries(few):
        client.get(url, {"day": "2025-01-31", "years": "10"})  # the whole city, earlier, longer
