from datetime import date

import pytest
from django.urls import reverse

from shuzhi.core.models import Notification
from shuzhi.core.roles import Role
from shuzhi.dossiers.models import CommunityRegistration, ServiceActivity
from shuzhi.testing.factories import MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(cast):
    """A community in 柳泉镇 with its secretary, and a county office's branch with two in-service members."""
    community = OrganizationFactory(name="幸福社区党支部", code="C01001900", parent=cast.township_a,
                                    field="community")  # fmt: skip
    office = OrganizationFactory(name="区财政局机关党支部", code="C01900", parent=cast.county_a, level="institution",
                                 field="agency")  # fmt: skip
    liu = MemberFactory(name="刘在职", organization=office)
    ma = MemberFactory(name="马在职", organization=office)
    keeper = UserFactory(
        username="community_sec", full_name="社区书记", role=Role.SECRETARY, organization=community
    )
    office_sec = UserFactory(
        username="office_sec", full_name="机关支部书记", role=Role.SECRETARY, organization=office
    )
    liu_user = UserFactory(
        username="liu", full_name="刘在职", role=Role.MEMBER, organization=office, member=liu
    )
    return {"community": community, "office": office, "liu": liu, "ma": ma, "keeper": keeper,
            "office_sec": office_sec, "liu_user": liu_user}  # fmt: skip


def url(org):
    return reverse("dossiers:community", args=[org.pk])


def test_a_member_registers_themself_and_the_community_is_told(client, cast, town):
    client.force_login(town["liu_user"])
    response = client.post(
        reverse("dossiers:community_mine"), {"community_code": "C01001900", "registered_on": "2025-04-01"}
    )
    assert response.status_code == 302
    found = CommunityRegistration.objects.get()
    assert (found.member, found.community) == (town["liu"], town["community"])
    assert Notification.objects.filter(recipient=town["keeper"], text__contains="刘在职").exists()
    assert "已到幸福社区党支部报到" in client.get(reverse("dossiers:mine")).content.decode()


def test_only_a_community_and_only_in_service_members_may_be_registered(client, cast, town):
    client.force_login(town["liu_user"])
    response = client.post(
        reverse("dossiers:community_mine"), {"community_code": "C01001001", "registered_on": "2025-04-01"}
    )
    assert response.status_code == 200 and "不是社区党组织" in response.content.decode()
    response = client.post(
        reverse("dossiers:community_mine"), {"community_code": "NOPE", "registered_on": "2025-04-01"}
    )
    assert "没有组织编码为“NOPE”的党组织" in response.content.decode()
    assert response.context["form"]["community_code"].value() == "NOPE"
    client.force_login(cast.member_user)  # 王建国 is a farmer
    response = client.post(
        reverse("dossiers:community_mine"), {"community_code": "C01001900", "registered_on": "2025-04-01"}
    )
    assert "不是在职党员" in response.content.decode()
    assert CommunityRegistration.objects.count() == 0


def test_the_community_records_activities_and_the_employer_sees_counts_not_a_ranking(client, cast, town):
    client.force_login(town["office_sec"])
    for who in ("liu", "ma"):
        response = client.post(url(town["office"]), {"action": "register", "member": town[who].pk,
                                                     "community_code": "C01001900", "registered_on": "2025-04-01"})  # fmt: skip
        assert response.status_code == 302
    client.force_login(town["keeper"])
    page = client.get(url(town["community"]))
    assert [r.member.name for r in page.context["registered"]] == ["刘在职", "马在职"]
    for day, who in (
        (date(2025, 5, 1), ["liu", "ma"]),
        (date(2025, 6, 1), ["ma"]),
        (date(2025, 7, 1), ["ma"]),
    ):
        response = client.post(url(town["community"]), {"action": "activity", "held_on": f"{day:%Y-%m-%d}",
                                                         "title": "义务清扫", "members": [town[w].pk for w in who]})  # fmt: skip
        assert response.status_code == 302
    assert ServiceActivity.objects.count() == 3
    stranger = client.post(url(town["community"]), {"action": "activity", "held_on": "2025-07-02", "title": "x",
                                                    "members": [cast.member_a.pk]})  # fmt: skip
    assert stranger.status_code == 200 and ServiceActivity.objects.count() == 3
    client.force_login(town["office_sec"])
    counts = client.get(url(town["office"])).context["counts"].object_list
    assert [(r.member.name, r.activities) for r in counts] == [("刘在职", 1), ("马在职", 3)]  # roster order
    client.force_login(cast.county_organiser)
    assert len(client.get(url(cast.county_a)).context["counts"].object_list) == 2


def test_others_may_not_record_and_another_county_gets_404(client, cast, town):
    client.force_login(town["office_sec"])
    response = client.post(
        url(town["community"]), {"action": "activity", "held_on": "2025-05-01", "title": "x"}
    )
    assert response.status_code == 404  # the community is not in the office's subtree
    client.force_login(cast.outsider)
    assert client.get(url(town["community"])).status_code == 404
    assert client.get(url(town["office"])).status_code == 404
    client.force_login(town["liu_user"])
    assert client.get(url(town["office"])).status_code == 403
