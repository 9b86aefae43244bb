"""记实积分 from the records, by the scheme as data: a member sees their own, the branch keeper
sees members one by one, everyone above only the distribution. No page ranks members."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuzhi.records.models import PointsItem, PointsScheme
from shuzhi.records.selectors import member_points
from shuzhi.records.services import (
    Mark,
    commitment_add,
    commitment_review,
    dues_account_set,
    dues_payments_record,
    meeting_record,
    points_exemption_set,
    points_item_add,
)
from shuzhi.testing.records import branch_secretary

pytestmark = pytest.mark.django_db
YEAR = 2025
TODAY = date(2026, 12, 3)


def _year(cast, keeper):
    for month, away in ((3, False), (6, False), (9, True), (12, False)):
        meeting_record(actor=keeper, organization=cast.village_a, kind="congress", held_on=date(YEAR, month, 5),
                       topic="党员大会", host="李秀英",
                       marks={cast.member_a.pk: Mark(False, "away") if away else Mark(), cast.secretary_a.pk: Mark()})  # fmt: skip
    dues_account_set(actor=keeper, member=cast.member_a, year=YEAR, base=Decimal(0))
    for month in range(1, 10):
        dues_payments_record(actor=keeper, organization=cast.village_a, month=date(YEAR, month, 1),
                             member_ids=[cast.member_a.pk], paid_on=date(YEAR, month, 9))  # fmt: skip
    c = commitment_add(actor=keeper, member=cast.member_a, year=YEAR, text="帮扶困难户")
    commitment_review(actor=keeper, commitment=c, status="kept")
    parts = PointsScheme.objects.get(organization=None).parts
    points_item_add(
        actor=keeper,
        member=cast.member_a,
        year=YEAR,
        part="民主评议",
        points=Decimal(18),
        reason="评议为优秀",
        parts=parts,
    )
    return parts


def test_a_members_points_come_from_the_records_worked_by_hand(cast):
    keeper = branch_secretary(cast.village_a)
    _year(cast, keeper)
    _scheme, scored, total = member_points(member=cast.member_a, year=YEAR, today=TODAY)
    # 40 × 3/4 = 30; 15 × 9/12 = 11.25 → 11.3; 15 × 1/1 = 15; 民主评议 18; 贡献 not yet given 0
    assert [p.points for p in scored] == [
        Decimal("30.0"),
        Decimal("11.3"),
        Decimal("15.0"),
        Decimal("18.0"),
        Decimal("0.0"),
    ]
    assert total == Decimal("74.3")
    points_exemption_set(actor=keeper, member=cast.member_a, year=YEAR, reason="外出务工")
    assert member_points(member=cast.member_a, year=YEAR, today=TODAY)[1][0].points == Decimal("40.0")
    points_exemption_set(actor=keeper, member=cast.member_a, year=YEAR, reason="")
    assert member_points(member=cast.member_a, year=YEAR, today=TODAY)[1][0].points == Decimal("30.0")


def test_hand_given_points_need_a_manual_part_a_limit_and_a_reason(cast):
    keeper = branch_secretary(cast.village_a)
    parts = PointsScheme.objects.get(organization=None).parts
    for part, points, reason in (("组织生活", 5, "x"), ("贡献加分", 11, "x"), ("贡献加分", 5, " ")):
        with pytest.raises(ValidationError):
            points_item_add(actor=keeper, member=cast.member_a, year=YEAR, part=part, points=Decimal(points),
                            reason=reason, parts=parts)  # fmt: skip
    with pytest.raises(PermissionDenied):
        points_item_add(actor=cast.county_organiser, member=cast.member_a, year=YEAR, part="贡献加分",
                        points=Decimal(5), reason="x", parts=parts)  # fmt: skip
    assert not PointsItem.objects.exists()


def test_the_keeper_sees_members_one_by_one_others_only_the_distribution_and_nobody_a_ranking(client, cast):
    keeper = branch_secretary(cast.village_a)
    _year(cast, keeper)
    url = reverse("records:points", args=[cast.village_a.pk]) + f"?year={YEAR}"
    client.force_login(keeper)
    page = client.get(url).content.decode()
    assert "王建国" in page and "74.3" in page and "70–79 分：1 人" in page
    assert page.index("李秀英") < page.index("王建国")  # the roster's order (by name), not by points
    detail = reverse("records:points_member", args=[cast.village_a.pk, cast.member_a.pk]) + f"?year={YEAR}"
    response = client.post(
        detail, {"action": "item", "part": "贡献加分", "points": "3", "reason": "抗洪抢险"}
    )
    assert response.status_code == 302 and "77.3" in client.get(detail).content.decode()
    response = client.post(detail, {"action": "item", "part": "贡献加分", "points": "30", "reason": "x"})
    assert response.status_code == 200 and "满分 10 分" in response.content.decode()
    client.force_login(cast.county_organiser)
    page = client.get(url).content.decode()
    assert "王建国" not in page and "1 人" in page  # counts go up the tree, names do not
    assert client.get(detail).status_code == 403
    client.force_login(cast.township_secretary)  # keeps records of the branches below, not their points
    page = client.get(url).content.decode()
    assert "王建国" not in page and "74.3" not in page and "70–79 分：1 人" in page
    assert client.get(detail).status_code == 403
    client.force_login(branch_secretary(cast.village_b, username="b"))
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("records:points_member", args=[cast.village_b.pk, cast.member_a.pk])).status_code
        == 404
    )
    client.force_login(cast.member_user)
    mine = client.get(reverse("records:mine"), {"year": YEAR}).content.decode()
    assert "我的记实积分：77.3 分" in mine and "李秀英" not in mine
    assert client.get(url).status_code == 403
    client.force_login(keeper)
    assert client.put(detail).status_code == 405 and client.post(url).status_code == 405


def test_above_the_branch_only_the_distribution_goes_up_and_each_branch_keeps_its_scheme(
    client, cast, django_assert_max_num_queries
):
    from shuzhi.records import rules
    from shuzhi.records.selectors import points_rollup, points_years

    keeper = branch_secretary(cast.village_a)
    parts = _year(cast, keeper)
    # the second branch counts organisational life alone: its member, present once of once, scores 100
    PointsScheme.objects.create(organization=cast.village_a2, org_path=cast.village_a2.path, name="只计组织生活",
                                parts=[{**parts[0], "points": 100}])  # fmt: skip
    meeting_record(actor=branch_secretary(cast.village_a2, username="a2"), organization=cast.village_a2,
                   kind="congress", held_on=date(YEAR, 3, 5), topic="党员大会", host="支部书记",
                   marks={cast.member_a2.pk: Mark()})  # fmt: skip
    with django_assert_max_num_queries(9):
        per_child, whole = points_rollup(org=cast.township_a, year=YEAR, today=TODAY)
    branch = dict(per_child)
    years = points_years(org=cast.village_a, year=YEAR, today=TODAY)
    assert branch[cast.village_a] == rules.distribution(
        sum((p.points for p in rules.member_points(parts, y)), Decimal(0)) for y in years.values()
    )
    assert dict(branch[cast.village_a2])["90 分以上"] == 1  # by the default scheme: 40, under 60
    assert sum(n for _label, n in whole) == 3 and dict(whole)["70–79 分"] == 1

    client.force_login(cast.county_organiser)
    url = reverse("records:points", args=[cast.county_a.pk]) + f"?year={YEAR}"
    page = client.get(url).content.decode()
    assert cast.township_a.name in page and "70–79 分：1 人" in page and "90 分以上：1 人" in page
    for name in ("王建国", "李秀英", cast.member_a2.name, "74.3"):
        assert name not in page  # counts go up the tree, names and totals do not
    assert client.post(url).status_code == 405
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.member_user)
    assert client.get(url).status_code == 403
