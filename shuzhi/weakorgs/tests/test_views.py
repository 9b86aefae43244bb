"""The pages as a person uses them: the right role sees them, others get 403/404, wrong methods
405, a neighbour county's organisation stays out of sight, and list pages' queries are pinned."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuzhi.testing.records import PNG, branch_secretary
from shuzhi.weakorgs import rules, services
from shuzhi.weakorgs.models import Entry, Rule

pytestmark = pytest.mark.django_db
YEAR = date.today().year
PLAN = {"problems": "班子软弱", "measures": "调整班子", "deadline": f"{YEAR}-12-31", "responsible_leader": "刘强",
        "liaison_leader": "陈明", "first_secretary": "张扬"}  # fmt: skip


@pytest.fixture
def entry(cast):
    return services.entry_add(
        actor=cast.county_organiser, org=cast.village_a, year=YEAR, reason="组织生活不正常"
    )


@pytest.fixture
def b_entry(cast):
    return services.entry_add(actor=cast.outsider, org=cast.village_b, year=YEAR, reason="外区")


def test_the_flags_page_shows_hits_with_evidence_and_no_data_rules(client, cast):
    services.flags_compute(year=YEAR)
    client.force_login(cast.county_organiser)
    response = client.get(reverse("weakorgs:index"), {"year": YEAR})
    assert response.status_code == 200
    text = response.content.decode()
    assert "王庄村党支部" in text and "张楼村党支部" not in text  # only the viewer's subtree
    assert "无数据" in text and "/records/orgs/" in text


@pytest.mark.parametrize("who", ["member_user", "reviewer", "sysadmin", "auditor"])
def test_people_without_rectification_rights_get_403(client, cast, who, entry):
    client.force_login(getattr(cast, who))
    for url in (reverse("weakorgs:index"), reverse("weakorgs:watchlist"), reverse("weakorgs:rules"),
                reverse("weakorgs:entry", args=[entry.pk]), reverse("weakorgs:org", args=[cast.village_a.pk])):  # fmt: skip
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("weakorgs:index"))
    assert response.status_code == 302 and "login" in response.url


def test_another_countys_entries_and_organisations_are_404(client, cast, b_entry):
    client.force_login(cast.county_organiser)
    assert client.get(reverse("weakorgs:entry", args=[b_entry.pk])).status_code == 404
    assert client.get(reverse("weakorgs:org", args=[cast.village_b.pk])).status_code == 404
    response = client.post(reverse("weakorgs:entry_add", args=[cast.village_b.pk]), {"reason": "越界"})
    assert response.status_code == 404
    assert client.post(reverse("weakorgs:close", args=[b_entry.pk])).status_code == 404
    response = client.get(reverse("weakorgs:watchlist"), {"year": YEAR})
    assert "张楼村党支部" not in response.content.decode()


def test_wrong_methods_are_405(client, cast, entry):
    client.force_login(cast.county_organiser)
    assert client.get(reverse("weakorgs:compute")).status_code == 405
    assert client.get(reverse("weakorgs:close", args=[entry.pk])).status_code == 405
    assert client.get(reverse("weakorgs:plan", args=[entry.pk])).status_code == 405
    assert client.post(reverse("weakorgs:index")).status_code == 405
    assert client.delete(reverse("weakorgs:rule_edit", args=[Rule.objects.first().pk])).status_code == 405


def test_an_organiser_confirms_a_flagged_organisation_onto_the_list(client, cast):
    services.flags_compute(year=YEAR)
    client.force_login(cast.county_organiser)
    url = reverse("weakorgs:entry_add", args=[cast.village_a.pk]) + f"?year={YEAR}"
    response = client.post(url, {"reason": "组织生活长期不正常"})
    entry = Entry.objects.get(organization=cast.village_a, year=YEAR)
    assert response.status_code == 302 and response.url == entry.get_absolute_url()
    assert {f["rule"] for f in entry.flags} >= {rules.LIFE_BELOW}
    response = client.post(url, {"reason": ""}, follow=True)
    assert "理由" in response.content.decode()


def test_a_secretary_cannot_list_but_writes_the_plan_and_a_bad_plan_keeps_what_was_typed(client, cast, entry):
    secretary = branch_secretary(cast.village_a)
    client.force_login(secretary)
    response = client.post(
        reverse("weakorgs:entry_add", args=[cast.village_a.pk]), {"reason": "自己"}, follow=True
    )
    assert "只有上级组织部" in response.content.decode()
    response = client.post(
        reverse("weakorgs:plan", args=[entry.pk]), {**PLAN, "measures": "", "problems": "我写的问题"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "我写的问题" in text and "整顿措施" in text
    response = client.post(reverse("weakorgs:plan", args=[entry.pk]), PLAN)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.first_secretary == "张扬" and entry.has_plan


def test_the_whole_journey_through_the_pages(client, cast, entry):
    secretary = branch_secretary(cast.village_a)
    client.force_login(secretary)
    client.post(reverse("weakorgs:plan", args=[entry.pk]), PLAN)
    response = client.post(reverse("weakorgs:progress", args=[entry.pk]),
                           {"on": date.today().isoformat(), "text": "补选书记", "files": [SimpleUploadedFile("照片.png", PNG)]})  # fmt: skip
    assert response.status_code == 302
    client.post(reverse("weakorgs:request", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == Entry.Status.AWAITING
    file_pk = entry.progress.get().files.get().pk
    assert client.get(reverse("weakorgs:evidence", args=[entry.pk, file_pk])).status_code == 200
    assert (
        client.post(
            reverse("weakorgs:decide", args=[entry.pk]), {"decision": "pass", "opinion": "自己验收"}
        ).status_code
        == 400
    )
    client.force_login(cast.county_organiser)
    response = client.post(
        reverse("weakorgs:decide", args=[entry.pk]), {"decision": "pass", "opinion": "同意验收"}
    )
    assert response.status_code == 302
    client.post(reverse("weakorgs:close", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == Entry.Status.CLOSED
    client.force_login(cast.outsider)
    assert client.get(reverse("weakorgs:evidence", args=[entry.pk, file_pk])).status_code == 404


def test_only_the_top_organiser_changes_a_rule_and_bad_values_are_refused_in_place(client, cast):
    rule = Rule.objects.get(key=rules.LIFE_BELOW)
    client.force_login(cast.county_organiser)
    assert client.get(reverse("weakorgs:rule_edit", args=[rule.pk])).status_code == 403
    client.force_login(cast.city_organiser)
    response = client.post(
        reverse("weakorgs:rule_edit", args=[rule.pk]), {"threshold": "150", "enabled": "on"}
    )
    assert response.status_code == 400 and "不能超过 100" in response.content.decode()
    response = client.post(reverse("weakorgs:rule_edit", args=[rule.pk]),
                           {"threshold": "90", "fields_": ["rural", "community"], "enabled": "on"})  # fmt: skip
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.threshold == 90 and rule.fields == ["community", "rural"]


def test_the_watchlist_counts_the_ratio_practice(client, cast, entry):
    client.force_login(cast.county_organiser)
    response = client.get(reverse("weakorgs:watchlist"), {"year": YEAR})
    assert response.status_code == 200
    ratios = {r.field: r for r in response.context["ratios"]}
    assert ratios["rural"].total == 2 and ratios["rural"].required == 1 and ratios["rural"].listed == 1


def test_list_pages_run_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    from shuzhi.testing.factories import OrganizationFactory

    for n in range(6):
        org = OrganizationFactory(name=f"村{n}", code=f"C01001{n + 10:03d}", parent=cast.township_a)
        services.entry_add(actor=cast.county_organiser, org=org, year=YEAR, reason="测试")
    services.flags_compute(year=YEAR)
    client.force_login(cast.county_organiser)
    client.get(reverse("weakorgs:index"))  # warm the session
    with django_assert_num_queries(10):
        assert client.get(reverse("weakorgs:index"), {"year": YEAR}).status_code == 200
    with django_assert_num_queries(8):
        assert client.get(reverse("weakorgs:watchlist"), {"year": YEAR}).status_code == 200
