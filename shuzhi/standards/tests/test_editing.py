"""The standards as data, changed on a page by the top organisation's organiser: items added,
changed and removed, the levels' minimum scores; every refusal says why and keeps what was typed."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.standards import services
from shuzhi.standards.models import Check, Item, Rating

pytestmark = pytest.mark.django_db
YEAR = date.today().year


def test_the_city_organiser_adds_a_computed_item_and_the_standard_page_shows_it(client, cast, rural):
    standard, *_items = rural
    client.force_login(cast.city_organiser)
    page = client.get(reverse("standards:standard", args=[standard.pk])).content.decode()
    assert 'data-testid="item-new"' in page
    response = client.post(reverse("standards:item_new", args=[standard.pk]), {
        "heading": "members", "title": "党费按时足额收缴", "points": "10", "evidence": "computed",
        "fact_key": "test.fixed", "threshold": "95", "order": "4",
    })  # fmt: skip
    assert response.status_code == 302
    item = Item.objects.get(standard=standard, title="党费按时足额收缴")
    assert (item.points, item.threshold, item.fact_key) == (10, Decimal(95), "test.fixed")
    page = client.get(reverse("standards:standard", args=[standard.pk])).content.decode()
    assert "党费按时足额收缴" in page and "测试数据 ≥ 95" in page
    event = AuditEvent.objects.get(action="standards.item_save")
    assert event.changes["after"]["title"] == "党费按时足额收缴" and not event.changes.get("before")


def test_a_refused_item_says_which_field_and_keeps_what_was_typed(client, cast, rural):
    standard, *_items = rural
    client.force_login(cast.city_organiser)
    response = client.post(reverse("standards:item_new", args=[standard.pk]), {
        "heading": "members", "title": "党员教育学时达标", "points": "10", "evidence": "computed",
        "fact_key": "", "threshold": "", "order": "4",
    })  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert "数据来源“”不存在" in body and "自动计算的条目需要 0–100 之间的达标值" in body
    assert 'value="党员教育学时达标"' in body
    assert not Item.objects.filter(title="党员教育学时达标").exists()
    response = client.post(reverse("standards:item_new", args=[standard.pk]), {
        "heading": "role", "title": "结对帮扶", "points": "5", "evidence": "checked",
        "fact_key": "test.fixed", "threshold": "", "order": "5",
    })  # fmt: skip
    assert "上级检查的条目不使用数据来源" in response.content.decode()


def test_a_change_reaches_the_next_computation_and_a_confirmed_rating_stands(cast, rural, fixed_source):
    standard, computed, _place, _role = rural
    fixed_source[cast.village_a.pk] = Decimal(85)  # ≥ 80: the 40 points are met
    services.ratings_compute(actor=cast.county_organiser, root=cast.county_a, year=YEAR)
    assert Rating.objects.get(organization=cast.village_a, year=YEAR).score == 40
    services.item_save(actor=cast.city_organiser, standard=standard, item=computed, heading="life",
                       title=computed.title, points=40, evidence="computed", fact_key="test.fixed",
                       threshold=Decimal(90), order=1)  # fmt: skip
    services.ratings_compute(actor=cast.county_organiser, root=cast.county_a, year=YEAR)
    assert Rating.objects.get(organization=cast.village_a, year=YEAR).score == 0  # 85 < 90 now


def test_only_the_top_organisation_s_organiser_edits_the_standards(client, cast, rural):
    standard, computed, *_rest = rural
    pages = [
        reverse("standards:item_new", args=[standard.pk]),
        reverse("standards:item_edit", args=[standard.pk, computed.pk]),
        reverse("standards:levels_edit", args=[standard.pk]),
    ]
    for user in (cast.county_organiser, cast.township_secretary, cast.outsider, cast.sysadmin):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 403, (user, url)
            assert client.post(url, {"title": "x"}).status_code == 403, (user, url)
        delete = reverse("standards:item_delete", args=[standard.pk, computed.pk])
        assert client.post(delete).status_code == 403
        page = client.get(reverse("standards:standard", args=[standard.pk]))
        assert page.status_code in (200, 403) and 'data-testid="item-new"' not in page.content.decode()
    assert Item.objects.filter(pk=computed.pk).exists()


def test_an_item_a_branch_has_filled_cannot_be_deleted_an_unused_one_can(client, cast, rural):
    standard, _computed, place, role = rural
    services.ratings_compute(actor=cast.county_organiser, root=cast.county_a, year=YEAR)
    rating = Rating.objects.get(organization=cast.village_a, year=YEAR)
    Check.objects.create(rating=rating, item=place, claimed=True, note="阵地已挂牌")
    client.force_login(cast.city_organiser)
    response = client.post(reverse("standards:item_delete", args=[standard.pk, place.pk]), follow=True)
    assert "已有党支部自评或上级认定过“活动阵地规范”，不能删除" in response.content.decode()
    assert Item.objects.filter(pk=place.pk).exists()
    response = client.post(reverse("standards:item_delete", args=[standard.pk, role.pk]), follow=True)
    assert "已删除“带领群众致富”" in response.content.decode()
    assert not Item.objects.filter(pk=role.pk).exists()
    assert AuditEvent.objects.filter(action="standards.item_delete").count() == 1


def test_levels_must_rise_with_their_rank_and_stay_within_full_marks(client, cast, rural):
    standard, *_items = rural
    levels = {lv.rank: lv for lv in standard.levels.all()}
    top = max(levels)
    data = {"below_label": "未定级"}
    for rank, level in levels.items():
        data[f"label_{rank}"], data[f"min_{rank}"] = level.label, level.min_score
    client.force_login(cast.city_organiser)
    url = reverse("standards:levels_edit", args=[standard.pk])
    response = client.post(url, {**data, f"min_{top}": "101"})  # full marks are 100
    assert "超过了标准的满分 100" in response.content.decode()
    response = client.post(url, {**data, f"min_{top - 1}": str(levels[top].min_score)})
    assert "等次越高，要求的得分越高" in response.content.decode()
    assert f'value="{levels[top].min_score}"' in response.content.decode()
    response = client.post(url, {**data, f"min_{top}": "95", f"label_{top}": "五星级"})
    assert response.status_code == 302
    standard.refresh_from_db()
    changed = standard.levels.get(rank=top)
    assert (changed.label, changed.min_score) == ("五星级", 95)
    assert AuditEvent.objects.filter(action="standards.levels_set").exists()
