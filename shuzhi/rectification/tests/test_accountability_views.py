from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.roles import Role
from shuzhi.rectification.models import Accountability, Item
from shuzhi.rectification.services import accountability_record, items_generate
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.rectification import published_cycle

pytestmark = pytest.mark.django_db

URL = reverse("rectification:accountability")


@pytest.fixture
def items(cast):
    cycle = published_cycle(cast)
    items_generate(actor=cast.county_organiser, cycle=cycle)
    return list(Item.objects.filter(organization=cast.township_a).order_by("id"))


def _good(cast, items) -> dict:
    return {"unit": cast.township_a.code, "kind": "talk", "person": "李秀英", "on": timezone.localdate().isoformat(),
            "reason": "后备干部队伍建设整改不力", "items": [items[0].pk]}  # fmt: skip


def test_an_organiser_records_accountability_through_the_page_with_the_units_items(
    client, cast, items, django_assert_num_queries
):
    client.force_login(cast.county_organiser)
    lookup = client.post(URL, {"unit": cast.township_a.name, "action": "lookup"}).content.decode()
    assert all(f'value="{item.pk}"' in lookup for item in items)  # the unit's items, to tick
    assert not Accountability.objects.exists()

    response = client.post(URL, {**_good(cast, items), "items": [items[0].pk, items[2].pk]})
    assert response.status_code == 302 and response["Location"] == URL
    record = Accountability.objects.get()
    assert (record.organization, record.org_path, record.kind, record.person, record.created_by) == (
        cast.township_a, cast.township_a.path, "talk", "李秀英", cast.county_organiser
    )  # fmt: skip
    assert set(record.items.all()) == {items[0], items[2]}
    accountability_record(actor=cast.city_organiser, organization=cast.township_b, kind="admonish",
                          person="张伟", on=timezone.localdate(), reason="邻县的问责")  # fmt: skip

    client.get(URL)
    # session, user, the page of records and their count, their items and results
    with django_assert_num_queries(6):
        page = client.get(URL).content.decode()
    listed = page.split('data-testid="accountabilities"')[1]
    assert "李秀英" in listed and "约谈" in listed and items[2].title in listed
    assert "邻县的问责" not in listed  # the neighbouring county's record is outside the subtree
    client.force_login(cast.city_organiser)
    assert "邻县的问责" in client.get(URL).content.decode()


def test_each_refusal_says_why_and_nothing_is_saved(client, cast, items):
    other = Item.objects.create(cycle=items[0].cycle, organization=cast.township_b, org_path=cast.township_b.path,
                                title="大庙镇的事项", deadline=items[0].deadline)  # fmt: skip
    client.force_login(cast.county_organiser)
    good = _good(cast, items)
    refusals = [
        ({"unit": "不存在的单位"}, "本单位及下级党组织中没有“不存在的单位”，请核对单位名称或组织编码"),
        ({"unit": cast.township_b.code, "items": []}, f"本单位及下级党组织中没有“{cast.township_b.code}”"),
        ({"unit": "村党支部", "items": []}, "“村党支部”对应多个党组织"),
        ({"unit": ""}, "请填写单位名称或组织编码"),
        ({"reason": ""}, "请填写问责事由"),
        ({"person": ""}, "请填写被问责人姓名"),
        ({"kind": "fine"}, "选择一个有效的选项"),
        ({"items": [other.pk]}, "所选整改事项不属于该单位"),
        ({"on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "问责日期不能晚于今天"),
    ]
    for change, message in refusals:
        response = client.post(URL, {**good, **change})
        assert response.status_code == 200 and message in response.content.decode(), message
        assert not Accountability.objects.exists(), message


def test_only_organisers_record_accountability_and_wrong_methods_are_refused(client, cast, items):
    supervisor = UserFactory(role=Role.SUPERVISOR, organization=cast.city)
    for user in (supervisor, cast.township_secretary, cast.member_user, cast.reviewer):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, _good(cast, items)).status_code == 403
    assert not Accountability.objects.exists()
    client.force_login(cast.county_organiser)
    assert client.delete(URL).status_code == 405
    assert client.put(URL).status_code == 405


def test_a_record_links_the_units_assessment_result_and_refuses_another_units(client, cast, items):
    from shuzhi.scoring.models import Result

    mine = Result.objects.get(reporter__organization=cast.township_a)
    other = Result.objects.exclude(reporter__organization=cast.township_a).first()
    client.force_login(cast.county_organiser)
    lookup = client.post(URL, {"unit": cast.township_a.code, "action": "lookup"}).content.decode()
    assert (
        f'name="results" value="{mine.pk}"' in lookup and f'name="results" value="{other.pk}"' not in lookup
    )
    refused = client.post(URL, {**_good(cast, items), "results": [other.pk]}).content.decode()
    assert "所选考核结果不属于该单位。" in refused and not Accountability.objects.exists()
    client.post(URL, {**_good(cast, items), "results": [mine.pk]})
    assert list(Accountability.objects.get().results.all()) == [mine]
    assert f"{mine.grade}（{mine.score}）" in client.get(URL).content.decode()
