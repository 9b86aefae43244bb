from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.dossiers import rules, services
from shuzhi.dossiers.models import ReserveCadre, Talent, TalentRule
from shuzhi.lifecycle.tests.helpers import start

pytestmark = pytest.mark.django_db


def talents_url(org):
    return reverse("dossiers:talents", args=[org.pk])


def add(cast, village, n: int, *, members: int = 0, prefix: str = "能人") -> list[Talent]:
    member = cast.member_a if village == cast.village_a else cast.member_a2
    return [
        services.talent_add(
            actor=cast.township_secretary,
            village=village,
            name=f"{prefix}{i}",
            category="rich",
            member=member if i < members else None,
        )
        for i in range(n)
    ]


def test_the_targets_are_seeded_as_data():
    rule = TalentRule.objects.get()
    assert (rule.min_count, rule.member_share, rule.reserves_per_post) == (20, 20, 2)


@pytest.mark.parametrize(
    ("talents", "members", "count_met", "share_met"),
    [
        (20, 4, True, True),
        (20, 3, True, False),
        (19, 19, False, True),
        (0, 0, False, False),
        (25, 5, True, True),
    ],
)
def test_the_minimum_and_the_member_share_by_hand(talents, members, count_met, share_met):
    found = rules.VillageReserve(talents=talents, members=members, developed=0, min_count=20, member_share=20)
    assert (found.count_met, found.share_met) == (count_met, share_met)
    assert found.short_by == max(20 - talents, 0)


def test_a_township_page_shows_each_village_against_the_minimum_and_the_share(client, cast):
    add(cast, cast.village_a, 20, members=4)  # 20 people, 20% members: met
    add(cast, cast.village_a2, 10, members=1, prefix="李集")  # 10 people, 10%: short of both
    applicant = start(
        actor=cast.township_secretary, org=cast.village_a2, applied_on=date(2025, 3, 3), name="返乡青年"
    )
    services.talent_add(actor=cast.township_secretary, village=cast.village_a2, name="返乡青年", category="graduate",
                        applicant=applicant)  # fmt: skip
    client.force_login(cast.county_organiser)
    response = client.get(talents_url(cast.township_a))
    rows = {r.village.name: r for r in response.context["rows"]}
    a, a2 = rows["王庄村党支部"].reserve, rows["李集村党支部"].reserve
    assert (a.talents, a.members, a.share, a.met) == (20, 4, Decimal("20.0"), True)
    assert (a2.talents, a2.members, a2.developed, a2.share, a2.short_by) == (11, 1, 1, Decimal("9.1"), 9)
    assert not a2.count_met and not a2.share_met
    assert rows["王庄村党支部"].reserve_short == 4  # two posts, two each, none named
    page = response.content.decode()
    assert "差 9 人" in page and "人数不足" in page and "达标" in page
    county = client.get(talents_url(cast.county_a)).context["rows"]
    assert [r.village.name for r in county] == ["王庄村党支部", "李集村党支部"]


def test_a_village_keeps_its_talents_with_the_contact_encrypted_and_names_reserve_cadres(client, cast):
    client.force_login(cast.township_secretary)
    url = talents_url(cast.village_a)
    response = client.post(url, {"action": "talent", "name": "陈富民", "category": "rich", "contact": "13812345678",
                                 "member": cast.member_a.pk, "note": "养殖大户"})  # fmt: skip
    assert response.status_code == 302
    talent = Talent.objects.get()
    assert (talent.contact, talent.member, talent.org_path) == (
        "13812345678",
        cast.member_a,
        cast.village_a.path,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM dossiers_talent")
        assert "13812345678" not in cursor.fetchone()[0]
    assert AuditEvent.objects.filter(action="dossiers.talent_add").exists()
    response = client.post(
        url, {"action": "reserve", "talent": talent.pk, "post": "secretary", "named_on": "2025-05-01"}
    )
    assert response.status_code == 302
    page = client.get(url)
    posts = {post: short for post, _label, _cadres, short in page.context["posts"]}
    assert posts == {"secretary": 1, "committee": 2}
    body = page.content.decode()
    assert "138****5678" in body and "13812345678" not in body and "缺 1 人" in body
    again = client.post(
        url, {"action": "reserve", "talent": talent.pk, "post": "secretary", "named_on": "2025-05-01"}
    )
    assert again.status_code == 200 and "已是该岗位的后备干部" in again.content.decode()
    assert ReserveCadre.objects.count() == 1


def test_a_bad_phone_is_refused_and_what_was_typed_stays(client, cast):
    client.force_login(cast.township_secretary)
    response = client.post(talents_url(cast.village_a), {"action": "talent", "name": "陈富民", "category": "rich",
                                                         "contact": "12345"})  # fmt: skip
    assert response.status_code == 200 and Talent.objects.count() == 0
    assert response.context["talent_form"]["name"].value() == "陈富民"
    assert response.context["talent_form"].errors["contact"]


def test_talents_are_kept_only_in_villages_and_only_by_those_who_may(client, cast):
    client.force_login(cast.township_secretary)
    assert client.post(talents_url(cast.township_a), {"action": "talent", "name": "x"}).status_code == 403
    client.force_login(cast.member_user)
    assert client.get(talents_url(cast.village_a)).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(talents_url(cast.township_a)).status_code == 404
    assert (
        client.post(
            talents_url(cast.village_a), {"action": "talent", "name": "x", "category": "rich"}
        ).status_code
        == 404
    )
