"""A unit's results across the years: last year's cycle made a year ago, this year's now; the
township's secretary changed in between, and the new one reported last year for a village."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from shuzhi.accounts.models import User
from shuzhi.core.roles import Role
from shuzhi.cycles.models import Cycle
from shuzhi.cycles.services import cycle_advance, reporters_add
from shuzhi.scoring.services import assessment_compute, assessment_publish, component_score_set
from shuzhi.testing.cycles import county_cycle
from shuzhi.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _assess(cast, cycle: Cycle, scores: dict[int, tuple[str, str]], *, publish: bool = True) -> None:
    """Move the cycle to 考核评定, enter 日常考核 and 重点任务 per unit, compute and publish (with
    no quota of 好: the groups here are too small for the default 30% to allow one)."""
    Cycle.objects.filter(pk=cycle.pk).update(scheme={**cycle.scheme, "good_quota_percent": None})
    cycle.refresh_from_db()
    while cycle.status != Cycle.Status.ASSESSING:
        cycle = cycle_advance(actor=cast.county_organiser, cycle=cycle)
    for reporter in cycle.reporters.all():
        daily, tasks = scores[reporter.organization_id]
        component_score_set(actor=cast.county_organiser, reporter=reporter, component="日常考核", score=daily)
        component_score_set(actor=cast.county_organiser, reporter=reporter, component="重点任务", score=tasks)
    assessment_compute(actor=cast.county_organiser, cycle=cycle)
    if publish:
        assessment_publish(actor=cast.county_organiser, cycle=cycle, objection_days=0)


@pytest.fixture
def two_years(cast):
    """Last year: 柳泉镇 (李秀英) 83.33 较好 and 李集村 (周明) 95 好. This year 周明 leads 柳泉镇: 94.67 好."""
    last_year = timezone.localdate().year - 1
    zhou = UserFactory(role=Role.SECRETARY, organization=cast.village_a2, full_name="周明")
    with time_machine.travel(timezone.now() - timedelta(days=365), tick=False):
        cycle = county_cycle(cast, year=last_year, open_reports=False)
        reporters_add(actor=cast.county_organiser, cycle=cycle, organizations=[cast.village_a2],
                      group="乡镇街道", mode="written")  # fmt: skip
        _assess(cast, cycle, {cast.township_a.pk: ("85", "80"), cast.village_a2.pk: ("95", "95")})
    User.objects.filter(pk=cast.township_secretary.pk).update(is_active=False)
    User.objects.filter(pk=zhou.pk).update(organization=cast.township_a)
    _assess(cast, county_cycle(cast), {cast.township_a.pk: ("96", "92")})
    return zhou


def test_the_history_page_shows_the_units_results_and_its_secretaries_across_years(
    cast, client, two_years, django_assert_num_queries
):
    year = timezone.localdate().year
    client.force_login(cast.county_organiser)
    url = reverse("scoring:history", args=[cast.township_a.pk])
    # session and user; the organisation; the unit's results; the secretaries' results; the
    # session's expiry moved on (savepoint, update, release): however many years there are
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.year, r.secretary, str(r.score), r.grade, r.rank, r.group_size) for r in rows] == [
        (year - 1, "李秀英", "83.33", "较好", 2, 2),
        (year, "周明", "94.67", "好", 1, 1),
    ]
    assert [(name, [(r.year, r.unit) for r in srows]) for name, srows in response.context["secretaries"]] == [
        ("周明", [(year - 1, cast.village_a2.name), (year, cast.township_a.name)]),
        ("李秀英", [(year - 1, cast.township_a.name)]),
    ]
    page = response.content.decode()
    assert f"东湖区{year - 1}年度抓基层党建工作述职评议考核" in page and 'id="history-chart"' in page
    chart = json.loads(
        page.split('<script id="history-data" type="application/json">')[1].split("</script>")[0]
    )
    assert chart["years"] == [f"{year - 1}年", f"{year}年"]
    unit, secretary = chart["series"]  # 李秀英 only ever reported for this unit: no line of her own
    assert unit["name"] == cast.township_a.name and [p["grade"] for p in unit["points"]] == ["较好", "好"]
    assert secretary["name"] == "周明（书记）" and [p["score"] for p in secretary["points"]] == [95.0, 94.67]
    assert "vendor/echarts-6.1.0/echarts.min." in page and "js/history." in page


def test_results_not_yet_published_stay_off_the_history(cast, client):
    _assess(cast, county_cycle(cast), {cast.township_a.pk: ("90", "90")}, publish=False)
    client.force_login(cast.county_organiser)
    response = client.get(reverse("scoring:history", args=[cast.township_a.pk]))
    assert response.context["rows"] == [] and "history-chart" not in response.content.decode()
    assert "还没有已公布的考核结果。" in response.content.decode()


def test_the_history_is_404_outside_the_viewers_subtree_and_403_without_the_right_role(
    cast, client, two_years
):
    url = reverse("scoring:history", args=[cast.township_a.pk])
    client.force_login(cast.outsider)  # the neighbouring county
    assert client.get(url).status_code == 404
    for user in (cast.member_user, cast.sysadmin, cast.auditor):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(cast.city_organiser)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_a_secretary_sees_their_units_history_and_links_only_to_their_own_results(cast, client, two_years):
    client.force_login(two_years)  # 周明, now at 柳泉镇
    response = client.get(reverse("scoring:history", args=[cast.township_a.pk]))
    assert response.status_code == 200
    assert [r.linked for r in response.context["rows"]] == [False, True]
    client.force_login(two_years)
    assert client.get(reverse("scoring:history", args=[cast.county_a.pk])).status_code == 404


@pytest.mark.browser
def test_the_chart_is_drawn_from_the_page_alone_with_no_console_errors(live_server, browser, cast, two_years):
    from playwright.sync_api import expect

    from shuzhi.testing.browser import login, watch

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    seen = watch(page, live_server)
    login(page, live_server, cast.county_organiser)
    page.goto(f"{live_server.url}{reverse('scoring:history', args=[cast.township_a.pk])}")
    chart = page.get_by_test_id("history-chart")
    expect(chart.locator("canvas, svg").first).to_be_attached()
    assert chart.bounding_box()["height"] >= 300
    # point at this year's mark, so that the tooltip is drawn as well
    x, y = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById("history-chart"))
                 .convertToPixel({seriesIndex: 0}, [1, 94.67])"""
    )
    box = chart.bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("unit-history")).to_contain_text("周明")
    assert seen.problems == []
    assert seen.foreign_requests == []
    assert any("echarts.min." in url for url in seen.requests) and any(
        "history." in url for url in seen.requests
    )
    context.close()
