"""The rules as data, set on a page: the frequencies, by the organiser of the top organisation
only, audited, the running year judged again; bad input named in Chinese, kept as typed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.models import AuditEvent
from shuzhi.records.models import Completion, Requirement
from shuzhi.records.services import requirement_set
from shuzhi.testing.records import year_of_records

pytestmark = pytest.mark.django_db


def test_the_organiser_at_the_top_stops_asking_for_a_kind_and_the_running_year_is_judged_again(client, cast):
    year = timezone.localdate().year
    year_of_records(cast.village_b, year, skip_months=(1,))  # no 主题党日 in January
    year_of_records(cast.village_a, year - 1, skip_months=(1,))  # a past year keeps its judgement
    assert not Completion.objects.get(organization=cast.village_b, year=year).q1
    theme_day = Requirement.objects.get(kind="theme_day")
    client.force_login(cast.city_organiser)
    page = client.get(reverse("records:settings")).content.decode()
    assert theme_day.label in page and reverse("records:requirement_edit", args=[theme_day.pk]) in page
    url = reverse("records:requirement_edit", args=[theme_day.pk])
    assert "启用（计入完成情况）" in client.get(url).content.decode()
    data = {"label": "主题党日（不再要求）", "period": "month", "times": "1", "min_members": "0"}
    response = client.post(url, data)  # unticked: not asked
    assert response.status_code == 302
    theme_day.refresh_from_db()
    assert not theme_day.active and theme_day.label == "主题党日（不再要求）"
    assert Completion.objects.get(organization=cast.village_b, year=year).q1
    assert not Completion.objects.get(organization=cast.village_a, year=year - 1).q1
    event = AuditEvent.objects.get(action="records.requirement_set")
    assert event.changes["before"]["active"] is True and event.changes["after"]["active"] is False


def test_bad_input_is_named_in_chinese_keeps_what_was_typed_and_changes_nothing(client, cast):
    congress = Requirement.objects.get(kind="congress")
    url = reverse("records:requirement_edit", args=[congress.pk])
    client.force_login(cast.city_organiser)
    for typed, field in (("abc", "times"), ("13", "times"), ("0", "times"), ("-1", "min_members")):
        data = {"label": congress.label, "period": "quarter", "times": "1", "min_members": "0", "active": "on",
                field: typed}  # fmt: skip
        response = client.post(url, data)
        page = response.content.decode()
        assert response.status_code == 200 and "is-invalid" in page and f'value="{typed}"' in page
        assert any(word in page for word in ("整数", "小于或等于", "大于或等于")), typed
    response = client.post(
        url, {"label": congress.label, "period": "fortnight", "times": "2", "min_members": "0"}
    )
    assert response.status_code == 200 and "有效的选项" in response.content.decode()
    congress.refresh_from_db()
    assert (congress.period, congress.times, congress.active) == ("quarter", 1, True)
    assert not AuditEvent.objects.filter(action="records.requirement_set").exists()
    with pytest.raises(ValidationError) as caught:
        requirement_set(actor=cast.city_organiser, requirement=congress, period="quarter", times=40,
                        min_members=0, active=True)  # fmt: skip
    assert "次数应为 1 至 12" in str(caught.value)


def test_nobody_below_the_top_sets_the_rules_and_a_wrong_method_is_refused(client, cast):
    congress = Requirement.objects.get(kind="congress")
    url = reverse("records:requirement_edit", args=[congress.pk])
    data = {"label": "x", "period": "month", "times": "3", "min_members": "0", "active": "on"}
    for user in (cast.county_organiser, cast.township_secretary, cast.member_user, cast.outsider):
        client.force_login(user)
        assert client.get(url).status_code == 403 and client.post(url, data).status_code == 403
        page = client.get(reverse("records:settings"))
        assert page.status_code in (200, 403) and url not in page.content.decode()
    with pytest.raises(PermissionDenied):
        requirement_set(actor=cast.county_organiser, requirement=congress, period="month", times=3,
                        min_members=0, active=True)  # fmt: skip
    client.force_login(cast.city_organiser)
    assert client.get(reverse("records:requirement_edit", args=[999999])).status_code == 404
    assert client.put(url).status_code == 405 and client.post(reverse("records:settings")).status_code == 405
    client.logout()
    assert client.get(url).status_code == 302
    congress.refresh_from_db()
    assert (congress.period, congress.times) == ("quarter", 1)


def _scheme_post(name, rows):
    """As a browser sends the page: the five parts it started from (the default scheme), the
    ones not kept ticked 删除, then `rows` in the blank rows and after."""
    from shuzhi.records import rules

    start = list(rules.DEFAULT_SCHEME)
    total = len(start) + max(2, len(rows))
    data = {"name": name, "parts-TOTAL_FORMS": str(total), "parts-INITIAL_FORMS": str(len(start)),
            "parts-MIN_NUM_FORMS": "0", "parts-MAX_NUM_FORMS": "10"}  # fmt: skip
    for i, p in enumerate(start):
        data |= {f"parts-{i}-part_name": p["name"], f"parts-{i}-source": p["source"],
                 f"parts-{i}-points": str(p["points"]), f"parts-{i}-DELETE": "on"}  # fmt: skip
    for i in range(len(start), total):
        data |= {f"parts-{i}-part_name": "", f"parts-{i}-source": "", f"parts-{i}-points": ""}
    for i, (part, source, points) in enumerate(rows, start=len(start)):
        data |= {f"parts-{i}-part_name": part, f"parts-{i}-source": source, f"parts-{i}-points": points}
    return data


def test_an_organiser_sets_a_scheme_for_their_subtree_and_the_branches_below_use_it(client, cast):
    from shuzhi.records.models import PointsScheme
    from shuzhi.records.selectors import scheme_for

    url = reverse("records:points_scheme", args=[cast.township_a.pk])
    client.force_login(cast.county_organiser)
    page = client.get(url).content.decode()
    assert "组织生活" in page and "目前沿用" in page  # the inherited scheme to start from
    rows = [("日常表现", "attendance", "80"), ("民主评议", "manual", "20"), ("", "", "")]
    response = client.post(url, _scheme_post("柳泉镇积分办法", rows))
    assert response.status_code == 302
    scheme = scheme_for(cast.village_a)
    assert scheme.organization_id == cast.township_a.pk and [p["points"] for p in scheme.parts] == [80, 20]
    assert scheme_for(cast.village_b).organization_id is None  # another county keeps the default
    event = AuditEvent.objects.get(action="records.points_scheme_set")
    assert event.changes["after"]["name"] == "柳泉镇积分办法" and not event.changes.get("before")
    assert "设置积分办法" in client.get(reverse("records:points", args=[cast.village_a.pk])).content.decode()

    # not adding to 100, an empty name, a bad number: refused whole, named, what was typed kept
    for data, message in (
        (
            _scheme_post("改过的办法", [("日常表现", "attendance", "70"), ("民主评议", "manual", "20")]),
            "合计应为 100，现为 90",
        ),
        (
            _scheme_post("", [("日常表现", "attendance", "80"), ("民主评议", "manual", "20")]),
            "这个字段是必填项",
        ),
        (_scheme_post("改过的办法", [("日常表现", "attendance", "八十")]), "整数"),
        (_scheme_post("改过的办法", [("甲", "attendance", "50"), ("甲", "dues", "50")]), "名称不能重复"),
    ):
        response = client.post(url, data)
        page = response.content.decode()
        assert response.status_code == 200 and message in page, message
        assert "改过的办法" in page or data["name"] == ""
    assert PointsScheme.objects.get(organization=cast.township_a).name == "柳泉镇积分办法"
    assert AuditEvent.objects.filter(action="records.points_scheme_set").count() == 1


def test_a_scheme_is_set_only_by_an_organiser_of_the_subtree(client, cast):
    from shuzhi.records.models import PointsScheme

    url = reverse("records:points_scheme", args=[cast.township_a.pk])
    data = _scheme_post("x", [("日常表现", "attendance", "100")])
    for user in (cast.township_secretary, cast.member_user):
        client.force_login(user)
        assert client.get(url).status_code == 403 and client.post(url, data).status_code == 403
    client.force_login(cast.outsider)  # the neighbouring county's organiser
    assert client.get(url).status_code == 404 and client.post(url, data).status_code == 404
    client.force_login(cast.county_organiser)
    assert client.get(reverse("records:points_scheme", args=[cast.county_b.pk])).status_code == 404
    assert client.put(url).status_code == 405
    assert not PointsScheme.objects.filter(organization__isnull=False).exists()


def test_the_organiser_at_the_top_changes_a_dues_band_and_new_bases_are_charged_by_it(client, cast):
    from decimal import Decimal

    from shuzhi.records.models import DuesBand
    from shuzhi.records.services import dues_account_set

    low = DuesBand.objects.get(group="employed", lower=0)
    flat = DuesBand.objects.get(group="flat")
    client.force_login(cast.city_organiser)
    assert (
        reverse("records:dues_band_edit", args=[low.pk])
        in client.get(reverse("records:settings")).content.decode()
    )
    url = reverse("records:dues_band_edit", args=[low.pk])
    response = client.post(url, {"lower": "0", "upper": str(low.upper), "percent": "0.6"})
    assert response.status_code == 302
    from shuzhi.members.models import Member
    from shuzhi.testing.records import branch_secretary

    Member.objects.filter(pk=cast.member_a.pk).update(category="employed")
    cast.member_a.refresh_from_db()
    account = dues_account_set(actor=branch_secretary(cast.village_a), member=cast.member_a, year=2025,
                               base=Decimal(1000))  # fmt: skip
    assert account.amount == Decimal("6.00")
    event = AuditEvent.objects.get(action="records.dues_band_set")
    assert event.changes["before"]["percent"] == "0.50" and event.changes["after"]["percent"] == "0.6"

    # an overlap with the next band, a percent out of range, a word for a number, an empty flat amount
    for target, data, message in (
        (low, {"lower": "0", "upper": "4000", "percent": "0.5"}, "范围重叠"),
        (low, {"lower": "0", "upper": "3000", "percent": "50"}, "不超过 10%"),
        (low, {"lower": "0", "upper": "三千", "percent": "0.5"}, "输入一个数字"),
        (low, {"lower": "0", "upper": "2000", "percent": ""}, "必填"),
        (flat, {"amount": "0"}, "大于 0 的金额"),
    ):
        response = client.post(reverse("records:dues_band_edit", args=[target.pk]), data)
        page = response.content.decode()
        assert response.status_code == 200 and message in page, message
        assert all(f'value="{v}"' in page for v in data.values() if v), data
    low.refresh_from_db()
    assert (low.upper, low.percent) == (Decimal("3000.00"), Decimal("0.60"))
    assert AuditEvent.objects.filter(action="records.dues_band_set").count() == 1

    client.force_login(cast.county_organiser)
    assert client.get(url).status_code == 403 and client.post(url, {"percent": "1"}).status_code == 403
    client.force_login(cast.city_organiser)
    assert client.get(reverse("records:dues_band_edit", args=[999999])).status_code == 404
    assert client.put(url).status_code == 405
