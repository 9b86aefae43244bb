"""党费: bases and amounts by the bands, payments by month, arrears flagged, exemptions with a
reason, the page and the fact."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuzhi.core import facts
from shuzhi.core.models import AuditEvent
from shuzhi.members.models import Member
from shuzhi.records.models import DuesAccount, DuesBand, DuesPayment
from shuzhi.records.services import dues_account_set, dues_payments_record
from shuzhi.testing.records import branch_secretary

pytestmark = pytest.mark.django_db
YEAR = 2025


def test_the_bands_are_seeded_as_data():
    assert DuesBand.objects.filter(group="employed").count() == 4
    assert DuesBand.objects.get(group="flat").amount == Decimal("0.20")


def test_an_amount_follows_the_members_category_and_an_exemption_needs_a_reason(cast):
    user = branch_secretary(cast.village_a)
    Member.objects.filter(pk=cast.secretary_a.pk).update(category="employed")
    cast.secretary_a.refresh_from_db()
    account = dues_account_set(actor=user, member=cast.secretary_a, year=YEAR, base=Decimal("6200"))
    assert account.amount == Decimal("93.00") and account.org_path == cast.village_a.path  # 1.5%
    farmer = dues_account_set(actor=user, member=cast.member_a, year=YEAR, base=Decimal("0"))
    assert farmer.amount == Decimal("0.20")  # 王建国 is a 农牧渔民: the flat amount
    exempt = dues_account_set(
        actor=user, member=cast.member_a, year=YEAR, base=Decimal("0"), exempt_reason="生活困难"
    )
    assert exempt.pk == farmer.pk and exempt.exempt and exempt.amount == 0
    event = AuditEvent.objects.filter(action="records.dues_account_set").order_by("seq").last()
    assert event.changes["before"]["amount"] == "0.20" and event.changes["after"]["reason"] == "生活困难"
    with pytest.raises(ValidationError):
        dues_account_set(actor=user, member=cast.member_a, year=YEAR, base=Decimal("-1"))
    with pytest.raises(PermissionDenied):
        dues_account_set(actor=user, member=cast.member_b, year=YEAR, base=Decimal("100"))
    with pytest.raises(PermissionDenied):
        dues_account_set(actor=cast.county_organiser, member=cast.member_a, year=YEAR, base=Decimal("100"))


def test_payments_are_refused_whole_naming_who_and_why(cast):
    user = branch_secretary(cast.village_a)
    dues_account_set(actor=user, member=cast.member_a, year=YEAR, base=Decimal(0))
    with pytest.raises(ValidationError) as error:  # 李秀英 has no account yet
        dues_payments_record(actor=user, organization=cast.village_a, month=date(YEAR, 3, 1),
                             member_ids=[cast.member_a.pk, cast.secretary_a.pk], paid_on=date(YEAR, 3, 5))  # fmt: skip
    assert "李秀英：未核定2025年党费基数" in str(error.value)
    assert not DuesPayment.objects.exists()
    assert dues_payments_record(actor=user, organization=cast.village_a, month=date(YEAR, 3, 9),
                                member_ids=[cast.member_a.pk], paid_on=date(YEAR, 3, 5)) == 1  # fmt: skip
    payment = DuesPayment.objects.get()
    assert payment.month == date(YEAR, 3, 1) and payment.amount == Decimal("0.20")
    with pytest.raises(ValidationError) as error:
        dues_payments_record(actor=user, organization=cast.village_a, month=date(YEAR, 3, 1),
                             member_ids=[cast.member_a.pk], paid_on=date(YEAR, 3, 5))  # fmt: skip
    assert "2025-03 已登记" in str(error.value)
    with pytest.raises(ValidationError):
        dues_payments_record(actor=user, organization=cast.village_a, month=date(YEAR, 4, 1),
                             member_ids=[cast.member_b.pk], paid_on=date(YEAR, 4, 5))  # fmt: skip
    with pytest.raises(ValidationError):
        dues_payments_record(actor=user, organization=cast.village_a, month=date(2099, 1, 1),
                             member_ids=[cast.member_a.pk], paid_on=date(YEAR, 4, 5))  # fmt: skip
    assert DuesPayment.objects.count() == 1


def _year_paid(user, cast, months):
    for month in months:
        dues_payments_record(actor=user, organization=cast.village_a, month=date(YEAR, month, 1),
                             member_ids=[cast.member_a.pk], paid_on=date(YEAR, month, 10))  # fmt: skip


def test_the_page_shows_arrears_flagged_and_the_keeper_records_a_month(client, cast):
    user = branch_secretary(cast.village_a)
    dues_account_set(actor=user, member=cast.member_a, year=YEAR, base=Decimal(0))
    dues_account_set(
        actor=user, member=cast.secretary_a, year=YEAR, base=Decimal(0), exempt_reason="生活困难"
    )
    _year_paid(user, cast, [1, 2, 3, 10])  # April to September unpaid: six months
    client.force_login(user)
    url = reverse("records:dues", args=[cast.village_a.pk])
    page = client.get(url, {"year": YEAR}).content.decode()
    assert "已连续 6 个月未交纳党费" in page and "1 人连续 6 个月以上未交纳" in page and "减免" in page
    response = client.post(
        url, {"month": f"{YEAR}-11", "paid_on": f"{YEAR}-11-20", "members": [cast.member_a.pk]}
    )
    assert response.status_code == 302 and DuesPayment.objects.filter(month=date(YEAR, 11, 1)).exists()
    response = client.post(
        url, {"month": f"{YEAR}-12", "paid_on": f"{YEAR}-12-20", "members": [cast.secretary_a.pk]}
    )
    assert response.status_code == 200 and "李秀英：已减免（生活困难）" in response.content.decode()
    account_url = reverse("records:dues_account", args=[cast.village_a.pk, cast.member_a.pk])
    assert client.post(account_url + f"?year={YEAR}", {"base": "abc"}).status_code == 200
    # another branch's members, another subtree, a reader who may not write, a wrong method
    assert (
        client.get(reverse("records:dues_account", args=[cast.village_a.pk, cast.member_b.pk])).status_code
        == 404
    )
    assert client.get(reverse("records:dues", args=[cast.village_b.pk])).status_code == 404
    client.force_login(cast.county_organiser)
    assert client.get(url, {"year": YEAR}).status_code == 200
    assert (
        client.post(
            url, {"month": f"{YEAR}-12", "paid_on": f"{YEAR}-12-20", "members": [cast.member_a.pk]}
        ).status_code
        == 403
    )
    assert client.get(account_url).status_code == 403
    assert client.put(url).status_code == 405
    client.force_login(cast.member_user)
    assert client.get(url).status_code == 403


def test_the_dues_rate_counts_paid_months_over_due_months_in_bulk(cast, django_assert_max_num_queries):
    user = branch_secretary(cast.village_a)
    dues_account_set(actor=user, member=cast.member_a, year=YEAR, base=Decimal(0))
    dues_account_set(
        actor=user, member=cast.secretary_a, year=YEAR, base=Decimal(0), exempt_reason="生活困难"
    )
    _year_paid(user, cast, range(1, 10))  # 9 of 12
    subjects = [facts.Subject(id=o.pk, path=o.path, name=o.name) for o in (cast.county_a, cast.township_b)]
    with django_assert_max_num_queries(2):
        found = facts.collect("records.dues_rate", year=YEAR, subjects=subjects)
    assert found[cast.county_a.pk].value == Decimal("75.00")  # the exempt member is not counted
    assert [e.value for e in found[cast.county_a.pk].evidence] == ["1", "12", "9"]
    assert found[cast.township_b.pk].value is None
    assert DuesAccount.objects.count() == 2


def test_a_member_sees_their_own_dues_only(client, cast):
    user = branch_secretary(cast.village_a)
    dues_account_set(actor=user, member=cast.member_a, year=YEAR, base=Decimal(0))
    dues_account_set(
        actor=user, member=cast.secretary_a, year=YEAR, base=Decimal(0), exempt_reason="生活困难"
    )
    _year_paid(user, cast, [1, 2])
    client.force_login(cast.member_user)
    page = client.get(reverse("records:mine"), {"year": YEAR}).content.decode()
    assert "每月应交 0.20 元，本年度已交 2 个月" in page and "生活困难" not in page and "李秀英" not in page
    client.force_login(cast.township_secretary)  # linked to 李秀英
    assert (
        "本年度党费已减免（生活困难）" in client.get(reverse("records:mine"), {"year": YEAR}).content.decode()
    )


def test_no_page_ranks_members_the_dues_list_keeps_the_rosters_name_order(client, cast):
    from shuzhi.testing.factories import MemberFactory

    user = branch_secretary(cast.village_a)
    extra = MemberFactory(name="阿强", organization=cast.village_a)
    for member in (cast.member_a, cast.secretary_a, extra):
        dues_account_set(actor=user, member=member, year=YEAR, base=Decimal(0))
    _year_paid(user, cast, range(1, 13))  # 王建国 paid everything, the others nothing
    client.force_login(user)
    page = client.get(reverse("records:dues", args=[cast.village_a.pk]), {"year": YEAR}).content.decode()
    names = sorted(["王建国", "李秀英", "阿强"])
    positions = [page.index(name) for name in names]
    assert positions == sorted(positions)  # by name, as the roster is; never by who paid most
    assert "排名" not in page and "排行" not in page


def test_above_the_branch_the_dues_go_up_as_counts_never_names(client, cast, django_assert_max_num_queries):
    from shuzhi.records.selectors import dues_rollup

    user = branch_secretary(cast.village_a)
    dues_account_set(actor=user, member=cast.member_a, year=YEAR, base=Decimal(0))
    dues_account_set(
        actor=user, member=cast.secretary_a, year=YEAR, base=Decimal(0), exempt_reason="生活困难"
    )
    _year_paid(user, cast, [1, 2, 3, 10])  # six months unpaid in a row; member_a2 has no base
    collected = sum(DuesPayment.objects.values_list("amount", flat=True))
    with django_assert_max_num_queries(6):
        per_child, whole = dues_rollup(org=cast.county_a, year=YEAR, today=date(2026, 3, 1))
    assert (whole.members, whole.paid_up, whole.owing, whole.flagged, whole.exempt, whole.unset) == (
        3,
        0,
        1,
        1,
        1,
        1,
    )
    assert whole.collected == collected
    [(township, counts)] = per_child
    assert township == cast.township_a and counts == whole
    by_branch = dict(dues_rollup(org=cast.township_a, year=YEAR, today=date(2026, 3, 1))[0])
    assert (by_branch[cast.village_a].members, by_branch[cast.village_a].owing) == (2, 1)
    assert (by_branch[cast.village_a2].members, by_branch[cast.village_a2].unset) == (1, 1)

    client.force_login(cast.county_organiser)
    url = reverse("records:dues", args=[cast.county_a.pk])
    page = client.get(url, {"year": YEAR}).content.decode()
    assert "党员 3 人：按月交清 0 人，有欠交 1 人，减免 1 人，未核定基数 1 人" in page
    assert "1 人连续 6 个月以上未交纳" in page and cast.township_a.name in page
    for name in ("王建国", "李秀英", cast.member_a2.name, "生活困难"):
        assert name not in page
    assert client.post(url, {"month": f"{YEAR}-12"}).status_code == 404 and client.put(url).status_code == 405
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.member_user)
    assert client.get(url).status_code == 403
