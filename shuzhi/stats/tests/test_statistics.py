"""The statistics page, as an organiser reads it: hand-counted figures, dates, drill-downs, scope."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from shuzhi.members.models import Member
from shuzhi.stats import rules
from shuzhi.stats.tests.fixtures import EARLY, LATE

pytestmark = pytest.mark.django_db


def page(client, org, day):
    response = client.get(reverse("stats:index"), {"org": org.pk, "day": f"{day:%Y-%m-%d}"})
    assert response.status_code == 200
    return {t.key: t for t in response.context["tables"]}


def figure(table, row_label, column=0):
    row = next(r for r in table.rows if r.label == row_label)
    return row.cells[column]


def drilled(client, cell):
    names, url = [], cell.url
    while url:
        response = client.get(url)
        assert response.status_code == 200
        names += [m.name for m in response.context["page"]]
        p = response.context["page"]
        url = (reverse("stats:members") + "?" + response.context["query"] + f"&page={p.next_page_number()}"
               if p.has_next() else "")  # fmt: skip
    return sorted(names)


def test_the_figures_at_the_end_of_the_year_are_the_hand_counted_ones(client, cast, town):
    client.force_login(cast.county_organiser)
    tables = page(client, town.town, LATE)
    status = tables["status"]
    # 甲 乙 丙 戊 己 (丁 died in March); women 甲 丙; minorities 乙 丙; probationary 丙 己
    assert [c.value for c in status.total_row.cells] == [5, 2, 2, 2]
    assert figure(status, "正式党员").value == 3 and figure(status, "预备党员").value == 2
    age = tables["age"]
    assert figure(age, "30岁及以下").value == 2 and figure(age, "31～35岁").value == 1
    assert figure(age, "31～35岁", 1).value == 1  # 甲, 35 on the day, a woman
    assert figure(age, "61岁及以上").value == 2 and figure(age, "41～45岁").value == 0
    ethnicity = tables["ethnicity"]
    assert figure(ethnicity, "汉族").value == 3 and figure(ethnicity, "少数民族").value == 2
    assert figure(ethnicity, "回族").value == 1 and figure(ethnicity, "壮族").value == 1
    period = tables["period"]
    assert figure(period, "党的十八大以来").value == 3
    assert figure(period, "党的十一届三中全会后至党的十八大前").value == 1  # 戊
    assert figure(period, "新中国成立后至党的十一届三中全会前").value == 1  # 乙
    assert figure(tables["education"], "大学本科").value == 3  # 甲 戊 己
    assert figure(tables["category"], "学生").value == 1
    assert figure(tables["growth"], "发展党员").value == 2  # 丙 己
    assert figure(tables["left"], "死亡").value == 1 and tables["left"].total_row.cells[0].value == 1
    orgs = tables["orgs"]
    assert [c.value for c in orgs.total_row.cells][:1] == [3]
    assert figure(orgs, "农村", 1).value == 1 and figure(orgs, "农村", 5).value == 2  # 党委, 党支部
    for table in tables.values():
        assert rules.adds_up(table), table.key


def test_a_member_who_left_or_moved_in_later_counts_before_not_after(client, cast, town):
    client.force_login(cast.city_organiser)
    early = page(client, town.town, EARLY)
    # in January: 甲 乙 丁 (丁 left in March; 戊 was still in 张楼村, 丙 and 己 not yet members)
    assert drilled(client, early["status"].total_row.cells[0]) == sorted(["甲", "乙", "丁"])
    assert early["status"].total_row.cells[0].value == 3
    late = page(client, town.town, LATE)
    assert drilled(client, late["status"].total_row.cells[0]) == sorted(["甲", "乙", "丙", "戊", "己"])
    # the county 戊 came from: him and 张伟 in January, 张伟 alone in December
    assert page(client, cast.county_b, EARLY)["status"].total_row.cells[0].value == 2
    assert page(client, cast.county_b, LATE)["status"].total_row.cells[0].value == 1


def test_every_drill_down_lists_exactly_the_members_of_its_figure(client, cast, town):
    client.force_login(cast.county_organiser)
    tables = page(client, town.town, LATE)
    checked = 0
    for table in tables.values():
        if table.kind != "members":
            continue
        for row in table.rows:
            for cell in row.cells:
                if cell.url:
                    assert len(drilled(client, cell)) == cell.value, (table.key, row.label)
                    checked += 1
    assert checked > 30
    assert drilled(client, figure(tables["age"], "31～35岁", 1)) == ["甲"]
    assert drilled(client, figure(tables["left"], "死亡")) == ["丁"]
    response = client.get(figure(tables["age"], "31～35岁", 1).url)
    assert "31～35岁" in response.content.decode() and "女" in response.context["words"]
    count = client.get(reverse("stats:members_count") + "?" + response.context["query"])
    assert count.context["count"] == 1 and "共 1 人" in count.content.decode()
    everyone = tables["status"].total_row.cells[0]
    assert client.get(everyone.url.replace("/members/", "/members/count/")).context["count"] == 5


def test_organisation_figures_drill_down_to_the_organisations(client, cast, town):
    client.force_login(cast.county_organiser)
    tables = page(client, town.town, LATE)
    response = client.get(figure(tables["orgs"], "农村", 5).url)
    assert sorted(o.name for o in response.context["page"]) == ["东村党支部", "西村党支部"]


def test_the_default_day_is_the_end_of_this_year_and_a_wrong_day_is_explained(client, cast, town):
    client.force_login(cast.county_organiser)
    response = client.get(reverse("stats:index"))
    today = date.today()
    assert response.context["day"] == date(today.year, 12, 31) and response.context["org"] == cast.county_a
    assert f'value="{today.year}-12-31"' in response.content.decode()
    response = client.get(reverse("stats:index"), {"day": "1900-01-01"})
    assert response.status_code == 200 and "统计日期应在" in response.content.decode()


def test_the_page_takes_a_fixed_number_of_queries(client, cast, town, django_assert_max_num_queries):
    client.force_login(cast.city_organiser)
    client.get(reverse("stats:index"))  # the session's first write
    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("stats:index"), {"org": town.town.pk, "day": "2025-12-31"})
    few = len(captured)
    with django_assert_max_num_queries(few):
        client.get(reverse("stats:index"), {"day": "2025-01-31"})  # the whole city, earlier


@pytest.mark.parametrize("name", ["index", "members", "members_count", "orgs", "export", "checks"])
def test_another_county_gets_404_and_a_member_403(client, cast, town, name):
    client.force_login(cast.outsider)
    url = reverse(f"stats:{name}")
    assert client.get(url, {"org": town.town.pk}).status_code == 404
    assert client.get(url, {"org": town.branch_x.pk, "band": "31_35"}).status_code == 404
    assert client.get(url).status_code == 200  # their own county
    for who in (cast.member_user, cast.reviewer, cast.sysadmin, cast.auditor):
        client.force_login(who)
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_the_outsider_sees_nothing_of_the_other_county_in_their_own_figures(client, cast, town):
    client.force_login(cast.outsider)
    tables = page(client, cast.county_b, LATE)
    assert drilled(client, tables["status"].total_row.cells[0]) == ["张伟"]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_pages_only_read(client, cast, method):
    client.force_login(cast.city_organiser)
    assert getattr(client, method)(reverse("stats:index")).status_code == 405


def test_the_checks_count_what_does_not_add_up_and_link_to_the_lists(client, cast, town):
    client.force_login(cast.county_organiser)
    response = client.get(reverse("stats:checks"), {"org": town.town.pk})
    found = {c.key: c for c in response.context["checks"]}
    # 东村: 甲 乙 丙(预备) left after 丁 died → 2 full; 西村: 戊 己(预备) → 1 full
    assert found["small_branch"].count == 2
    assert sorted(o.name for o in client.get(found["small_branch"].url).context["page"]) == [
        "东村党支部",
        "西村党支部",
    ]
    limit = date.today() - timedelta(days=366)
    overdue = [n for n, d in (("丙", date(2025, 6, 1)), ("己", date(2025, 9, 1))) if d < limit]
    assert found["overdue_probation"].count == len(overdue)
    if overdue:
        assert sorted(m.name for m in client.get(found["overdue_probation"].url).context["page"]) == sorted(
            overdue
        )
    assert found["large_branch"].count == 0 and found["no_education"].count == 0


def test_an_ethnicity_outside_the_list_counts_as_other_and_lists_its_members(client, cast, town):
    """An import's 穿青人 or a blank (not one of the 56) used to end the page on a ValueError."""
    Member.objects.filter(pk=town.people["甲"].pk).update(ethnicity="穿青人")
    Member.objects.filter(pk=town.people["戊"].pk).update(ethnicity="")
    client.force_login(cast.county_organiser)
    tables = page(client, town.town, LATE)
    ethnicity = tables["ethnicity"]
    assert figure(ethnicity, "其他/未列").value == 2
    assert figure(ethnicity, "少数民族").value == 4 and figure(ethnicity, "汉族").value == 1
    assert rules.adds_up(ethnicity)
    assert drilled(client, figure(ethnicity, "其他/未列")) == sorted(["甲", "戊"])
    response = client.get(figure(ethnicity, "其他/未列").url)
    assert "其他/未列" in response.content.decode()
