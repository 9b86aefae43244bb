import io
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuzhi.core import facts
from shuzhi.core.files import is_sealed
from shuzhi.core.models import AuditEvent
from shuzhi.dossiers import selectors, services
from shuzhi.dossiers.models import ChecklistItem, Scan
from shuzhi.lifecycle.models import Applicant
from shuzhi.lifecycle.tests.helpers import pdf, start

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FULL = ["application", "autobiography", "activist_review", "candidate_filing", "vetting", "training",
        "volunteer_form", "conversion_request", "conversion_approval"]  # fmt: skip
PROBATIONARY = FULL[:-2]


def scan(name: str = "扫描件.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def item(code: str) -> ChecklistItem:
    return ChecklistItem.objects.get(code=code)


def fill(actor, member, codes) -> None:
    for code in codes:
        services.scans_upload(actor=actor, member=member, item=item(code), files=[scan()])


def stored_files() -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_checklist_is_seeded_with_the_usual_materials_required_and_optional():
    names = list(ChecklistItem.objects.values_list("name", flat=True))
    assert names[0] == "入党申请书" and "自传" in names and "入党志愿书" in names and "转正申请书" in names
    assert sorted(ChecklistItem.objects.filter(required=True).values_list("code", flat=True)) == sorted(FULL)
    assert set(ChecklistItem.objects.filter(full_only=True).values_list("code", flat=True)) == set(FULL[-2:])


def test_a_secretary_uploads_a_scan_which_is_sealed_audited_and_completes_the_entry(client, cast):
    client.force_login(cast.township_secretary)
    url = reverse("dossiers:member", args=[cast.member_a.pk])
    response = client.post(url, {"item": item("autobiography").pk, "files": [scan("自传.pdf")]})
    assert response.status_code == 302
    found = Scan.objects.get()
    assert (found.member, found.item.code, found.uploaded_by) == (
        cast.member_a,
        "autobiography",
        cast.township_secretary,
    )
    [path] = stored_files()
    assert is_sealed(path.read_bytes()) and PDF not in path.read_bytes()
    event = AuditEvent.objects.get(action="dossiers.scan_upload")
    assert event.actor == cast.township_secretary and event.changes["after"]["item"] == "自传"
    page = client.get(url).content.decode()
    assert "自传.pdf" in page and "李秀英" in page  # who uploaded, and when
    download = client.get(reverse("dossiers:scan", args=[cast.member_a.pk, found.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_a_file_that_is_not_a_scan_is_refused_in_chinese_and_nothing_is_stored(client, cast):
    client.force_login(cast.township_secretary)
    url = reverse("dossiers:member", args=[cast.member_a.pk])
    good = scan("申请书.pdf")
    bad = SimpleUploadedFile("自传.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    response = client.post(url, {"item": item("application").pk, "files": [good, bad]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "“自传.pdf”" in page and "PDF" in page
    assert response.context["form"]["item"].value() == str(item("application").pk)  # what was chosen stays
    assert Scan.objects.count() == 0 and stored_files() == []
    assert not AuditEvent.objects.filter(action="dossiers.scan_upload").exists()


def test_an_empty_upload_is_refused(client, cast):
    client.force_login(cast.township_secretary)
    response = client.post(
        reverse("dossiers:member", args=[cast.member_a.pk]), {"item": item("application").pk}
    )
    assert response.status_code == 200 and "请选择要上传的扫描件" in response.content.decode()


def test_completeness_per_member_and_per_organisation_as_counted_by_hand(client, cast):
    actor = cast.township_secretary
    fill(actor, cast.member_a, FULL)  # complete
    fill(actor, cast.secretary_a, FULL[:-1])  # lacks 转正材料
    fill(actor, cast.member_a2, PROBATIONARY)  # 预备党员: complete without the 转正 materials
    client.force_login(cast.county_organiser)
    response = client.get(reverse("dossiers:files", args=[cast.township_a.pk]))
    tally = response.context["tally"]
    assert (tally.members, tally.complete, tally.share) == (3, 2, Decimal("66.7"))
    rollup = {child.name: (t.members, t.complete, t.share) for child, t in response.context["children"]}
    assert rollup == {"王庄村党支部": (2, 1, Decimal("50.0")), "李集村党支部": (1, 1, Decimal("100.0"))}
    gaps = {g.member.name: [i.code for i in g.missing] for g in response.context["rows"]}
    assert gaps == {"王建国": [], "李秀英": ["conversion_approval"], "赵晨": []}
    page = response.content.decode()
    assert "转正材料（支部大会决议、上级党委审批意见）" in page
    member_page = client.get(reverse("dossiers:member", args=[cast.secretary_a.pk]))
    assert member_page.context["complete"] is False and "档案不全" in member_page.content.decode()
    subjects = [facts.Subject(id=o.pk, path=o.path) for o in (cast.county_a, cast.village_a, cast.county_b)]
    found = facts.collect("dossiers.files_complete", year=2025, subjects=subjects)
    assert found[cast.county_a.pk].value == Decimal("66.67")
    assert found[cast.village_a.pk].value == Decimal("50.00")
    assert found[cast.county_b.pk].value == Decimal("0.00")  # 张伟's file holds nothing
    assert found[cast.county_a.pk].evidence[0].link == reverse("dossiers:files", args=[cast.county_a.pk])


def test_the_scans_of_the_members_development_path_count_for_their_file(client, cast):
    actor = cast.township_secretary
    applicant = start(actor=actor, org=cast.village_a2, applied_on=date(2024, 3, 4), name="赵晨",
                      birth=date(2000, 1, 15), files=[pdf()])  # fmt: skip
    Applicant.objects.filter(pk=applicant.pk).update(member=cast.member_a2)
    fill(actor, cast.member_a2, PROBATIONARY[1:])  # everything but the application itself
    client.force_login(actor)
    response = client.get(reverse("dossiers:member", args=[cast.member_a2.pk]))
    assert response.context["complete"] is True
    assert "发展党员材料中已有" in response.content.decode()
    assert client.get(reverse("dossiers:files", args=[cast.village_a2.pk])).context["tally"].complete == 1


def test_a_member_sees_their_own_checklist_and_no_one_elses(client, cast):
    fill(cast.township_secretary, cast.member_a, ["application"])
    fill(cast.township_secretary, cast.secretary_a, FULL)
    client.force_login(cast.member_user)
    response = client.get(reverse("dossiers:mine"))
    assert response.status_code == 200
    rows = {r.item.code: r.held for r in response.context["rows"]}
    assert rows["application"] and not rows["autobiography"]
    assert response.context["member"] == cast.member_a and "档案不全" in response.content.decode()
    assert "扫描件.pdf" not in response.content.decode()
    assert client.get(reverse("dossiers:index"))["Location"] == reverse("dossiers:mine")
    theirs = Scan.objects.filter(member=cast.secretary_a).first()
    for url in (
        reverse("dossiers:files", args=[cast.village_a.pk]),
        reverse("dossiers:member", args=[cast.secretary_a.pk]),
        reverse("dossiers:member", args=[cast.member_a.pk]),
        reverse("dossiers:scan", args=[cast.secretary_a.pk, theirs.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_another_county_gets_404_on_every_page_and_file(client, cast):
    found = services.scans_upload(actor=cast.township_secretary, member=cast.member_a, item=item("application"),
                                  files=[scan()])[0]  # fmt: skip
    client.force_login(cast.outsider)
    for url in (
        reverse("dossiers:files", args=[cast.county_a.pk]),
        reverse("dossiers:files", args=[cast.village_a.pk]),
        reverse("dossiers:member", args=[cast.member_a.pk]),
        reverse("dossiers:scan", args=[cast.member_a.pk, found.pk]),
        reverse("dossiers:scan", args=[cast.member_b.pk, found.pk]),
        reverse("dossiers:talents", args=[cast.village_a.pk]),
        reverse("dossiers:community", args=[cast.village_a.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("dossiers:member", args=[cast.member_a.pk]),
                           {"item": item("application").pk, "files": [scan()]})  # fmt: skip
    assert response.status_code == 404 and Scan.objects.count() == 1
    page = client.get(reverse("dossiers:files", args=[cast.county_b.pk])).content.decode()
    assert "张伟" in page and "王建国" not in page


@pytest.mark.parametrize("who", ["reviewer", "sysadmin", "auditor"])
def test_people_without_the_roster_get_403(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("dossiers:files", args=[cast.village_a.pk])).status_code == 403


def test_a_county_organiser_may_read_but_a_reviewer_may_not_upload_and_methods_are_checked(client, cast):
    assert client.get(reverse("dossiers:files", args=[cast.village_a.pk]))["Location"].startswith(
        reverse("accounts:login")
    )
    client.force_login(cast.county_organiser)
    assert client.post(reverse("dossiers:files", args=[cast.village_a.pk])).status_code == 405
    assert client.post(reverse("dossiers:scan", args=[cast.member_a.pk, 1])).status_code == 405


def test_the_files_page_reads_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    fill(cast.township_secretary, cast.member_a, FULL)
    fill(cast.township_secretary, cast.secretary_a, FULL[:3])
    client.force_login(cast.county_organiser)
    with django_assert_max_num_queries(17):
        response = client.get(reverse("dossiers:files", args=[cast.county_a.pk]))
    assert response.status_code == 200


def test_the_kept_states_are_rebuilt_by_the_command_after_the_checklist_changes(cast):
    from django.core.management import call_command

    fill(cast.township_secretary, cast.secretary_a, FULL[:-1])
    assert selectors.overview(cast.village_a)[0].complete == 0
    ChecklistItem.objects.filter(code=FULL[-1]).update(required=False)
    call_command("files_refresh", stdout=io.StringIO())
    assert selectors.overview(cast.village_a)[0].complete == 1
