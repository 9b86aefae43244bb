"""Exports of the roster and the organisation tree: what the file holds (no formulas, real dates,
whole or masked personal data), that it goes back in unchanged, who may make and fetch it, and
the audit trail it leaves."""

import json
import re
import zipfile
from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shuzhi.core.models import AuditEvent
from shuzhi.core.roles import Role
from shuzhi.exchange.models import ExchangeJob
from shuzhi.exchange.services import export_job_create
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.testing.factories import MemberFactory, OrganizationFactory, UserFactory
from shuzhi.testing.jobs import run_queued_jobs
from shuzhi.testing.sheets import MEMBER_HEADERS, ORG_HEADERS

EXPORT_MEMBERS = reverse("exchange:export_members")
EXPORT_ORGS = reverse("exchange:export_orgs")
FORMULA_NAMES = ('=HYPERLINK("http://x","点我")', "+1", "-2", "@SUM(A1)")
COUNTY_A_NAMES = {"王建国", "李秀英", "赵晨"}
# where the columns sit in an exported roster (MEMBER_HEADERS order)
NAME, ID_NUMBER, BIRTH, PHONE, JOINED, FULL, ORG = 0, 1, 4, 5, 7, 8, 11


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads and exports go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _masked(digits: str) -> str:
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _export(client, user, url: str, data: dict) -> ExchangeJob:
    """Post an export as `user`, check it is queued and shown, run the worker, return the job."""
    client.force_login(user)
    before = set(ExchangeJob.objects.values_list("pk", flat=True))
    response = client.post(url, data)
    job = ExchangeJob.objects.exclude(pk__in=before).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:job", args=[job.pk])
    assert (job.direction, job.status, job.created_by) == ("export", "queued", user)
    run_queued_jobs()
    job.refresh_from_db()
    assert job.status == ExchangeJob.Status.SUCCEEDED, job.message
    return job


def _download(client, job: ExchangeJob) -> bytes:
    response = client.get(reverse("exchange:download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _rows(content: bytes, title: str) -> list[tuple]:
    sheet = load_workbook(BytesIO(content))[title]
    return list(sheet.iter_rows(min_row=2, values_only=True))


def _assert_no_formula_anywhere(content: bytes) -> None:
    book = load_workbook(BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    # and in the file itself: no <f> element in any sheet
    with zipfile.ZipFile(BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name


# ---- what the file holds ---------------------------------------------------------------------


def test_a_member_export_writes_formula_like_names_as_plain_text_behind_an_apostrophe(client, cast):
    for name in FORMULA_NAMES:
        MemberFactory(name=name, organization=cast.village_a, birth_date=date(1982, 4, 5))

    job = _export(client, cast.county_organiser, EXPORT_MEMBERS, {})
    content = _download(client, job)

    sheet = load_workbook(BytesIO(content))["党员名册"]
    cells = {cell.value: cell for (cell,) in sheet.iter_rows(min_row=2, max_col=1)}
    for name in FORMULA_NAMES:
        cell = cells["'" + name]
        assert cell.data_type == "s"
        assert isinstance(cell.value, str)
    assert {"王建国", "李秀英", "赵晨"} <= set(cells)  # ordinary names are left as they are
    _assert_no_formula_anywhere(content)
    assert job.total_rows == len(COUNTY_A_NAMES) + len(FORMULA_NAMES)


def test_a_member_export_writes_dates_as_real_date_cells(client, cast):
    job = _export(client, cast.county_organiser, EXPORT_MEMBERS, {})

    sheet = load_workbook(BytesIO(_download(client, job)))["党员名册"]
    by_name = {row[NAME].value: row for row in sheet.iter_rows(min_row=2)}
    wang = by_name["王建国"]
    for column, expected in ((BIRTH, date(1968, 3, 9)), (JOINED, date(1995, 6, 1)), (FULL, date(1996, 6, 1))):
        assert wang[column].data_type == "d"
        assert wang[column].value.date() == expected
        assert wang[column].number_format == "yyyy-mm-dd"
    assert by_name["赵晨"][FULL].value is None  # a probationary member has no full-membership date
    assert [cell.value for cell in sheet[1]] == MEMBER_HEADERS


def test_an_organisation_export_writes_formula_like_names_as_plain_text_behind_an_apostrophe(client, cast):
    for number, name in enumerate(FORMULA_NAMES, start=91):
        OrganizationFactory(parent=cast.township_a, name=name, code=f"C01001{number:03d}")

    job = _export(client, cast.county_organiser, EXPORT_ORGS, {"org": cast.township_a.pk})
    content = _download(client, job)

    sheet = load_workbook(BytesIO(content))["党组织"]
    cells = {cell.value: cell for (_code, cell) in sheet.iter_rows(min_row=2, max_col=2)}
    for name in FORMULA_NAMES:
        assert cells["'" + name].data_type == "s"
    _assert_no_formula_anywhere(content)
    since = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "C01001")[7]
    assert since.data_type == "d" and since.value.date() == date(2021, 3, 1)


def test_an_organisation_export_holds_the_subtree_parents_before_children_with_parent_codes(client, cast):
    job = _export(client, cast.county_organiser, EXPORT_ORGS, {"org": cast.township_a.pk})

    content = _download(client, job)
    assert [cell.value for cell in load_workbook(BytesIO(content))["党组织"][1]] == ORG_HEADERS
    rows = _rows(content, "党组织")
    assert [(code, name, parent) for code, name, _k, _l, _f, parent, _s, _d in rows] == [
        ("C01001", "中共东湖区柳泉镇委员会", "C01"),
        ("C01001001", "王庄村党支部", "C01001"),
        ("C01001002", "李集村党支部", "C01001"),
    ]
    assert rows[0][6] == cast.secretary_a.id_number  # an organiser sees the secretary's whole number
    assert job.total_rows == 3


def test_an_organisers_member_export_has_whole_id_numbers_and_imports_back_unchanged(client, cast):
    MemberFactory(name="=1+1", organization=cast.village_a2, birth_date=date(1982, 2, 3))
    before = {m.pk: (m.name, m.id_number, m.phone, m.status, m.organization_id) for m in Member.objects.all()}

    job = _export(client, cast.county_organiser, EXPORT_MEMBERS, {})
    content = _download(client, job)

    rows = {row[NAME]: row for row in _rows(content, "党员名册")}
    assert rows["王建国"][ID_NUMBER] == cast.member_a.id_number
    assert rows["王建国"][PHONE] == "13800001111"
    assert rows["王建国"][ORG] == "C01001001"
    assert "说明" not in load_workbook(BytesIO(content)).sheetnames

    response = client.post(
        reverse("exchange:upload", args=["members"]),
        {"file": SimpleUploadedFile(job.original_name, content)},
    )
    imported = ExchangeJob.objects.get(direction="import")
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:job", args=[imported.pk])
    run_queued_jobs()

    imported.refresh_from_db()
    assert imported.status == ExchangeJob.Status.SUCCEEDED, (imported.message, imported.errors)
    assert (imported.created_count, imported.updated_count, imported.unchanged_count) == (0, 0, 4)
    after = {m.pk: (m.name, m.id_number, m.phone, m.status, m.organization_id) for m in Member.objects.all()}
    assert after == before


def test_a_township_secretarys_export_masks_id_numbers_and_phones_and_says_it_cannot_go_back(client, cast):
    job = _export(client, cast.township_secretary, EXPORT_MEMBERS, {})
    content = _download(client, job)

    book = load_workbook(BytesIO(content))
    rows = {row[NAME]: row for row in _rows(content, "党员名册")}
    assert set(rows) == COUNTY_A_NAMES
    for member in (cast.member_a, cast.secretary_a, cast.member_a2):
        assert rows[member.name][ID_NUMBER] == _masked(member.id_number)
        assert rows[member.name][ID_NUMBER] == member.id_number[:3] + "*" * 11 + member.id_number[-4:]
    assert rows["王建国"][PHONE] == "138****1111"
    assert rows["李秀英"][PHONE] == "139****2222"
    assert book.sheetnames == ["党员名册", "说明"]
    assert "不能再导入" in book["说明"]["A1"].value
    for member in Member.objects.all():
        assert member.id_number.encode() not in content


def test_a_masked_export_uploaded_by_an_organiser_is_refused_and_writes_nothing(client, cast):
    job = _export(client, cast.township_secretary, EXPORT_MEMBERS, {})
    content = _download(client, job)
    before = sorted(Member.objects.values_list("pk", "updated_at"))

    client.force_login(cast.county_organiser)
    client.post(reverse("exchange:upload", args=["members"]), {"file": SimpleUploadedFile("m.xlsx", content)})
    run_queued_jobs()

    imported = ExchangeJob.objects.get(direction="import")
    assert imported.status == ExchangeJob.Status.REJECTED
    assert {error["column"] for error in imported.errors} == {"身份证号", "联系电话"}
    assert sorted(Member.objects.values_list("pk", "updated_at")) == before


def test_a_township_secretarys_organisation_export_masks_the_secretarys_id_number(client, cast):
    job = _export(client, cast.township_secretary, EXPORT_ORGS, {})

    content = _download(client, job)
    rows = _rows(content, "党组织")
    assert [row[0] for row in rows] == ["C01001", "C01001001", "C01001002"]
    assert rows[0][6] == _masked(cast.secretary_a.id_number)
    assert cast.secretary_a.id_number.encode() not in content


# ---- audit -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "personal_data"), [("county_organiser", "whole"), ("township_secretary", "masked")]
)
def test_a_member_export_writes_one_audit_event_that_holds_no_whole_id_number(
    client, cast, who, personal_data
):
    user = getattr(cast, who)
    number = cast.member_a.id_number

    job = _export(client, user, EXPORT_MEMBERS, {"id_number": number, "status": "full"})
    # the job row keeps the keyed hash and the mask, never the number
    job.refresh_from_db()
    assert number not in json.dumps(job.parameters) and number[6:14] not in json.dumps(job.parameters)
    assert job.parameters["id_number_masked"] == _masked(number)

    assert [row[NAME] for row in _rows(_download(client, job), "党员名册")] == ["王建国"]
    event = AuditEvent.objects.get(action="members.export")
    assert event.actor == user
    assert event.changes["rows"] == 1
    assert event.changes["personal_data"] == personal_data
    assert event.changes["filters"]["id_number"] == _masked(number)
    assert event.changes["filters"]["status"] == "full"
    recorded = json.dumps(event.changes, ensure_ascii=False) + event.target_repr
    for member in Member.objects.all():
        assert member.id_number not in recorded
    assert AuditEvent.objects.filter(action__endswith=".export").count() == 1


@pytest.mark.parametrize(
    ("who", "personal_data"), [("county_organiser", "whole"), ("township_secretary", "masked")]
)
def test_an_organisation_export_writes_one_audit_event_with_the_row_count(client, cast, who, personal_data):
    user = getattr(cast, who)

    _export(client, user, EXPORT_ORGS, {"org": cast.township_a.pk})

    event = AuditEvent.objects.get(action="orgs.export")
    assert event.actor == user
    assert (event.target_type, event.target_id) == ("orgs.organization", str(cast.township_a.pk))
    assert event.changes["rows"] == 3
    assert event.changes["personal_data"] == personal_data
    assert cast.secretary_a.id_number not in json.dumps(event.changes, ensure_ascii=False)
    assert AuditEvent.objects.filter(action__endswith=".export").count() == 1


# ---- filters and scope -----------------------------------------------------------------------


def _export_form_fields(html: str) -> dict[str, str]:
    """The hidden fields of the member list's export form: the filters it posts."""
    form = html[html.index('data-testid="export-members"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def test_a_member_export_from_the_filtered_list_holds_exactly_the_listed_members(client, cast):
    # in the same branch: probationary (listed), full (not listed); elsewhere: probationary (not listed)
    probationary = {
        "status": Member.Status.PROBATIONARY,
        "joined_on": date(2024, 7, 1),
        "full_member_on": None,
    }
    MemberFactory(name="孙立", organization=cast.village_a2, **probationary)
    MemberFactory(name="周敏", organization=cast.village_a2)
    MemberFactory(name="吴刚", organization=cast.village_a, **probationary)
    client.force_login(cast.county_organiser)
    listing = client.get(reverse("members:list"), {"status": "probationary", "org": cast.village_a2.pk})
    fields = _export_form_fields(listing.content.decode())
    assert fields == {"status": "probationary", "org": str(cast.village_a2.pk), "org_q": "李集村党支部"}

    job = _export(client, cast.county_organiser, EXPORT_MEMBERS, fields)

    names = sorted(row[NAME] for row in _rows(_download(client, job), "党员名册"))
    listed = sorted(
        m.name for m in Member.objects.filter(organization=cast.village_a2, status=Member.Status.PROBATIONARY)
    )
    assert names == listed == sorted(["赵晨", "孙立"])
    assert job.parameters == {"status": "probationary", "org": cast.village_a2.pk}
    assert AuditEvent.objects.get(action="members.export").changes["filters"] == {
        "organization": "C01001002",
        "status": "probationary",
    }


def test_a_member_export_without_filters_holds_only_the_users_own_county(client, cast):
    job = _export(client, cast.county_organiser, EXPORT_MEMBERS, {})
    outsider_job = _export(client, cast.outsider, EXPORT_MEMBERS, {})

    assert {row[NAME] for row in _rows(_download(client, outsider_job), "党员名册")} == {"张伟"}
    client.force_login(cast.county_organiser)
    content = _download(client, job)
    assert {row[NAME] for row in _rows(content, "党员名册")} == COUNTY_A_NAMES
    assert cast.member_b.id_number.encode() not in content


def test_an_organisation_outside_the_users_subtree_is_not_exported(client, cast):
    client.force_login(cast.county_organiser)

    for org in (cast.county_b, cast.village_b, cast.city):
        response = client.post(EXPORT_ORGS, {"org": org.pk})
        assert response.status_code == 404
    assert not ExchangeJob.objects.exists()
    assert not AuditEvent.objects.filter(action="orgs.export").exists()


def test_a_malformed_organisation_id_is_not_found(client, cast):
    client.raise_request_exception = False
    client.force_login(cast.county_organiser)

    response = client.post(EXPORT_ORGS, {"org": "abc"})

    assert response.status_code == 404
    assert not ExchangeJob.objects.exists()


def test_a_member_export_filtered_to_the_other_countys_branch_is_refused_and_queues_nothing(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(EXPORT_MEMBERS, {"org": cast.village_b.pk}, follow=True)

    assert response.redirect_chain == [(reverse("members:list"), 302)]
    assert "请先在党员列表中选定一个党组织，再导出。" in response.content.decode()
    assert not ExchangeJob.objects.exists()


def test_an_export_job_whose_parameters_reach_outside_its_makers_scope_fails_without_a_file(client, cast):
    job = export_job_create(
        actor=cast.county_organiser, kind="members", parameters={"org": cast.village_b.pk}
    )

    run_queued_jobs()

    job.refresh_from_db()
    assert job.status == ExchangeJob.Status.FAILED
    assert job.message == "无权导出该范围的数据。"
    assert not job.file
    assert not AuditEvent.objects.filter(action="members.export").exists()
    client.force_login(cast.county_organiser)
    assert client.get(reverse("exchange:download", args=[job.pk])).status_code == 404


# ---- access ----------------------------------------------------------------------------------


def test_only_the_maker_of_an_export_may_download_it(client, cast):
    job = _export(client, cast.county_organiser, EXPORT_MEMBERS, {})
    colleague = UserFactory(username="county_org2", role=Role.ORGANISER, organization=cast.county_a)
    download = reverse("exchange:download", args=[job.pk])
    page = reverse("exchange:job", args=[job.pk])

    client.force_login(colleague)
    assert client.get(download).status_code == 404
    assert client.get(page).status_code == 404
    client.force_login(cast.city_organiser)
    assert client.get(download).status_code == 404
    client.force_login(cast.outsider)
    assert client.get(page).status_code == 404
    assert client.get(reverse("exchange:progress", args=[job.pk])).status_code == 404
    assert client.get(download).status_code == 404
    client.force_login(cast.county_organiser)
    assert client.get(download).status_code == 200


def test_the_maker_sees_the_finished_export_with_its_download_link(client, cast):
    job = _export(client, cast.county_organiser, EXPORT_MEMBERS, {})

    response = client.get(reverse("exchange:job", args=[job.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="succeeded"' in html
    assert "已导出 3 行。" in html
    assert reverse("exchange:download", args=[job.pk]) in html
    assert "hx-trigger" not in html  # a finished job is no longer polled


def test_an_export_cannot_be_downloaded_before_the_worker_has_made_it(client, cast):
    client.force_login(cast.county_organiser)
    client.post(EXPORT_MEMBERS, {})
    job = ExchangeJob.objects.get()

    response = client.get(reverse("exchange:download", args=[job.pk]))
    progress = client.get(reverse("exchange:progress", args=[job.pk]))

    assert response.status_code == 404
    assert progress.status_code == 200
    assert 'data-status="queued"' in progress.content.decode()
    assert 'hx-trigger="every 1s"' in progress.content.decode()
    assert job.status == ExchangeJob.Status.QUEUED and not job.file


def test_the_download_is_an_attachment_that_no_cache_keeps(client, cast):
    job = _export(client, cast.county_organiser, EXPORT_MEMBERS, {})

    response = client.get(reverse("exchange:download", args=[job.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    assert job.original_name == f"党员名册-{date.today():%Y%m%d}.xlsx"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "must-revalidate", "private"} <= cache_control
    assert "max-age=0" in cache_control
    b"".join(response.streaming_content)


@pytest.mark.parametrize("who", ["reviewer", "member_user", "sysadmin", "auditor"])
@pytest.mark.parametrize("url", [EXPORT_MEMBERS, EXPORT_ORGS])
def test_people_without_the_export_capability_may_not_export(client, cast, who, url):
    client.force_login(getattr(cast, who))

    response = client.post(url, {"org": cast.village_a.pk})

    assert response.status_code == 403
    assert not ExchangeJob.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "member_user"])
def test_people_without_the_export_capability_may_not_download(client, cast, who):
    job = _export(client, cast.county_organiser, EXPORT_MEMBERS, {})
    client.force_login(getattr(cast, who))

    assert client.get(reverse("exchange:download", args=[job.pk])).status_code == 403


@pytest.mark.parametrize("url", [EXPORT_MEMBERS, EXPORT_ORGS])
def test_the_export_urls_refuse_get(client, cast, url):
    client.force_login(cast.county_organiser)

    response = client.get(url, {"org": cast.village_a.pk})

    assert response.status_code == 405
    assert not ExchangeJob.objects.exists()


def test_the_download_refuses_post(client, cast):
    job = _export(client, cast.county_organiser, EXPORT_MEMBERS, {})

    assert client.post(reverse("exchange:download", args=[job.pk])).status_code == 405


def test_an_anonymous_visitor_is_sent_to_log_in(client, cast):
    response = client.post(EXPORT_MEMBERS, {})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not ExchangeJob.objects.exists()


# ---- the blank templates ---------------------------------------------------------------------


def test_the_member_template_has_the_headers_a_text_id_number_column_and_instructions(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(reverse("exchange:template", args=["members"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.title == "党员名册"
    assert [cell.value for cell in sheet[1]] == MEMBER_HEADERS
    assert sheet.max_row == 1  # blank below the headers
    id_column = MEMBER_HEADERS.index("身份证号")
    assert sheet.column_dimensions["B"].number_format == "@" and id_column == 1
    assert sheet.column_dimensions["F"].number_format == "@"  # phone numbers too
    assert "填写说明" in book.sheetnames
    explained = {row[0]: row for row in book["填写说明"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert set(MEMBER_HEADERS) <= set(explained)
    assert explained["身份证号"][1] == "是"
    _assert_no_formula_anywhere(response.content)
    assert not ExchangeJob.objects.exists()


def test_the_organisation_template_has_the_org_headers(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(reverse("exchange:template", args=["orgs"]))

    book = load_workbook(BytesIO(response.content))
    assert [cell.value for cell in book.worksheets[0][1]] == ORG_HEADERS
    assert book.worksheets[0].column_dimensions["A"].number_format == "@"
    assert "填写说明" in book.sheetnames


def test_an_unknown_template_is_not_found_and_a_reviewer_may_not_have_one(client, cast):
    client.force_login(cast.county_organiser)
    assert client.get(reverse("exchange:template", args=["users"])).status_code == 404
    client.force_login(cast.reviewer)
    assert client.get(reverse("exchange:template", args=["members"])).status_code == 403


def _import_orgs(client, content: bytes) -> ExchangeJob:
    client.post(reverse("exchange:upload", args=["orgs"]), {"file": SimpleUploadedFile("o.xlsx", content)})
    run_queued_jobs()
    return ExchangeJob.objects.get(direction="import")


def test_an_organisers_export_of_a_township_imports_back_unchanged(client, cast):
    before = sorted(Organization.objects.values_list("code", "name", "path", "secretary_id", "updated_at"))
    job = _export(client, cast.county_organiser, EXPORT_ORGS, {"org": cast.township_a.pk})

    imported = _import_orgs(client, _download(client, job))

    assert imported.status == ExchangeJob.Status.SUCCEEDED, (imported.message, imported.errors)
    assert (imported.created_count, imported.updated_count, imported.unchanged_count) == (0, 0, 3)
    assert (
        sorted(Organization.objects.values_list("code", "name", "path", "secretary_id", "updated_at"))
        == before
    )


def test_an_organisers_export_of_their_whole_subtree_imports_back_unchanged(client, cast):
    job = _export(client, cast.county_organiser, EXPORT_ORGS, {})
    content = _download(client, job)
    assert [row[0] for row in _rows(content, "党组织")] == ["C01", "C01001", "C01001001", "C01001002"]
    # the parent above the organiser's own organisation is not theirs to name: left blank
    assert _rows(content, "党组织")[0][5] is None

    imported = _import_orgs(client, content)

    assert imported.errors == []
    assert imported.status == ExchangeJob.Status.SUCCEEDED
    assert (imported.created_count, imported.updated_count, imported.unchanged_count) == (0, 0, 4)
