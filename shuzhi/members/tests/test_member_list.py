"""The member list: each filter, the organisation picker, pages of 20, and nobody outside the
viewer's subtree, however the query string is written."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from shuzhi.members.models import Member
from shuzhi.testing.cast import build_cast
from shuzhi.testing.factories import MemberFactory, OrganizationFactory

LIST = reverse("members:list")
COUNTY_A_NAMES = {"王建国", "李秀英", "赵晨"}
NOTHING_LISTED = "没有符合条件的党员。"
NO_SUCH_ORG = "您管理的范围内没有与所填名称或编码相符的党组织。"


def _names(response) -> list[str]:
    """The names in the member table, in the order shown."""
    html = response.content.decode()
    table = html[html.index('data-testid="member-table"') : html.index("</table>")]
    return re.findall(r'<td><a href="/members/\d+/">([^<]+)</a></td>', table)


def _branch(parent, name="测试村党支部", code="C01001090"):
    return OrganizationFactory(parent=parent, name=name, code=code)


def test_a_county_organiser_lists_only_the_members_of_their_county(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(LIST)

    assert response.status_code == 200
    assert sorted(_names(response)) == sorted(COUNTY_A_NAMES)
    assert "张伟" not in response.content.decode()


def test_a_township_secretary_lists_only_their_township(client, cast):
    MemberFactory(name="孙立", organization=cast.county_a)  # held by the county itself, above the township
    client.force_login(cast.county_organiser)
    county = client.get(LIST)
    client.force_login(cast.township_secretary)
    township = client.get(LIST)

    assert sorted(_names(county)) == sorted(COUNTY_A_NAMES | {"孙立"})
    assert sorted(_names(township)) == sorted(COUNTY_A_NAMES)
    assert "孙立" not in township.content.decode()


def test_a_members_list_is_their_own_record(client, cast):
    client.force_login(cast.member_user)

    response = client.get(LIST, {"status": "full"})

    assert response.status_code == 302
    assert response["Location"] == reverse("members:me")
    record = client.get(response["Location"])
    assert record.context["member"] == cast.member_a
    assert "李秀英" not in record.content.decode()


def test_an_organiser_of_the_other_county_cannot_filter_into_it_by_id(client, cast):
    client.force_login(cast.outsider)

    for org in (cast.county_a, cast.village_a, cast.city):
        response = client.get(LIST, {"org": org.pk})
        html = response.content.decode()
        assert _names(response) == []
        assert NO_SUCH_ORG in html
        assert NOTHING_LISTED in html
        for name in COUNTY_A_NAMES:
            assert name not in html
        assert org.name not in html


def test_an_organiser_of_the_other_county_cannot_filter_into_it_by_name_or_code(client, cast):
    client.force_login(cast.outsider)

    by_name = client.get(LIST, {"org_q": "王庄村党支部"})
    by_code = client.get(LIST, {"org_q": "C01"})

    for response in (by_name, by_code):
        assert _names(response) == []
        assert response.context["candidates"] == []
        assert NO_SUCH_ORG in response.content.decode()
    assert _names(client.get(LIST)) == ["张伟"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "probationary"}, {"赵晨"}),
        ({"status": "full"}, {"王建国", "李秀英", "张伟"}),
        ({"category": "farmer"}, {"王建国"}),
        ({"category": "student"}, {"赵晨"}),
        ({"category": "retired"}, set()),
        ({"education": "bachelor"}, {"李秀英", "张伟"}),
        ({"education": "postgraduate"}, {"赵晨"}),
        ({"education": "high_school"}, {"王建国"}),
        ({"gender": "F"}, {"李秀英"}),
        ({"gender": "M"}, {"王建国", "赵晨", "张伟"}),
        ({"name": "王"}, {"王建国"}),
        ({"name": "秀英"}, {"李秀英"}),
        ({"name": " 张伟 "}, {"张伟"}),
        ({"status": "full", "gender": "M"}, {"王建国", "张伟"}),
        ({"status": "full", "gender": "M", "org": "county_b"}, {"张伟"}),
    ],
    ids=lambda value: "&".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else "",
)
def test_each_filter_narrows_the_list(client, cast, query, expected):
    if "org" in query:
        query = {**query, "org": getattr(cast, query["org"]).pk}
    client.force_login(cast.city_organiser)

    response = client.get(LIST, query)

    assert set(_names(response)) == expected
    assert len(_names(response)) == len(expected)


def test_an_unknown_choice_is_an_invalid_filter_and_lists_nobody(client, cast):
    client.force_login(cast.city_organiser)

    response = client.get(LIST, {"status": "expelled"})

    assert _names(response) == []
    assert "status" in response.context["form"].errors


def test_an_age_range_with_the_minimum_above_the_maximum_lists_nobody(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(LIST, {"min_age": 50, "max_age": 30})

    html = response.content.decode()
    assert response.context["form"].errors["max_age"] == ["年龄上限不能小于下限。"]
    assert "年龄上限不能小于下限。" in html
    assert NOTHING_LISTED in html
    assert _names(response) == []


# Five people born around 1 March: ages are counted from the birthday, 29 February included.
BIRTHS = {
    "孙甲": date(1985, 3, 1),
    "孙乙": date(1985, 3, 2),
    "孙丙": date(1984, 3, 1),
    "孙丁": date(1984, 3, 2),
    "孙戊": date(1984, 2, 29),
}


@pytest.fixture
def travel(db):
    """Build the cast and the five people on the given day, and stay on it for the test."""

    def go(day: date):
        moment = datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        stops.append(traveller.stop)
        cast = build_cast()
        branch = _branch(cast.township_a)
        for name, born in BIRTHS.items():
            MemberFactory(name=name, organization=branch, birth_date=born)
        return cast, branch

    stops: list = []
    yield go
    for stop in stops:
        stop()


@pytest.mark.parametrize(
    ("day", "query", "expected"),
    [
        # 1 March 2025: 孙甲 40 today, 孙乙 39 until tomorrow, 孙丙 41 today, 孙丁 40 until tomorrow,
        # 孙戊 (29 Feb 1984) had their 41st birthday once 28 February was over
        (date(2025, 3, 1), {"min_age": 40, "max_age": 40}, {"孙甲", "孙丁"}),
        (date(2025, 3, 1), {"min_age": 41}, {"孙丙", "孙戊"}),
        (date(2025, 3, 1), {"max_age": 39}, {"孙乙"}),
        (date(2025, 3, 1), {"min_age": 39, "max_age": 41}, set(BIRTHS)),
        # 28 February 2025: nobody born in March has had their birthday, 孙戊 not yet either
        (date(2025, 2, 28), {"min_age": 40, "max_age": 40}, {"孙丙", "孙丁", "孙戊"}),
        (date(2025, 2, 28), {"max_age": 39}, {"孙甲", "孙乙"}),
        # 29 February 2024: 孙戊's real birthday, 40; the March births are a year younger
        (date(2024, 2, 29), {"min_age": 40, "max_age": 40}, {"孙戊"}),
        (date(2024, 2, 29), {"min_age": 39, "max_age": 39}, {"孙丙", "孙丁"}),
        (date(2024, 2, 29), {"max_age": 38}, {"孙甲", "孙乙"}),
    ],
)
def test_the_age_range_counts_whole_years_from_each_birthday(client, travel, day, query, expected):
    cast, branch = travel(day)
    client.force_login(cast.county_organiser)

    response = client.get(LIST, {"org": branch.pk, **query})

    assert set(_names(response)) == expected
    for name in expected:
        member = Member.objects.get(name=name)
        assert query.get("min_age", 0) <= member.age <= query.get("max_age", 130)


def test_choosing_an_organisation_by_id_lists_its_subtree(client, cast):
    client.force_login(cast.county_organiser)

    village = client.get(LIST, {"org": cast.village_a2.pk})
    township = client.get(LIST, {"org": cast.township_a.pk})

    assert _names(village) == ["赵晨"]
    assert "范围：李集村党支部及其下级组织" in village.content.decode()
    assert sorted(_names(township)) == sorted(COUNTY_A_NAMES)


def test_a_name_fragment_that_matches_one_organisation_chooses_it(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(LIST, {"org_q": "李集"})

    assert response.context["organization"] == cast.village_a2
    assert _names(response) == ["赵晨"]
    assert "范围：李集村党支部及其下级组织" in response.content.decode()


def test_an_exact_code_chooses_its_organisation(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(LIST, {"org_q": "C01001001"})

    assert response.context["organization"] == cast.village_a
    assert sorted(_names(response)) == ["李秀英", "王建国"]


def test_a_fragment_that_matches_several_organisations_offers_them_and_lists_nobody(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(LIST, {"org_q": "村党支部"})

    assert response.context["candidates"] == [cast.village_a, cast.village_a2]
    html = response.content.decode()
    candidates = html[html.index('data-testid="org-candidates"') :]
    candidates = candidates[: candidates.index("</div>")]
    assert f'<a href="?org={cast.village_a.pk}">王庄村党支部</a>' in candidates
    assert f'<a href="?org={cast.village_a2.pk}">李集村党支部</a>' in candidates
    assert "张楼村党支部" not in html
    assert _names(response) == []
    assert NOTHING_LISTED in html


def test_two_organisations_with_the_same_name_are_both_offered(client, cast):
    other_township = OrganizationFactory(
        parent=cast.county_a, name="中共东湖区石桥镇委员会", code="C01002", kind="committee", level="township"
    )
    first = _branch(cast.township_a, name="新村党支部", code="C01001090")
    second = _branch(other_township, name="新村党支部", code="C01002001")
    MemberFactory(name="钱一", organization=first)
    MemberFactory(name="钱二", organization=second)
    client.force_login(cast.county_organiser)

    response = client.get(LIST, {"org_q": "新村党支部"})

    assert response.context["organization"] is None
    assert response.context["candidates"] == [first, second]
    assert _names(response) == []


def test_a_name_that_matches_nothing_warns_and_lists_nobody(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(LIST, {"org_q": "不存在的党组织"})

    html = response.content.decode()
    assert NO_SUCH_ORG in html
    assert NOTHING_LISTED in html
    assert _names(response) == []


@pytest.fixture
def branch_of_25(cast):
    branch = _branch(cast.township_a)
    for n in range(25):
        MemberFactory(name=f"周{n:02d}", organization=branch)
    return branch


def test_twenty_five_members_are_two_pages_of_twenty_and_five(client, cast, branch_of_25):
    client.force_login(cast.county_organiser)

    first = client.get(LIST, {"org": branch_of_25.pk})
    html = first.content.decode()
    next_link = re.search(r'href="\?([^"]*page=2)" rel="next"', html).group(1).replace("&amp;", "&")
    second = client.get(f"{LIST}?{next_link}")

    assert len(_names(first)) == 20
    assert "1 / 2" in html and "共 25 条" in html
    assert f"org={branch_of_25.pk}" in next_link
    assert len(_names(second)) == 5
    assert "2 / 2" in second.content.decode()
    assert sorted(_names(first) + _names(second)) == [f"周{n:02d}" for n in range(25)]
    assert Member.objects.filter(organization=branch_of_25).count() == 25


def test_a_page_past_the_end_shows_the_last_page(client, cast, branch_of_25):
    client.force_login(cast.county_organiser)

    response = client.get(LIST, {"org": branch_of_25.pk, "page": 9})

    assert len(_names(response)) == 5


# session, user, the chosen organisation, the page of members with their organisations (one row
# more than shown: no count, its total comes apart); the session is not written again
LIST_QUERIES = 4


@pytest.mark.parametrize("count", [3, 20])
def test_the_list_takes_the_same_queries_whatever_the_number_of_members_shown(
    client, cast, count, django_assert_num_queries
):
    branch = _branch(cast.township_a)
    for n in range(count):
        MemberFactory(name=f"吴{n:02d}", organization=branch)
    client.force_login(cast.county_organiser)
    client.get(LIST)  # warm the cached security policy

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST, {"org": branch.pk, "status": "full"})

    assert len(_names(response)) == count


def test_a_whole_id_number_finds_its_member_by_post_and_never_in_an_address(client, cast):
    client.force_login(cast.county_organiser)
    number = cast.secretary_a.id_number
    response = client.post(reverse("members:find"), {"id_number": number.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[cast.secretary_a.pk])
    assert number not in response["Location"] and number.lower() not in response["Location"]
    page = client.get(reverse("members:list")).content.decode()
    assert 'method="post" action="/members/find/"' in page.replace(reverse("members:find"), "/members/find/")
    assert 'name="id_number"' not in page.split('data-testid="member-find"')[0]  # not in the GET form


def test_a_partial_id_number_or_one_outside_the_subtree_finds_nobody_and_keeps_the_typing(client, cast):
    client.force_login(cast.county_organiser)
    for number in (cast.secretary_a.id_number[:10], cast.member_b.id_number):
        response = client.post(reverse("members:find"), {"id_number": number})
        assert response.status_code == 200
        form = response.context["find_form"]
        assert form.errors["id_number"]
        assert f'value="{number}"' in response.content.decode()
        assert "没有这个身份证号" in response.content.decode() or "18" in response.content.decode()


def test_an_id_number_in_an_address_is_not_used(client, cast):
    client.force_login(cast.county_organiser)
    response = client.get(
        reverse("members:list"), {"id_number": cast.secretary_a.id_number, "status": "full"}
    )
    assert len(list(response.context["page"])) > 1
    assert cast.secretary_a.id_number not in response.content.decode()


def test_a_member_cannot_search_by_id_number(client, cast):
    client.force_login(cast.member_user)
    assert client.post(reverse("members:find"), {"id_number": cast.member_a.id_number}).status_code == 403


# ---- the total of a filtered list, fetched apart --------------------------------------------------

COUNT = reverse("members:count")


def test_a_filtered_list_shows_its_rows_at_once_and_fetches_its_total_apart(client, cast):
    client.force_login(cast.county_organiser)

    page = client.get(LIST, {"status": "full"}).content.decode()
    count = client.get(COUNT, {"status": "full"})

    assert 'data-testid="uncounted-pages"' in page and 'hx-get="/members/count/?status=full"' in page
    assert count.status_code == 200
    assert "共 2 人" in count.content.decode()  # 王建国, 李秀英; 赵晨 is probationary


def test_the_total_is_counted_within_the_viewers_subtree_only(client, cast):
    client.force_login(cast.outsider)

    assert "共 1 人" in client.get(COUNT, {"status": "full"}).content.decode()  # 张伟 alone
    assert "共 0 人" in client.get(COUNT, {"org": cast.village_a.pk}).content.decode()


def test_a_member_may_not_count_the_list(client, cast):
    client.force_login(cast.member_user)

    assert client.get(COUNT).status_code == 403


def test_the_total_takes_only_get(client, cast):
    client.force_login(cast.county_organiser)

    assert client.post(COUNT, {"status": "full"}).status_code == 405


def test_the_total_takes_the_same_queries_whatever_the_number_of_members(
    client, cast, django_assert_num_queries
):
    client.force_login(cast.county_organiser)
    client.get(COUNT)

    with django_assert_num_queries(3):  # session, user, the count
        client.get(COUNT, {"status": "full", "min_age": 18})


def test_a_filtered_list_pages_forward_and_back_without_counting(client, cast):
    branch = _branch(cast.township_a)
    for n in range(25):
        MemberFactory(name=f"吴{n:02d}", organization=branch)
    client.force_login(cast.county_organiser)

    first = client.get(LIST, {"org": branch.pk, "status": "full"})
    second = client.get(LIST, {"org": branch.pk, "status": "full", "page": 2})

    assert len(_names(first)) == 20 and len(_names(second)) == 5
    assert 'rel="next"' in first.content.decode() and 'rel="next"' not in second.content.decode()
    assert 'rel="prev"' in second.content.decode()
    assert len(_names(client.get(LIST, {"org": branch.pk, "status": "full", "page": "x"}))) == 20
