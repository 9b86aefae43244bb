"""One organisation's page: where it sits (from the viewer's own organisation down), its secretary,
its member counts and its children; anything outside the viewer's subtree does not exist."""

import re

import pytest
from django.urls import reverse

from shuzhi.members.models import Member
from shuzhi.testing.factories import MemberFactory


def _rows(response):
    """The children shown, each with its subtree totals (organisations, members, probationary)."""
    return [
        (child, (child.total_organizations, child.total_members, child.total_probationary))
        for child in response.context["page"]
    ]


def _detail(org):
    return reverse("orgs:detail", args=[org.pk])


def _breadcrumbs(html):
    nav = html[html.index('<ol class="breadcrumb') : html.index("</ol>")]
    return re.findall(r'<li class="breadcrumb-item[^"]*"[^>]*>(?:<a href="[^"]*">)?([^<]+)', nav)


def _counts(html):
    block = html[html.index('data-testid="member-counts"') :]
    block = block[: block.index("</dl>")]
    return dict(re.findall(r'<dt class="col-6">([^<]+)</dt><dd class="col-6">([^<]+)</dd>', block))


def _child_rows(html):
    """(name, members in its subtree, number of children) for each row of the children table."""
    rows = re.findall(
        r'<tr><td><a href="/orgs/\d+/">([^<]+)</a></td>.*?<td class="text-end">(\d+)</td>'
        r'<td class="text-end d-none d-md-table-cell">(\d+)</td></tr>',
        html,
        flags=re.DOTALL,
    )
    return [(name, int(members), int(kids)) for name, members, kids in rows]


def test_the_breadcrumbs_start_at_the_viewers_own_organisation(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(_detail(cast.village_a))

    assert response.status_code == 200
    assert response.context["breadcrumbs"] == [cast.county_a, cast.township_a]
    html = response.content.decode()
    assert _breadcrumbs(html) == ["党组织", cast.county_a.name, cast.township_a.name, cast.village_a.name]
    assert cast.city.name not in html


def test_a_township_secretary_never_sees_the_county_above_them(client, cast):
    client.force_login(cast.township_secretary)

    html = client.get(_detail(cast.village_a2)).content.decode()

    assert _breadcrumbs(html) == ["党组织", cast.township_a.name, cast.village_a2.name]
    assert cast.county_a.name not in html
    assert cast.city.name not in html


def test_the_city_organiser_sees_the_whole_way_down(client, cast):
    client.force_login(cast.city_organiser)

    response = client.get(_detail(cast.village_a))

    assert response.context["breadcrumbs"] == [cast.city, cast.county_a, cast.township_a]


def test_the_viewers_own_organisation_has_no_ancestors_in_its_breadcrumbs(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(_detail(cast.county_a))

    assert response.context["breadcrumbs"] == []
    assert _breadcrumbs(response.content.decode()) == ["党组织", cast.county_a.name]


def test_it_shows_the_secretary_with_a_link_to_their_record_and_since_when(client, cast):
    client.force_login(cast.county_organiser)

    html = client.get(_detail(cast.township_a)).content.decode()

    secretary = html[html.index('data-testid="secretary"') :]
    secretary = secretary[: secretary.index("</dd>")]
    assert f'<a href="{reverse("members:detail", args=[cast.secretary_a.pk])}">李秀英</a>' in secretary
    assert "2021年3月任职" in secretary


def test_a_reviewer_sees_the_secretarys_name_but_no_link_to_the_record(client, cast):
    client.force_login(cast.reviewer)

    html = client.get(_detail(cast.township_a)).content.decode()

    secretary = html[html.index('data-testid="secretary"') :]
    secretary = secretary[: secretary.index("</dd>")]
    assert "李秀英" in secretary
    assert "/members/" not in secretary


def test_an_organisation_without_a_secretary_says_the_post_is_vacant(client, cast):
    client.force_login(cast.county_organiser)

    html = client.get(_detail(cast.village_a)).content.decode()

    assert '<span class="text-danger">空缺</span>' in html


@pytest.fixture
def township_member(cast):
    """A probationary member held directly by 柳泉镇党委, not by one of its villages."""
    return MemberFactory(
        name="孙立",
        organization=cast.township_a,
        status=Member.Status.PROBATIONARY,
        full_member_on=None,
    )


def test_the_member_counts_add_up_over_the_subtree(client, cast, township_member):
    client.force_login(cast.county_organiser)

    township = _counts(client.get(_detail(cast.township_a)).content.decode())
    county = _counts(client.get(_detail(cast.county_a)).content.decode())
    village = _counts(client.get(_detail(cast.village_a2)).content.decode())

    # 柳泉镇: 孙立 directly; 王建国 and 李秀英 in 王庄村, 赵晨 in 李集村; 孙立 and 赵晨 probationary
    assert township == {
        "直属党员": "1",
        "含下级党员": "4",
        "其中正式党员": "2",
        "其中预备党员": "2",
        "下级党组织": "2",
    }
    assert county == {
        "直属党员": "0",
        "含下级党员": "4",
        "其中正式党员": "2",
        "其中预备党员": "2",
        "下级党组织": "3",
    }
    assert village == {
        "直属党员": "1",
        "含下级党员": "1",
        "其中正式党员": "0",
        "其中预备党员": "1",
        "下级党组织": "0",
    }
    assert Member.objects.filter(org_path__startswith=cast.township_a.path).count() == 4


def test_the_children_table_gives_each_childs_subtree_total(client, cast, township_member):
    client.force_login(cast.city_organiser)

    city = client.get(_detail(cast.city))
    county = client.get(_detail(cast.county_a))

    assert _child_rows(city.content.decode()) == [(cast.county_a.name, 4, 1), (cast.county_b.name, 1, 1)]
    assert _rows(city)[0] == (
        cast.county_a,
        (4, 4, 2),
    )
    assert _child_rows(county.content.decode()) == [(cast.township_a.name, 4, 2)]
    assert "直属下级组织（2）" in city.content.decode()


def test_a_branch_says_it_has_no_children_and_offers_no_new_child(client, cast):
    client.force_login(cast.county_organiser)

    html = client.get(_detail(cast.village_a)).content.decode()

    assert "没有下级党组织。" in html
    assert reverse("orgs:create", args=[cast.village_a.pk]) not in html
    assert reverse("orgs:edit", args=[cast.village_a.pk]) in html


def test_an_organisation_in_the_other_county_is_not_found_for_its_organiser(client, cast):
    client.force_login(cast.outsider)

    for org in (cast.county_a, cast.township_a, cast.village_a, cast.city):
        response = client.get(_detail(org))
        assert response.status_code == 404
        assert org.name not in response.content.decode()


def test_an_organisation_outside_a_secretarys_township_is_not_found(client, cast):
    client.force_login(cast.township_secretary)

    assert client.get(_detail(cast.county_a)).status_code == 404
    assert client.get(_detail(cast.village_b)).status_code == 404
    # the same answer as for an organisation that does not exist at all
    assert client.get(reverse("orgs:detail", args=[999999])).status_code == 404
