"""The organisation tree: rooted at the user's own organisation, searchable, a page of children at
a time (the htmx children partial), and never a glimpse of the neighbouring county."""

import pytest
from django.urls import reverse

from shuzhi.testing.factories import MemberFactory, OrganizationFactory

TREE = "/orgs/"
NEIGHBOUR_NAMES = ("西山区", "大庙镇", "张楼村")


def _rows(response):
    """The children shown, each with its subtree totals (organisations, members, probationary)."""
    return [
        (child, (child.total_organizations, child.total_members, child.total_probationary))
        for child in response.context["page"]
    ]


def _children_url(org, page=None):
    url = reverse("orgs:children", args=[org.pk])
    return f"{url}?page={page}" if page else url


def _search_results(response):
    """The results block of a search page (the search box above it echoes the query)."""
    html = response.content.decode()
    return html[html.index('data-testid="search-results"') :]


def _listed(response):
    return [child.name for child, _totals in _rows(response)]


def test_the_tree_starts_at_a_county_organisers_own_county_with_its_totals(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(TREE)

    assert response.status_code == 200
    assert response.context["root"] == cast.county_a
    html = response.content.decode()
    # 东湖区委, 柳泉镇, 王庄村, 李集村; 王建国, 李秀英 and the probationary 赵晨
    assert "本级及下级党组织 4 个，党员 3 名（其中预备党员 1 名）" in html
    assert _rows(response) == [(cast.township_a, (3, 3, 1))]
    assert "党员 3 · 下级 2" in html
    assert f'data-testid="expand-{cast.township_a.code}"' in html
    assert cast.city.name not in html


def test_the_city_organiser_sees_both_counties_under_the_city(client, cast):
    client.force_login(cast.city_organiser)

    response = client.get(TREE)

    assert response.context["root"] == cast.city
    assert "本级及下级党组织 8 个，党员 4 名（其中预备党员 1 名）" in response.content.decode()
    assert _rows(response) == [
        (cast.county_a, (4, 3, 1)),
        (cast.county_b, (3, 1, 0)),
    ]


def test_a_county_organiser_never_sees_the_neighbouring_county(client, cast):
    client.force_login(cast.county_organiser)

    html = client.get(TREE).content.decode()
    searches = [client.get(TREE, {"q": q}) for q in ("张楼村党支部", "西山", "C02", "大庙")]

    for name in NEIGHBOUR_NAMES:
        assert name not in html
    for response in searches:
        assert response.context["page"].paginator.count == 0
        results = _search_results(response)
        assert "没有找到" in results
        for name in NEIGHBOUR_NAMES:
            assert name not in results


def test_a_search_for_a_word_both_counties_share_finds_only_the_users_own(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(TREE, {"q": "中共"})

    # the city (中共云州市委员会) is above the county organiser, 西山区 and 大庙镇 beside it
    assert [org for org, _names in response.context["rows"]] == [cast.county_a, cast.township_a]
    assert "找到 2 个党组织" in response.content.decode()


def test_it_finds_organisations_by_a_fragment_of_their_name_with_their_place(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(TREE, {"q": "村党支部"})

    ancestry = [cast.county_a.name, cast.township_a.name]
    assert response.context["rows"] == [(cast.village_a, ancestry), (cast.village_a2, ancestry)]
    html = response.content.decode()
    assert f"{cast.county_a.name} › {cast.township_a.name}" in html
    assert cast.city.name not in html


def test_it_finds_organisations_by_the_start_of_their_code_in_any_case(client, cast):
    client.force_login(cast.city_organiser)

    by_prefix = client.get(TREE, {"q": "c01001"})
    by_middle = client.get(TREE, {"q": "01001"})

    assert [org for org, _ in by_prefix.context["rows"]] == [cast.township_a, cast.village_a, cast.village_a2]
    assert by_middle.context["page"].paginator.count == 0


def test_a_search_result_page_keeps_the_query_in_its_page_links(client, cast):
    for n in range(31):
        OrganizationFactory(parent=cast.township_a, name=f"新村{n:02d}党支部&联合", code=f"N{n:03d}")
    client.force_login(cast.county_organiser)

    first = client.get(TREE, {"q": "党支部&联合"})

    assert first.context["page"].paginator.count == 31
    assert len(first.context["rows"]) == 30
    html = first.content.decode()
    assert "q=%E5%85%9A%E6%94%AF%E9%83%A8%26%E8%81%94%E5%90%88&amp;page=2" in html
    second = client.get(TREE + "?q=%E5%85%9A%E6%94%AF%E9%83%A8%26%E8%81%94%E5%90%88&page=2")
    assert [org.code for org, _ in second.context["rows"]] == ["N030"]


def test_the_children_partial_is_the_next_level_of_one_node(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(_children_url(cast.township_a))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert _rows(response) == [
        (cast.village_a, (1, 2, 0)),
        (cast.village_a2, (1, 1, 1)),
    ]
    assert "党员 2" in html and "党员 1" in html
    # branches have no children, so nothing to expand and no more to load
    assert "expand-" not in html
    assert "加载更多" not in html


def test_the_children_partial_of_a_node_outside_the_subtree_is_not_found(client, cast):
    client.force_login(cast.county_organiser)
    assert client.get(_children_url(cast.township_b)).status_code == 404
    assert client.get(_children_url(cast.city)).status_code == 404

    client.force_login(cast.township_secretary)
    assert client.get(_children_url(cast.county_a)).status_code == 404


@pytest.fixture
def crowded_township(cast, add_villages):
    """柳泉镇 with 55 villages: its two own and 53 more."""
    return add_villages(cast.township_a, 53)


def test_the_children_partial_loads_fifty_at_a_time_and_offers_the_rest(client, cast, crowded_township):
    client.force_login(cast.county_organiser)

    first = client.get(_children_url(cast.township_a))
    second = client.get(_children_url(cast.township_a, page=2))

    first_html = first.content.decode()
    assert len(_rows(first)) == 50
    assert "已显示 50 / 55，加载更多" in first_html
    assert f'hx-get="{_children_url(cast.township_a)}?page=2"' in first_html
    assert f'id="more-{cast.township_a.pk}-2"' in first_html
    assert _listed(second) == ["第51村党支部", "第52村党支部", "第53村党支部", "第54村党支部", "第55村党支部"]
    assert "加载更多" not in second.content.decode()
    assert "第51村党支部" not in first_html


def test_the_tree_page_pages_the_roots_children(client, cast, crowded_township):
    client.force_login(cast.township_secretary)

    first = client.get(TREE)
    second = client.get(TREE, {"page": 2})

    assert first.context["root"] == cast.township_a
    assert _listed(first)[:2] == [cast.village_a.name, cast.village_a2.name]
    assert len(_rows(first)) == 50
    assert "1 / 2" in first.content.decode()
    assert _listed(second) == ["第51村党支部", "第52村党支部", "第53村党支部", "第54村党支部", "第55村党支部"]
    assert "2 / 2" in second.content.decode()
    assert "共 55 条" in second.content.decode()


@pytest.fixture(params=[3, 30], ids=["3-children", "30-children"])
def township_with_children(request, cast, add_villages):
    """柳泉镇 with 3 or 30 children; some with members, one with a village of its own."""
    villages = add_villages(cast.township_a, request.param - 2)
    MemberFactory(organization=villages[0])
    OrganizationFactory(parent=villages[-1], name="下属村民小组党支部", code="SUB001")
    return cast.township_a


# session, user with organisation, the page of children (their count is numchild and every
# subtree total is on the rows); the session is not written again
TREE_QUERIES = 3
# as the tree, with the node's own row
CHILDREN_QUERIES = 4
# as the children partial, with the breadcrumbs (柳泉镇 seen from 东湖区)
DETAIL_QUERIES = 5


def test_the_tree_page_takes_the_same_queries_whatever_the_number_of_children(
    client, cast, township_with_children, django_assert_num_queries
):
    client.force_login(cast.township_secretary)
    client.get(TREE)  # warm the cached security policy

    with django_assert_num_queries(TREE_QUERIES):
        response = client.get(TREE)

    township_with_children.refresh_from_db()
    assert len(_rows(response)) == township_with_children.numchild


def test_the_children_partial_takes_the_same_queries_whatever_the_number_of_children(
    client, cast, township_with_children, django_assert_num_queries
):
    client.force_login(cast.county_organiser)
    client.get(TREE)

    with django_assert_num_queries(CHILDREN_QUERIES):
        response = client.get(_children_url(township_with_children))

    township_with_children.refresh_from_db()
    assert len(_rows(response)) == township_with_children.numchild


def test_the_detail_page_takes_the_same_queries_whatever_the_number_of_children(
    client, cast, township_with_children, django_assert_num_queries
):
    client.force_login(cast.county_organiser)
    client.get(TREE)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(reverse("orgs:detail", args=[township_with_children.pk]))

    township_with_children.refresh_from_db()
    assert len(_rows(response)) == township_with_children.numchild
