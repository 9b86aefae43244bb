"""基本保障 as people use it: the city sets the floors, villages' figures are entered or imported
(refused whole with row/column reasons), the compliance table counts by hand, the .xlsx, the
约谈 draft confirmed as 问责, the fact for the assessment, and what another county never sees."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shuzhi.core import facts
from shuzhi.core.models import AuditEvent
from shuzhi.rectification.models import Accountability
from shuzhi.testing.sheets import xlsx
from shuzhi.weakorgs import guarantee_services as services
from shuzhi.weakorgs.models import GuaranteeFigure, GuaranteeFloor, TalkDraft

pytestmark = pytest.mark.django_db
YEAR = date.today().year
FLOOR = {"rural_income": "20000", "operating_total": "10", "secretary_ratio": "2", "deputy_percent": "70",
         "dual_percent": "100", "office_funds": "2", "service_funds": "5", "training_per_member": "100",
         "workers_per_thousand": "1.8"}  # fmt: skip
SHORT = {"operating_total": "12", "secretary_pay": "38000", "deputy_pay": "30000", "office_funds": "2",
         "service_funds": "5", "training_funds": "1000", "members": "10"}  # fmt: skip
MET = {"operating_total": "10", "secretary_pay": "40000", "office_funds": "2", "service_funds": "5",
       "training_funds": "500", "members": "5"}  # fmt: skip
HEADERS = ["村（社区）", "村级组织运转经费合计（万元）", "书记基本报酬（元）", "一肩挑", "副职基本报酬（元）",
           "办公经费（万元）", "服务群众专项经费（万元）", "党员教育培训经费（元）", "党员数"]  # fmt: skip


@pytest.fixture
def floor(client, cast):
    client.force_login(cast.city_organiser)
    response = client.post(reverse("weakorgs:floor_edit") + f"?year={YEAR}", FLOOR)
    assert response.status_code == 302
    client.logout()
    return GuaranteeFloor.objects.get(year=YEAR)


@pytest.fixture
def figures(client, cast, floor):
    client.force_login(cast.county_organiser)
    for org, data in ((cast.village_a, SHORT), (cast.village_a2, MET)):
        response = client.post(reverse("weakorgs:figure", args=[org.pk]) + f"?year={YEAR}", data)
        assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()


def test_the_city_organiser_sets_the_years_floors_and_it_is_audited(client, cast, floor):
    assert floor.organization == cast.city and floor.secretary_ratio == Decimal(2)
    assert AuditEvent.objects.filter(action="weakorgs.floor_set").count() == 1
    client.force_login(cast.county_organiser)
    page = client.get(reverse("weakorgs:floors"), {"year": YEAR})
    assert "中共云州市委员会" in page.content.decode() and "20000" in page.content.decode()
    assert client.get(reverse("weakorgs:floor_edit")).status_code == 403  # a county sets no floor
    assert client.post(reverse("weakorgs:floor_edit"), FLOOR).status_code == 403


def test_a_ratio_without_the_rural_income_is_refused_and_what_was_typed_stays(client, cast):
    client.force_login(cast.city_organiser)
    response = client.post(
        reverse("weakorgs:floor_edit"), {**FLOOR, "rural_income": "", "office_funds": "3.5"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "农村居民人均可支配收入" in text and 'value="3.5"' in text
    assert not GuaranteeFloor.objects.exists()


def test_an_entered_village_shows_its_shortfall_with_required_and_actual(client, cast, figures):
    client.force_login(cast.county_organiser)
    page = client.get(reverse("weakorgs:figure", args=[cast.village_a.pk]), {"year": YEAR}).content.decode()
    assert "书记（主职）基本报酬：应不低于 40000.00 元/年，实际 38000.00 元/年" in page
    assert GuaranteeFigure.objects.get(organization=cast.village_a).recorded_by == cast.county_organiser


def test_the_compliance_table_counts_by_hand_per_county_and_per_township(client, cast, figures):
    client.force_login(cast.city_organiser)
    response = client.get(reverse("weakorgs:guarantees"), {"year": YEAR})
    assert response.status_code == 200
    rows = {r.org.name: (r.units, r.reported, r.met, r.short, r.unreported) for r in response.context["rows"]}
    assert rows == {"中共云州市东湖区委员会": (2, 2, 1, 1, 0), "中共云州市西山区委员会": (1, 0, 0, 0, 1)}
    text = response.content.decode()
    assert 'id="guarantee-data"' in text and "guarantee-chart" in text and "<script>" not in text
    assert "王庄村党支部" in text and "应不低于 40000.00" in text  # the shortfall named
    town = client.get(reverse("weakorgs:guarantees"), {"year": YEAR, "org": cast.county_a.pk})
    assert [(r.org.name, r.units, r.met) for r in town.context["rows"]] == [("中共东湖区柳泉镇委员会", 2, 1)]


def test_the_export_has_every_village_and_its_shortfalls(client, cast, figures):
    client.force_login(cast.city_organiser)
    response = client.get(reverse("weakorgs:guarantees_xlsx"), {"year": YEAR})
    assert response.status_code == 200
    rows = CalamineWorkbook.from_object(BytesIO(response.content)).get_sheet_by_index(0).to_python()
    body = {row[1]: row for row in rows[1:] if row[1]}
    assert set(body) == {"王庄村党支部", "李集村党支部", "张楼村党支部"}
    assert (
        body["王庄村党支部"][4] == "否" and "书记（主职）基本报酬应不低于 40000.00" in body["王庄村党支部"][6]
    )
    assert body["张楼村党支部"][3] == "否"  # not reported


def test_another_countys_organiser_never_sees_this_county(client, cast, figures):
    client.force_login(cast.outsider)
    assert client.get(reverse("weakorgs:guarantees"), {"org": cast.county_a.pk}).status_code == 404
    assert client.get(reverse("weakorgs:guarantees_xlsx"), {"org": cast.county_a.pk}).status_code == 404
    assert client.get(reverse("weakorgs:figure", args=[cast.village_a.pk])).status_code == 404
    assert client.post(reverse("weakorgs:figure", args=[cast.village_a.pk]), MET).status_code == 404
    own = client.get(reverse("weakorgs:guarantees_xlsx"), {"year": YEAR})
    names = {
        row[1] for row in CalamineWorkbook.from_object(BytesIO(own.content)).get_sheet_by_index(0).to_python()
    }
    assert "张楼村党支部" in names and "王庄村党支部" not in names


@pytest.mark.parametrize("who", ["member_user", "reviewer"])
def test_people_without_rectification_rights_get_403_on_page_and_export(client, cast, who):
    client.force_login(getattr(cast, who))
    for url in (
        reverse("weakorgs:guarantees"),
        reverse("weakorgs:guarantees_xlsx"),
        reverse("weakorgs:floors"),
    ):
        assert client.get(url).status_code == 403, url


def test_wrong_methods_are_405(client, cast):
    client.force_login(cast.city_organiser)
    assert client.post(reverse("weakorgs:guarantees")).status_code == 405
    assert client.get(reverse("weakorgs:talks_suggest")).status_code == 405


def _upload(client, rows, headers=HEADERS):
    content = xlsx(rows, headers=headers)
    return client.post(reverse("weakorgs:figures_import") + f"?year={YEAR}",
                       {"file": SimpleUploadedFile("落实情况.xlsx", content)})  # fmt: skip


def test_an_imported_sheet_writes_every_village(client, cast, floor):
    client.force_login(cast.county_organiser)
    response = _upload(client, [["王庄村党支部", 12, "38000元", "否", 30000, 2, 5, 1000, 10],
                                ["李集村党支部", 10, 40000, "是", None, 2, 5, 500, None]])  # fmt: skip
    assert response.status_code == 302
    a2 = GuaranteeFigure.objects.get(organization=cast.village_a2, year=YEAR)
    cast.village_a2.refresh_from_db()
    assert a2.dual_role and a2.deputy_pay is None and a2.members == cast.village_a2.total_members
    assert GuaranteeFigure.objects.get(organization=cast.village_a).secretary_pay == Decimal(38000)
    assert AuditEvent.objects.filter(action="weakorgs.figures_import").count() == 1


def test_a_sheet_with_bad_rows_is_refused_whole_naming_row_column_and_why(client, cast, floor):
    client.force_login(cast.county_organiser)
    response = _upload(client, [["王庄村党支部", 12, 38000, "否", 30000, 2, 5, 1000, 10],
                                ["张楼村党支部", 10, 40000, "否", None, 2, 5, 500, 5],
                                ["李集村党支部", "十万", 40000, "也许", None, 2, 5, 500, 5]])  # fmt: skip
    assert response.status_code == 400
    problems = response.context["problems"]
    assert any(p.startswith("第 3 行 村（社区）：“张楼村党支部”不是本单位下的村或社区") for p in problems)
    assert "第 4 行 村级组织运转经费合计：“十万”不是金额。" in problems
    assert any(p.startswith("第 4 行 一肩挑：“也许”") for p in problems)
    assert not GuaranteeFigure.objects.exists()


def test_a_sheet_without_the_needed_columns_is_refused(client, cast):
    client.force_login(cast.county_organiser)
    response = _upload(client, [["王庄村党支部", 12]], headers=["村（社区）", "村级组织运转经费合计"])
    assert response.status_code == 400
    assert "表头缺少：书记基本报酬、办公经费" in response.context["problems"][0]
    assert not GuaranteeFigure.objects.exists()


def test_a_talk_is_suggested_for_the_short_county_and_confirmed_as_a_talk_accountability(
    client, cast, figures
):
    client.force_login(cast.city_organiser)
    client.post(reverse("weakorgs:talks_suggest") + f"?year={YEAR}")
    draft = TalkDraft.objects.get()
    assert draft.organization == cast.county_a and draft.status == TalkDraft.Status.DRAFT
    assert "书记（主职）基本报酬 1 个" in draft.reason
    client.force_login(cast.county_organiser)  # the county cannot confirm its own 约谈
    client.post(
        reverse("weakorgs:talk_confirm", args=[draft.pk]), {"person": "赵书记", "reason": "经费不到位"}
    )
    assert not Accountability.objects.exists()
    client.force_login(cast.outsider)
    assert (
        client.post(
            reverse("weakorgs:talk_confirm", args=[draft.pk]), {"person": "x", "reason": "y"}
        ).status_code
        == 404
    )
    client.force_login(cast.city_organiser)
    client.post(
        reverse("weakorgs:talk_confirm", args=[draft.pk]), {"person": "赵书记", "reason": "经费不到位"}
    )
    record = Accountability.objects.get()
    assert (record.kind, record.person, record.organization) == ("talk", "赵书记", cast.county_a)
    draft.refresh_from_db()
    assert draft.status == TalkDraft.Status.CONFIRMED and draft.accountability == record
    assert services.talks_suggest(actor=cast.city_organiser, year=YEAR) == 0  # once a county and year


def test_the_fact_is_the_share_of_villages_meeting_every_floor_with_links(cast, figures):
    subjects = [
        facts.Subject(id=o.id, path=o.path, name=o.name) for o in (cast.city, cast.county_a, cast.county_b)
    ]
    found = facts.collect("weakorgs.guarantee_compliance", year=YEAR, subjects=subjects)
    assert found[cast.city.id].value == Decimal("33.33")
    assert found[cast.county_a.id].value == Decimal("50.00")
    assert found[cast.county_b.id].value == Decimal("0.00")  # not reported: not met
    assert f"org={cast.county_a.id}" in found[cast.county_a.id].evidence[0].link
    assert (
        facts.collect("weakorgs.guarantee_compliance", year=YEAR - 1, subjects=subjects)[cast.city.id].value
        is None
    )


def test_the_compliance_page_reads_in_a_fixed_number_of_queries(
    client, cast, figures, django_assert_max_num_queries
):
    from shuzhi.testing.factories import OrganizationFactory

    client.force_login(cast.city_organiser)
    client.get(reverse("weakorgs:guarantees"), {"year": YEAR})
    for n in range(10):
        OrganizationFactory(name=f"新村{n}", code=f"C02001{n + 10:03d}", parent=cast.township_b)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("weakorgs:guarantees"), {"year": YEAR}).status_code == 200
