"""The kept completeness and the scans' life: a member who left, scans removed or refused, the
checklist changed, the states filled for files that were there before the states were kept."""

import importlib
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.dossiers import selectors, services
from shuzhi.dossiers.models import FileState, Scan
from shuzhi.dossiers.tests.test_files import FULL, PROBATIONARY, fill, item, scan, stored_files
from shuzhi.lifecycle.services import departure_record

pytestmark = pytest.mark.django_db


def tallies(org) -> dict:
    return {
        k: (t.members, t.complete)
        for k, t in selectors.complete_by_prefix(within_path=org.path, width=0).items()
    }


def test_a_member_who_left_is_counted_out_once_per_organisation_by_hand(client, cast):
    actor = cast.township_secretary
    fill(actor, cast.member_a, FULL)  # complete, then leaves
    fill(actor, cast.secretary_a, FULL)  # complete, stays
    fill(actor, cast.member_a2, PROBATIONARY[:2])  # 预备党员, not complete
    departure_record(actor=cast.county_organiser, member=cast.member_a, kind="died", left_on=date(2025, 3, 1))
    # by hand: 王庄村 keeps 李秀英 (complete); 李集村 keeps 赵晨 (not complete); 王建国 is history
    assert tallies(cast.township_a) == {cast.village_a.path: (1, 1), cast.village_a2.path: (1, 0)}
    client.force_login(cast.county_organiser)
    response = client.get(reverse("dossiers:files", args=[cast.township_a.pk]))
    tally = response.context["tally"]
    assert (tally.members, tally.complete, tally.share) == (2, 1, Decimal("50.0"))
    rollup = {child.name: (t.members, t.complete) for child, t in response.context["children"]}
    assert rollup == {"王庄村党支部": (1, 1), "李集村党支部": (1, 0)}
    village = client.get(reverse("dossiers:files", args=[cast.village_a.pk])).context["tally"]
    assert (village.members, village.complete) == (1, 1)
    county = selectors.complete_by_prefix(within_path=cast.county_a.path, width=None)[cast.county_a.path]
    assert (county.members, county.complete) == (2, 1)


def test_the_refresh_drops_the_state_of_a_member_whose_scans_are_gone(cast):
    fill(cast.township_secretary, cast.secretary_a, FULL)
    assert FileState.objects.get(member=cast.secretary_a).full_ok
    Scan.objects.filter(member=cast.secretary_a).delete()  # a bulk repair, outside the services
    services.file_states_refresh(member_ids=[cast.secretary_a.pk])
    assert not FileState.objects.filter(member=cast.secretary_a).exists()
    assert selectors.overview(cast.village_a)[0].complete == 0
    fill(cast.township_secretary, cast.secretary_a, FULL)
    Scan.objects.filter(member=cast.secretary_a).delete()
    services.file_states_refresh(within_path=cast.township_a.path)  # by subtree too
    assert not FileState.objects.exists()


def test_a_refused_upload_leaves_no_file_behind(cast):
    refused = mock.patch.object(services, "audit_record", side_effect=RuntimeError("audit down"))
    with refused, pytest.raises(RuntimeError):
        services.scans_upload(actor=cast.township_secretary, member=cast.member_a, item=item("application"),
                              files=[scan("一.pdf"), scan("二.pdf", b"%PDF-1.4 other\n%%EOF\n")])  # fmt: skip
    assert Scan.objects.count() == 0 and stored_files() == []


def test_a_secretary_removes_a_wrong_scan_audited_the_file_deleted_and_the_file_counted_again(
    client, cast, django_capture_on_commit_callbacks
):
    fill(cast.township_secretary, cast.secretary_a, FULL)
    assert selectors.overview(cast.village_a)[0].complete == 1
    wrong = Scan.objects.get(member=cast.secretary_a, item__code="vetting")
    client.force_login(cast.township_secretary)
    member_url = reverse("dossiers:member", args=[cast.secretary_a.pk])
    page = client.get(member_url).content.decode()
    remove_url = reverse("dossiers:scan_remove", args=[cast.secretary_a.pk, wrong.pk])
    assert f'action="{remove_url}"' in page and "data-confirm" in page and "删除后文件不能恢复" in page
    files_before = len(stored_files())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url)
    assert response.status_code == 302 and response["Location"] == member_url
    assert not Scan.objects.filter(pk=wrong.pk).exists() and len(stored_files()) == files_before - 1
    event = AuditEvent.objects.get(action="dossiers.scan_remove")
    assert (
        event.actor == cast.township_secretary
        and event.changes["before"]["item"] == "政治审查材料（政审综合报告）"
    )
    after = client.get(member_url)
    assert after.context["complete"] is False and "已删除李秀英的扫描件" in after.content.decode()
    assert not FileState.objects.get(member=cast.secretary_a).full_ok
    assert selectors.overview(cast.village_a)[0].complete == 0
    # the last scan of a member goes, and with it their kept state
    for left in Scan.objects.filter(member=cast.secretary_a):
        services.scan_remove(actor=cast.township_secretary, scan=left)
    assert not FileState.objects.filter(member=cast.secretary_a).exists()


def test_removing_a_scan_is_refused_to_the_wrong_role_by_get_and_outside_the_subtree(client, cast):
    [found] = services.scans_upload(actor=cast.township_secretary, member=cast.member_a,
                                    item=item("application"), files=[scan()])  # fmt: skip
    url = reverse("dossiers:scan_remove", args=[cast.member_a.pk, found.pk])
    assert client.post(url)["Location"].startswith(reverse("accounts:login"))
    for who in ("member_user", "reviewer", "auditor"):
        client.force_login(getattr(cast, who))
        assert client.post(url).status_code == 403, who
    client.force_login(cast.township_secretary)
    assert client.get(url).status_code == 405
    assert client.post(reverse("dossiers:scan_remove", args=[cast.member_a2.pk, found.pk])).status_code == 404
    client.force_login(cast.outsider)
    assert client.post(url).status_code == 404
    assert Scan.objects.filter(pk=found.pk).exists() and len(stored_files()) == 1
    assert not AuditEvent.objects.filter(action="dossiers.scan_remove").exists()
    client.force_login(cast.member_user)  # their own file shows no remove button
    assert "scan_remove" not in client.get(reverse("dossiers:mine")).content.decode()
    assert "/remove/" not in client.get(reverse("dossiers:mine")).content.decode()


def test_the_migration_fills_the_states_of_files_stored_before_they_were_kept(cast):
    from django.apps import apps

    fill(cast.township_secretary, cast.member_a, FULL)
    fill(cast.township_secretary, cast.secretary_a, FULL[:3])
    fill(cast.township_secretary, cast.member_a2, PROBATIONARY)
    FileState.objects.all().delete()  # as 0004 left a database whose scans were there before it
    assert selectors.overview(cast.township_a)[0].complete == 0
    importlib.import_module("shuzhi.dossiers.migrations.0005_fill_file_states").fill(apps, None)
    states = {s.member_id: (s.full_ok, s.probationary_ok) for s in FileState.objects.all()}
    assert states == {cast.member_a.pk: (True, True), cast.secretary_a.pk: (False, False),
                      cast.member_a2.pk: (False, True)}  # fmt: skip
    tally = selectors.overview(cast.township_a)[0]
    assert (tally.members, tally.complete) == (3, 2)


def test_changing_the_checklist_counts_every_file_again_without_a_manual_refresh(client, cast):
    fill(cast.township_secretary, cast.secretary_a, FULL[:-1])  # lacks the 转正 approval only
    fill(cast.township_secretary, cast.member_a, FULL)
    assert selectors.overview(cast.township_a)[0].complete == 1
    client.force_login(cast.city_organiser)
    url = reverse("dossiers:checklist")
    page = client.get(url).content.decode()
    assert "转正材料（支部大会决议、上级党委审批意见）" in page and 'name="full_only"' in page
    response = client.post(url, {"item": item(FULL[-1]).pk})  # neither box: optional
    assert response.status_code == 302
    assert "按新目录重新计算" in client.get(url).content.decode()
    assert not item(FULL[-1]).required
    tally = selectors.overview(cast.township_a)[0]
    assert (tally.members, tally.complete) == (3, 2)  # 王建国 and 李秀英, counted by hand
    event = AuditEvent.objects.get(action="dossiers.checklist_item_set")
    assert event.actor == cast.city_organiser and event.changes["before"] == {
        "required": True,
        "full_only": True,
    }
    # required again, of everyone: 赵晨 (预备党员) lacks it too, and so does 李秀英
    fill(cast.township_secretary, cast.member_a2, PROBATIONARY)
    assert client.post(url, {"item": item(FULL[-1]).pk, "required": "on"}).status_code == 302
    assert selectors.overview(cast.township_a)[0].complete == 1
    assert client.get(reverse("dossiers:member", args=[cast.member_a2.pk])).context["complete"] is False


def test_the_checklist_is_set_only_at_the_top_and_refused_in_chinese(client, cast):
    url = reverse("dossiers:checklist")
    client.force_login(cast.city_organiser)
    refused = client.post(url, {"item": item("application").pk, "full_only": "on"})
    assert refused.status_code == 400 and "请同时勾选“必备”" in refused.content.decode()
    assert item("application").required and not item("application").full_only
    assert client.post(url, {"item": 999999, "required": "on"}).status_code == 404
    client.force_login(cast.county_organiser)
    page = client.get(url)
    assert page.status_code == 200 and 'name="full_only"' not in page.content.decode()
    assert client.post(url, {"item": item("application").pk}).status_code == 403
    for who in ("member_user", "reviewer", "auditor"):
        client.force_login(getattr(cast, who))
        assert client.get(url).status_code == 403, who
    assert item("application").required
    assert not AuditEvent.objects.filter(action="dossiers.checklist_item_set").exists()
