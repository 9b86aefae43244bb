from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.models import Notification
from shuzhi.core.roles import Role
from shuzhi.cycles.models import Cycle
from shuzhi.reports.models import Report
from shuzhi.testing.cycles import county_cycle, fill, township_report
from shuzhi.testing.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_organiser_sets_up_a_cycle_from_the_form(client, cast):
    client.force_login(cast.county_organiser)
    today = timezone.localdate()
    page = client.get(reverse("cycles:create"))
    assert page.status_code == 200 and "现场测评 40" in page.content.decode()
    form = {
        "year": today.year, "title": "东湖区述职评议", "groups": "乡镇街道\n区直机关",
        "report_due": (today + timedelta(days=7)).isoformat(), "meeting_on": (today + timedelta(days=9)).isoformat(),
        "components": "现场测评 50\n日常考核 50", "points_good": 100, "points_fair_good": 85, "points_fair": 70,
        "points_poor": 50, "line_good": 90, "line_fair_good": 80, "line_fair": 70, "good_quota_percent": "",
        "missing_component": "zero", "ballot_component": "现场测评", "class_weights": "区委常委 60\n其他 40",
        "committee_class": "区委常委", "item_blend_percent": 0, "tie_break": "score,good_rate", "group_quotas": "区直机关 20",
        "bonus_cap": 3, "deduction_cap": 6, "vetoes": "受到问责 差\n核心指标未完成 封顶 一般",
    }  # fmt: skip
    bad = client.post(reverse("cycles:create"), {**form, "components": "现场测评 50\n日常考核 40"})
    assert "各考核项目的权重之和应为 100，现在是 90。" in bad.content.decode()
    bad = client.post(
        reverse("cycles:create"),
        {**form, "class_weights": "区委常委 60\n其他 30", "vetoes": "问责 清零 不存在的项"},
    )
    assert "各类投票人的权重之和应为 100，现在是 90。" in bad.content.decode()
    assert not Cycle.objects.exists()
    response = client.post(reverse("cycles:create"), form)
    cycle = Cycle.objects.get()
    assert response.status_code == 302 and response.url == reverse("cycles:detail", args=[cycle.pk])
    assert cycle.groups == ["乡镇街道", "区直机关"]
    assert cycle.scheme["components"] == [
        {"name": "现场测评", "weight": 50, "source": "ballots"}, {"name": "日常考核", "weight": 50, "source": "entered"},
    ]  # fmt: skip
    assert cycle.scheme["class_weights"] == {"区委常委": 60, "*": 40} and cycle.scheme["group_quotas"] == {
        "区直机关": 20
    }
    assert cycle.scheme["vetoes"] == {
        "受到问责": {"effect": "poor"},
        "核心指标未完成": {"effect": "cap", "grade": "一般"},
    }
    assert cycle.scheme["good_quota_percent"] is None and cycle.scheme["missing_component"] == "zero"

    add = client.get(reverse("cycles:reporters_add", args=[cycle.pk]))
    assert cast.township_a.name in add.content.decode() and cast.township_b.name not in add.content.decode()
    response = client.post(
        reverse("cycles:reporters_add", args=[cycle.pk]),
        {"organizations": [cast.township_a.pk], "group": "乡镇街道", "mode": "written"},
    )
    assert response.status_code == 302
    # a unit without a secretary account is added too, marked so (test_units_without_account)
    added = client.post(
        reverse("cycles:reporters_add", args=[cycle.pk]),
        {"organizations": [cast.village_a.pk], "group": "乡镇街道", "mode": "onsite"},
    )
    assert added.status_code == 302
    assert (
        'data-testid="no-account"' in client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    )
    client.post(reverse("cycles:advance", args=[cycle.pk]))
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.REPORTS_OPEN
    assert Notification.objects.filter(
        recipient=cast.township_secretary, text__contains="开始撰写述职报告"
    ).exists()


def test_a_frozen_cycle_edit_form_changes_only_the_dates(client, cast):
    cycle = county_cycle(cast)
    client.force_login(cast.county_organiser)
    page = client.get(reverse("cycles:edit", args=[cycle.pk])).content.decode()
    assert "已锁定" in page
    later = cycle.meeting_on + timedelta(days=2)
    data = {"report_due": cycle.report_due.isoformat(), "meeting_on": later.isoformat(), "title": "想偷偷改名",
            "groups": "别的", "components": "甲 100"}  # fmt: skip
    assert client.post(reverse("cycles:edit", args=[cycle.pk]), data).status_code == 302
    cycle.refresh_from_db()
    assert (
        cycle.meeting_on == later and cycle.title != "想偷偷改名" and cycle.groups == ["乡镇街道", "区直机关"]
    )


def test_reopen_page_requires_a_reason(client, cast):
    cycle = county_cycle(cast)
    client.force_login(cast.county_organiser)
    response = client.post(reverse("cycles:reopen", args=[cycle.pk]), {"reason": ""})
    assert response.status_code == 200 and Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.REPORTS_OPEN
    client.post(reverse("cycles:reopen", args=[cycle.pk]), {"reason": "增加述职单位"})
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.DRAFT


def test_the_rollup_shows_the_city_every_cycle_below_and_a_county_only_its_own(client, cast):
    county = county_cycle(cast)
    fill(township_report(county, cast), cast.township_secretary)
    client.force_login(cast.city_organiser)
    page = client.get(reverse("cycles:index")).content.decode()
    assert county.title in page
    client.force_login(cast.outsider)
    assert county.title not in client.get(reverse("cycles:index")).content.decode()
    assert client.get(reverse("cycles:detail", args=[county.pk])).status_code == 404
    assert client.post(reverse("cycles:advance", args=[county.pk])).status_code == 404


def test_the_city_sees_the_county_cycle_but_cannot_change_it(client, cast):
    county = county_cycle(cast)
    client.force_login(cast.city_organiser)
    page = client.get(reverse("cycles:detail", args=[county.pk])).content.decode()
    assert cast.township_a.name in page and "周期设置" not in page
    for name in ("advance", "remind"):
        assert client.post(reverse(f"cycles:{name}", args=[county.pk])).status_code == 403
    assert client.get(reverse("cycles:edit", args=[county.pk])).status_code == 403
    assert Cycle.objects.get(pk=county.pk).status == Cycle.Status.REPORTS_OPEN


@pytest.mark.parametrize("role", ["secretary", "member", "sysadmin", "auditor"])
def test_roles_without_cycles_are_refused(client, cast, role):
    user = {"secretary": cast.township_secretary, "member": cast.member_user, "sysadmin": cast.sysadmin,
            "auditor": cast.auditor}[role]  # fmt: skip
    client.force_login(user)
    assert client.get(reverse("cycles:index")).status_code == 403
    assert client.get(reverse("cycles:create")).status_code == 403


def test_a_reviewer_sees_cycles_but_cannot_create_one(client, cast):
    county_cycle(cast)
    client.force_login(cast.reviewer)
    assert client.get(reverse("cycles:index")).status_code == 200
    assert client.get(reverse("cycles:create")).status_code == 403


def test_wrong_methods_are_refused(client, cast):
    cycle = county_cycle(cast)
    client.force_login(cast.county_organiser)
    assert client.get(reverse("cycles:advance", args=[cycle.pk])).status_code == 405
    assert client.get(reverse("cycles:remind", args=[cycle.pk])).status_code == 405
    assert client.post(reverse("cycles:detail", args=[cycle.pk])).status_code == 405


def test_late_reporters_are_flagged_and_reminded_in_one_click(client, cast):
    cycle = county_cycle(cast)
    Cycle.objects.filter(pk=cycle.pk).update(report_due=timezone.localdate() - timedelta(days=1))
    client.force_login(cast.county_organiser)
    page = client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    assert "逾期" in page and "还有 1 份报告未提交" in page
    assert "逾期" in client.get(reverse("cycles:detail", args=[cycle.pk]), {"late": "on"}).content.decode()
    response = client.post(reverse("cycles:remind", args=[cycle.pk]), follow=True)
    assert "已提醒 1 位书记" in response.content.decode()
    notice = Notification.objects.get(recipient=cast.township_secretary, text__contains="超过截止日期")
    assert notice.link == reverse("reports:mine")


def test_the_cycle_page_filters_by_group_and_status_with_a_fixed_query_count(
    client, cast, django_assert_num_queries
):
    cycle = county_cycle(cast, open_reports=False)
    from shuzhi.cycles.services import cycle_advance, reporters_add

    units = [OrganizationFactory(name=f"第{i}社区党委", kind="committee", level="village", field="community", parent=cast.township_a)
             for i in range(12)]  # fmt: skip
    for unit in units:
        UserFactory(role=Role.SECRETARY, organization=unit)
    reporters_add(
        actor=cast.county_organiser, cycle=cycle, organizations=units, group="区直机关", mode="written"
    )
    cycle_advance(actor=cast.county_organiser, cycle=cycle)
    client.force_login(cast.county_organiser)
    url = reverse("cycles:detail", args=[cycle.pk])
    client.get(url)  # warm the session and policy caches
    # session, user, cycle, summary, reporters page
    with django_assert_num_queries(5):
        page = client.get(url)
    assert page.content.decode().count('class="badge status-not_started"') == 13
    only = client.get(url, {"group": "乡镇街道"}).content.decode()
    assert cast.township_a.name in only and "第3社区党委" not in only
    fill(township_report(cycle, cast), cast.township_secretary)
    drafts = client.get(url, {"status": Report.Status.DRAFT}).content.decode()
    assert drafts.count('class="badge status-draft"') == 1 and "第3社区党委" not in drafts


def test_the_form_names_the_platforms_fact_sources_and_keeps_them_round_trip(client, cast):
    client.force_login(cast.county_organiser)
    today = timezone.localdate()
    page = client.get(reverse("cycles:create")).content.decode()
    assert 'data-testid="fact-sources"' in page and "整改按期完成率" in page
    assert "年度内受到问责 差 来源 年度内受到问责" in page  # the default veto is found from the data
    form = {
        "year": today.year, "title": "东湖区述职评议", "groups": "乡镇街道",
        "report_due": (today + timedelta(days=7)).isoformat(), "meeting_on": (today + timedelta(days=9)).isoformat(),
        "components": "现场测评 50\n日常考核 50 整改按期完成率", "points_good": 100, "points_fair_good": 85,
        "points_fair": 70, "points_poor": 50, "line_good": 90, "line_fair_good": 80, "line_fair": 70,
        "good_quota_percent": "", "missing_component": "reweight", "ballot_component": "现场测评",
        "class_weights": "其他 100", "committee_class": "", "item_blend_percent": 0, "tie_break": "score,good_rate",
        "group_quotas": "", "bonus_cap": 3, "deduction_cap": 6,
        "vetoes": "年度内受到问责 差 来源 年度内受到问责\n整改不力 封顶 一般 来源 整改按期完成率 低于 60",
    }  # fmt: skip
    bad = client.post(reverse("cycles:create"), {**form, "components": "现场测评 50\n日常考核 50 凭印象"})
    assert "没有名为“凭印象”的计分数据来源" in bad.content.decode() and "凭印象" in bad.content.decode()
    assert not Cycle.objects.exists()
    assert client.post(reverse("cycles:create"), form).status_code == 302
    cycle = Cycle.objects.get()
    assert cycle.scheme["components"][1] == {
        "name": "日常考核", "weight": 50, "source": "fact", "fact": "rectification.on_time_rate"
    }  # fmt: skip
    assert cycle.scheme["vetoes"]["整改不力"]["below"] == 60
    edit = client.get(reverse("cycles:edit", args=[cycle.pk])).content.decode()
    assert "日常考核 50 整改按期完成率" in edit and "整改不力 封顶 一般 来源 整改按期完成率 低于 60" in edit
