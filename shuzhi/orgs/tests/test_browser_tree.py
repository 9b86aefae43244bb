"""An organiser finds their way through the organisation tree in a real browser."""

import pytest
from playwright.sync_api import expect

from shuzhi.testing.browser import login

pytestmark = pytest.mark.browser


@pytest.fixture
def organiser_on_tree(live_server, page, cast):
    """The county organiser, logged in, on the 党组织 page reached from the navbar."""
    login(page, live_server, cast.county_organiser)
    page.get_by_role("navigation").get_by_role("link", name="党组织", exact=True).click()
    expect(page.get_by_role("heading", name="党组织", exact=True)).to_be_visible()
    return page


def test_an_organiser_sees_the_tree_rooted_at_their_own_organisation(live_server, organiser_on_tree, cast):
    page = organiser_on_tree

    expect(page).to_have_url(f"{live_server.url}/orgs/")
    expect(page.get_by_role("heading", name="中共云州市东湖区委员会")).to_be_visible()
    expect(page.get_by_text("本级及下级党组织 4 个，党员 3 名（其中预备党员 1 名）")).to_be_visible()
    tree = page.locator("#tree")
    expect(tree.get_by_role("link")).to_have_text(["中共东湖区柳泉镇委员会"])
    expect(page.get_by_text("中共云州市委员会")).to_have_count(0)
    expect(page.get_by_text("西山区")).to_have_count(0)


def test_expanding_a_child_loads_its_branches_by_htmx_without_leaving_the_page(
    live_server, organiser_on_tree, cast
):
    page = organiser_on_tree
    branches = page.locator(f"#kids-{cast.township_a.pk}")
    expect(branches.get_by_role("link")).to_have_count(0)

    with page.expect_response(f"{live_server.url}/orgs/{cast.township_a.pk}/children/") as answer:
        page.get_by_role("button", name="展开 中共东湖区柳泉镇委员会").click()

    expect(branches.get_by_role("link")).to_have_text(["王庄村党支部", "李集村党支部"])
    assert answer.value.request.headers.get("hx-request") == "true"
    assert answer.value.status == 200
    expect(page).to_have_url(f"{live_server.url}/orgs/")
    # a branch with no children has nothing to expand
    expect(branches.get_by_role("button")).to_have_count(0)


def test_clicking_an_organisation_opens_its_detail_with_secretary_and_member_counts(
    live_server, organiser_on_tree, cast
):
    page = organiser_on_tree

    page.locator("#tree").get_by_role("link", name="中共东湖区柳泉镇委员会").click()

    expect(page).to_have_url(f"{live_server.url}/orgs/{cast.township_a.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("中共东湖区柳泉镇委员会")
    expect(page.get_by_test_id("secretary")).to_have_text("李秀英 2021年3月任职")
    expect(page.get_by_test_id("secretary").get_by_role("link", name="李秀英")).to_have_attribute(
        "href", f"/members/{cast.secretary_a.pk}/"
    )
    counts = page.get_by_test_id("member-counts")
    expect(counts.locator("dt")).to_have_text(
        ["直属党员", "含下级党员", "其中正式党员", "其中预备党员", "下级党组织"]
    )
    expect(counts.locator("dd")).to_have_text(["0", "3", "2", "1", "2"])
    expect(page.get_by_role("table").get_by_role("link")).to_have_text(["王庄村党支部", "李集村党支部"])


def test_searching_by_name_finds_only_organisations_in_the_organisers_own_subtree(organiser_on_tree, cast):
    page = organiser_on_tree
    results = page.get_by_test_id("search-results")

    page.get_by_role("searchbox", name="搜索党组织").fill("村党支部")
    page.get_by_role("button", name="搜索").click()

    expect(page.get_by_text("“村党支部”：找到 2 个党组织。")).to_be_visible()
    expect(results.get_by_role("link")).to_have_count(2)
    expect(results.get_by_role("link").first).to_contain_text("王庄村党支部")
    expect(results.get_by_role("link").last).to_contain_text("李集村党支部")
    expect(results).not_to_contain_text("张楼村党支部")

    # the neighbouring county's village exists, but not for this organiser
    page.get_by_role("searchbox", name="搜索党组织").fill("张楼")
    page.get_by_role("button", name="搜索").click()

    expect(page.get_by_text("“张楼”：找到 0 个党组织。")).to_be_visible()
    expect(results.get_by_role("link")).to_have_count(0)
    expect(results).to_contain_text("没有找到")
