"""Importing the member roster: every kind of mistake is reported where it is, a file with any
mistake writes nothing, a second import updates instead of duplicating, and an organiser reaches
only their own subtree."""

import threading
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse

from shuzhi.core.files import is_sealed
from shuzhi.core.models import AuditEvent
from shuzhi.exchange import services
from shuzhi.exchange.models import ExchangeJob
from shuzhi.members.models import Member
from shuzhi.members.services import org_counters_rebuild
from shuzhi.orgs.models import Organization
from shuzhi.testing.factories import OrganizationFactory, make_id_number
from shuzhi.testing.jobs import run_queued_jobs
from shuzhi.testing.sheets import MEMBER_HEADERS, member_row, xlsx

UPLOAD = reverse("exchange:upload", args=["members"])
WANGZHUANG = "C01001001"
NOT_FOUND = "找不到“%s”：没有这个编码或名称路径的党组织，或它不在您的管理范围内。"
REPORT_FILL = "FFF8D7DA"
PROBATION_ENDED = date(2026, 3, 1)  # a year after _roster's probationary members joined


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _number(birth=date(1985, 4, 12), gender="M") -> str:
    return make_id_number(birth, gender)


def _roster(size: int, org: str = WANGZHUANG) -> list[list[object]]:
    """`size` valid rows of people born on different days, every third one probationary."""
    rows = []
    for i in range(size):
        birth = date(1970 + i % 25, 1 + i % 12, 1 + i % 28)
        if i % 3 == 2:
            rows.append(
                member_row(
                    f"预备{i}", _number(birth), org, joined=date(2025, 3, 1), full=None, status="预备党员"
                )
            )
        else:
            rows.append(member_row(f"党员{i}", _number(birth), org, phone=f"1380000{i:04d}"))
    return rows


def _import(client, user, rows, *, headers=MEMBER_HEADERS, name="名册.xlsx"):
    """Upload as `user`, run the worker, and return the finished job and its page."""
    client.force_login(user)
    response = client.post(UPLOAD, {"file": SimpleUploadedFile(name, xlsx(rows, headers=headers))})
    assert response.status_code == 302
    job = ExchangeJob.objects.latest("id")
    assert response["Location"] == reverse("exchange:job", args=[job.pk])
    run_queued_jobs()
    job.refresh_from_db()
    return job, client.get(response["Location"])


def _error(row, column, letter, message):
    return {"row": row, "column": column, "letter": letter, "message": message}


def _without_values(errors):
    return [{k: v for k, v in error.items() if k != "value"} for error in errors]


def _counts(*orgs):
    """member_count, probationary_count, total_members, total_probationary of each, fresh."""
    return [
        tuple(
            Organization.objects.filter(pk=org.pk).values_list(
                "member_count", "probationary_count", "total_members", "total_probationary"
            )[0]
        )
        for org in orgs
    ]


# ---- each kind of mistake, where it is ---------------------------------------------------------


def _bad_checksum():
    number = _number()
    wrong = "0" if number[-1] != "0" else "1"
    return {"id_number": number[:-1] + wrong}


def _young():
    return {"id_number": _number(date(2000, 1, 1)), "joined": date(2017, 7, 1), "full": date(2018, 7, 1)}


CASES = {
    "a date that does not exist": (
        lambda: {"joined": "2020-13-45"},
        ("入党日期", "H", "“2020-13-45”不是存在的日期。"),
    ),
    "a date in words": (
        lambda: {"joined": "去年"},
        ("入党日期", "H", "日期格式不正确，应为 2021-07-01 这样的日期。"),
    ),
    "a wrong check digit": (
        _bad_checksum,
        ("身份证号", "B", "身份证号校验位不正确，请核对是否有录入错误。"),
    ),
    "an ID number Excel stored as a number": (
        lambda: {"id_number": float(_number()[:17] + "1")},
        (
            "身份证号",
            "B",
            "身份证号被 Excel 存成了数字，末几位可能已变成0。请把该列设为“文本”格式后重新填写。",
        ),
    ),
    "an organisation code that does not exist": (
        lambda: {"organization": "C09"},
        ("所在党组织", "L", NOT_FOUND % "C09"),
    ),
    "a path of names that matches nothing": (
        lambda: {"organization": "中共东湖区柳泉镇委员会/刘湾村党支部"},
        ("所在党组织", "L", NOT_FOUND % "中共东湖区柳泉镇委员会/刘湾村党支部"),
    ),
    "a name over 50 characters": (
        lambda: {"name": "王" * 51},
        ("姓名", "A", "超过 50 个字符（现有 51 个）。"),
    ),
    "joining before 18 by the ID number": (
        _young,
        ("入党日期", "H", "入党时应年满十八岁，请核对入党日期和身份证号。"),
    ),
    "joining before 18 by the birth date": (
        lambda: {**_young(), "birth": date(2000, 1, 1)},
        ("入党日期", "H", "入党时应年满十八岁，请核对入党日期和出生日期。"),
    ),
    "a status not in the list": (
        lambda: {"status": "优秀"},
        ("党员状态", "J", "只能填：正式党员、预备党员。"),
    ),
    "a birth date the ID number contradicts": (
        lambda: {"birth": date(1985, 4, 13)},
        (
            "出生日期",
            "E",
            "出生日期与身份证号不符：身份证号中的出生日期是 1985-04-12。身份证号校验无误，请改正出生日期（也可不填，按身份证号确定）。",
        ),
    ),
    "a gender the ID number contradicts": (
        lambda: {"gender": "女"},
        (
            "性别",
            "C",
            "性别与身份证号不符：身份证号第17位表示男性。身份证号校验无误，请改正性别（也可不填，按身份证号确定）。",
        ),
    ),
}


def _row(**cells):
    values = {
        "name": "孙立",
        "id_number": _number(),
        "organization": WANGZHUANG,
        **cells,
    }
    return member_row(values.pop("name"), values.pop("id_number"), values.pop("organization"), **values)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_mistake_is_reported_at_its_row_and_column_and_nothing_is_written(client, cast, case):
    cells, (column, letter, message) = CASES[case]
    rows = [_row(name="周一"), _row(**{"name": "周二", **cells()}), _row(name="周三")]
    before = Member.objects.count()

    job, page = _import(client, cast.county_organiser, rows)

    assert job.status == ExchangeJob.Status.REJECTED
    assert _without_values(job.errors) == [_error(3, column, letter, message)]
    assert job.error_count == 1 and job.message == "发现 1 处错误（涉及 1 行），未导入任何数据。"
    assert message in page.content.decode()
    assert Member.objects.count() == before
    assert not Member.objects.filter(name__in=["周一", "周三"]).exists()


def test_the_cell_a_person_got_wrong_is_shown_as_they_typed_it(client, cast):
    rows = [_row(joined="2020-13-45"), _row(organization="C09")]

    job, page = _import(client, cast.county_organiser, rows)

    assert [(e["row"], e["value"]) for e in job.errors] == [(2, "2020-13-45"), (3, "C09")]
    assert "<td>2</td>" in page.content.decode() and "2020-13-45</td>" in page.content.decode()
    assert Member.objects.count() == 4


def test_a_missing_required_column_is_an_error_of_the_header_row(client, cast):
    headers = [h for h in MEMBER_HEADERS if h != "身份证号"]
    row = _row()
    del row[MEMBER_HEADERS.index("身份证号")]

    job, page = _import(client, cast.county_organiser, [row], headers=headers)

    assert job.status == ExchangeJob.Status.REJECTED
    assert _without_values(job.errors) == [_error(1, "身份证号", "", "缺少必填列“身份证号”。")]
    assert "缺少必填列“身份证号”。" in page.content.decode()
    assert not Member.objects.filter(name="孙立").exists()


def test_the_same_person_twice_is_reported_on_the_second_row_naming_the_first(client, cast):
    number = _number()
    rows = [_row(name="周一"), _row(name="孙立", id_number=number), _row(name="周三"), _row(id_number=number)]

    job, page = _import(client, cast.county_organiser, rows)

    assert job.errors == [
        {
            **_error(5, "身份证号", "B", "与第 3 行的身份证号重复。"),
            "value": number[:3] + "*" * 11 + number[-4:],
        },
    ]
    assert "与第 3 行的身份证号重复。" in page.content.decode()
    assert Member.objects.count() == 4


def test_the_short_forms_of_a_status_are_accepted(client, cast):
    rows = [
        _row(name="周一", status="正式"),
        _row(name="周二", status="预备", full=None, joined=date(2025, 3, 1)),
    ]

    job, _page = _import(client, cast.county_organiser, rows)

    assert job.status == ExchangeJob.Status.SUCCEEDED, job.errors
    assert dict(Member.objects.filter(name__in=["周一", "周二"]).values_list("name", "status")) == {
        "周一": Member.Status.FULL,
        "周二": Member.Status.PROBATIONARY,
    }


def test_every_mistake_of_a_file_is_reported_in_one_go(client, cast):
    rows = [_row(name="王" * 51), _row(status="优秀", organization="C09"), _row()]

    job, _page = _import(client, cast.county_organiser, rows)

    assert [(e["row"], e["letter"]) for e in job.errors] == [(2, "A"), (3, "J"), (3, "L")]
    assert job.message == "发现 3 处错误（涉及 2 行），未导入任何数据。"
    assert Member.objects.count() == 4


# ---- all or nothing ----------------------------------------------------------------------------


def test_one_bad_row_among_many_good_ones_imports_nothing(client, cast):
    rows = _roster(40)
    rows[25][MEMBER_HEADERS.index("入党日期")] = "去年"
    counters = _counts(cast.village_a, cast.township_a, cast.county_a, cast.city)

    job, page = _import(client, cast.county_organiser, rows)

    assert job.status == ExchangeJob.Status.REJECTED
    assert (job.total_rows, job.error_count, job.created_count) == (40, 1, 0)
    assert Member.objects.count() == 4
    assert _counts(cast.village_a, cast.township_a, cast.county_a, cast.city) == counters
    assert not AuditEvent.objects.filter(action="members.import").exists()
    html = page.content.decode()
    assert 'data-testid="job-errors"' in html
    assert reverse("exchange:report", args=[job.pk]) in html
    assert "发现 1 处错误（涉及 1 行），未导入任何数据。" in html


def test_the_error_report_marks_the_bad_cell_and_lists_every_error(client, cast):
    rows = _roster(5)
    rows[2][MEMBER_HEADERS.index("入党日期")] = "去年"
    rows[4][MEMBER_HEADERS.index("所在党组织")] = "C09"

    job, _page = _import(client, cast.county_organiser, rows)

    book = openpyxl.load_workbook(job.report.open("rb"))
    data, listing = book.worksheets
    assert listing.title == "错误清单"
    assert data["H4"].value == "去年" and data["H4"].fill.fgColor.rgb == REPORT_FILL
    assert data["L6"].value == "C09" and data["L6"].fill.fgColor.rgb == REPORT_FILL
    assert data["H3"].fill.fgColor.rgb != REPORT_FILL
    assert data["M1"].value == "错误说明"
    assert data["M4"].value == "入党日期：日期格式不正确，应为 2021-07-01 这样的日期。"
    assert data["M3"].value is None
    assert [list(row) for row in listing.iter_rows(values_only=True)] == [
        ["行号", "列", "列名", "内容", "错误原因"],
        [4, "H", "入党日期", "去年", "日期格式不正确，应为 2021-07-01 这样的日期。"],
        [6, "L", "所在党组织", "C09", NOT_FOUND % "C09"],
    ]
    client.force_login(cast.county_organiser)
    download = client.get(reverse("exchange:report", args=[job.pk]))
    assert download.status_code == 200
    with job.report.open("rb") as stored:
        assert b"".join(download.streaming_content) == stored.read()
    assert is_sealed(Path(job.report.path).read_bytes())  # at rest, the report is encrypted


# ---- a second import updates ---------------------------------------------------------------------


def test_importing_a_changed_roster_again_updates_and_never_duplicates(client, cast):
    rows = _roster(6)
    changed = rows[2]  # probationary, and now made a full member
    assert changed[MEMBER_HEADERS.index("党员状态")] == "预备党员"

    first, _page = _import(client, cast.county_organiser, rows)

    assert first.status == ExchangeJob.Status.SUCCEEDED, first.errors
    assert (first.created_count, first.updated_count, first.unchanged_count) == (6, 0, 0)
    assert Member.objects.count() == 10
    assert _counts(cast.village_a, cast.township_a, cast.county_a, cast.city) == [
        (8, 2, 8, 2),
        (0, 0, 9, 3),
        (0, 0, 9, 3),
        (0, 0, 10, 3),
    ]
    # only new members: added to the counters up to the city, as a recount finds them
    assert org_counters_rebuild(root=cast.city) == 0

    changed[MEMBER_HEADERS.index("联系电话")] = "13912340000"
    changed[MEMBER_HEADERS.index("党员状态")] = "正式党员"
    changed[MEMBER_HEADERS.index("转正日期")] = PROBATION_ENDED
    second, page = _import(client, cast.county_organiser, rows)

    assert second.status == ExchangeJob.Status.SUCCEEDED, second.errors
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 1, 5)
    assert "导入成功：共 6 行，新增 0，更新 1，未变 5。" in page.content.decode()
    assert Member.objects.count() == 10
    member = Member.objects.get(name=changed[0])
    assert (member.phone, member.status) == ("13912340000", Member.Status.FULL)
    assert _counts(cast.village_a, cast.township_a, cast.county_a, cast.city) == [
        (8, 1, 8, 1),
        (0, 0, 9, 2),
        (0, 0, 9, 2),
        (0, 0, 10, 2),
    ]
    events = AuditEvent.objects.filter(action="members.import").order_by("seq")
    assert [
        (e.actor, e.changes["created"], e.changes["updated"], e.changes["unchanged"]) for e in events
    ] == [
        (cast.county_organiser, 6, 0, 0),
        (cast.county_organiser, 0, 1, 5),
    ]
    assert [e.changes["rows"] for e in events] == [6, 6]

    # new and changed members together: recounted
    changed[MEMBER_HEADERS.index("党员状态")] = "预备党员"
    changed[MEMBER_HEADERS.index("转正日期")] = ""
    third, _page = _import(client, cast.county_organiser, [*rows, *_roster(8)[6:]])

    assert (third.created_count, third.updated_count, third.unchanged_count) == (2, 1, 5)
    assert _counts(cast.village_a, cast.city)[1][2:] == (12, 3)
    assert org_counters_rebuild(root=cast.city) == 0


def test_importing_the_same_file_twice_changes_nothing_the_second_time(client, cast):
    rows = _roster(5)
    _import(client, cast.county_organiser, rows)
    stamps = dict(Member.objects.values_list("id", "updated_at"))

    job, _page = _import(client, cast.county_organiser, rows)

    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 5)
    assert dict(Member.objects.values_list("id", "updated_at")) == stamps
    assert AuditEvent.objects.filter(action="members.import").count() == 2


def test_a_member_listed_under_another_branch_is_moved_there(client, cast):
    member = cast.member_a
    row = member_row(
        member.name, member.id_number, "C01001002", joined=member.joined_on, full=member.full_member_on,
        education="高中", category="农牧渔民", phone=member.phone,
    )  # fmt: skip

    job, _page = _import(client, cast.county_organiser, [row])

    assert (job.created_count, job.updated_count) == (0, 1), job.errors
    member.refresh_from_db()
    assert (member.organization, member.org_path) == (cast.village_a2, cast.village_a2.path)
    assert _counts(cast.village_a, cast.village_a2, cast.township_a) == [
        (1, 0, 1, 0),
        (2, 1, 2, 1),
        (0, 0, 3, 1),
    ]


# ---- organisations by code or by names ----------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        "C01001001",
        "王庄村党支部",
        "中共东湖区柳泉镇委员会/王庄村党支部",
        "中共云州市委员会/中共云州市东湖区委员会/中共东湖区柳泉镇委员会/王庄村党支部",
        "中共东湖区柳泉镇委员会 > 王庄村党支部",
    ],
)
def test_the_branch_may_be_given_by_code_or_by_a_path_of_names(client, cast, reference):
    job, _page = _import(client, cast.county_organiser, [_row(organization=reference)])

    assert job.status == ExchangeJob.Status.SUCCEEDED, job.errors
    assert Member.objects.get(name="孙立").organization == cast.village_a


def test_a_name_shared_by_two_organisations_must_be_given_as_a_code(client, cast):
    OrganizationFactory(parent=cast.township_a, name="王庄村党支部", code="C01001003")

    job, page = _import(client, cast.county_organiser, [_row(organization="王庄村党支部")])

    message = "“王庄村党支部”对应 2 个党组织，请改填组织编码。"
    assert _without_values(job.errors) == [_error(2, "所在党组织", "L", message)]
    assert message in page.content.decode()
    assert not Member.objects.filter(name="孙立").exists()


# ---- scope -------------------------------------------------------------------------------------


def test_a_county_organiser_cannot_import_members_into_the_other_county(client, cast):
    rows = [_row(name="周一"), _row(organization="C02001001"), _row(organization="张楼村党支部")]

    job, _page = _import(client, cast.county_organiser, rows)

    assert _without_values(job.errors) == [
        _error(3, "所在党组织", "L", NOT_FOUND % "C02001001"),
        _error(4, "所在党组织", "L", NOT_FOUND % "张楼村党支部"),
    ]
    assert not Member.objects.filter(name__in=["周一", "孙立"]).exists()
    assert _counts(cast.village_b) == [(1, 0, 1, 0)]


def test_a_county_organiser_cannot_take_over_a_member_of_the_other_county(client, cast):
    member = cast.member_b
    row = member_row(
        "张伟", member.id_number, WANGZHUANG, joined=member.joined_on, full=member.full_member_on
    )

    job, page = _import(client, cast.county_organiser, [_row(name="周一"), row])

    message = "该身份证号的党员已在您管理范围以外的党组织登记，请办理组织关系转接。"
    masked = member.id_number[:3] + "*" * 11 + member.id_number[-4:]
    # the job row (and the page) keep the number masked; the whole one is only in the encrypted
    # error report
    assert job.errors == [{**_error(3, "身份证号", "B", message), "value": masked}]
    content = page.content.decode()
    assert message in content and member.id_number not in content
    member.refresh_from_db()
    assert (member.organization, member.name) == (cast.village_b, "张伟")
    assert not Member.objects.filter(name="周一").exists()


def test_a_row_refused_for_an_id_registered_elsewhere_is_audited_and_says_not_where(client, cast):
    member = cast.member_b
    row = member_row(
        "张伟", member.id_number, WANGZHUANG, joined=member.joined_on, full=member.full_member_on
    )

    job, page = _import(client, cast.county_organiser, [_row(name="周一"), row])

    event = AuditEvent.objects.get(action="members.import_refused_elsewhere")
    assert event.actor == cast.county_organiser
    assert event.org_path == cast.county_organiser.organization.path  # the importer's scope's auditors
    assert (event.target_type, event.target_id) == ("exchange.exchangejob", str(job.pk))
    assert event.changes["rows"] == [3] and event.changes["count"] == 1
    assert event.changes["id_numbers"] == [member.id_number[:3] + "*" * 11 + member.id_number[-4:]]
    # neither the record nor the page nor the job says where the member is registered
    said = event.target_repr + str(event.changes) + page.content.decode() + str(job.errors) + job.message
    for where in (cast.village_b, cast.county_b):
        assert where.name not in said and where.code not in said and where.path not in str(event.changes)
    assert member.id_number not in said
    # a refusal for another reason is not such an event
    _import(client, cast.county_organiser, [_row(organization="C02001001")])
    assert AuditEvent.objects.filter(action="members.import_refused_elsewhere").count() == 1


@pytest.mark.parametrize("who", ["township_secretary", "reviewer", "member_user", "auditor"])
def test_people_who_do_not_manage_members_may_not_upload(client, cast, who):
    client.force_login(getattr(cast, who))

    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile("名册.xlsx", xlsx([_row()], headers=MEMBER_HEADERS))}
    )

    assert response.status_code == 403
    assert not ExchangeJob.objects.exists()


def test_an_anonymous_upload_is_sent_to_log_in(client, cast):
    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile("名册.xlsx", xlsx([_row()], headers=MEMBER_HEADERS))}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not ExchangeJob.objects.exists()


def test_the_upload_address_takes_only_post(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(UPLOAD)

    assert response.status_code == 405
    assert not ExchangeJob.objects.exists()


def test_an_unknown_kind_of_import_is_not_found(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(
        reverse("exchange:upload", args=["ballots"]), {"file": SimpleUploadedFile("a.xlsx", b"x")}
    )

    assert response.status_code == 404
    assert not ExchangeJob.objects.exists()


def test_the_job_of_the_other_countys_organiser_is_not_found(client, cast):
    job, _page = _import(client, cast.outsider, [_row(organization="C02001001")])
    assert job.status == ExchangeJob.Status.SUCCEEDED, job.errors
    bad, _page = _import(client, cast.outsider, [_row(organization="C09")])

    client.force_login(cast.county_organiser)
    for name in ("exchange:job", "exchange:progress"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.get(reverse("exchange:report", args=[bad.pk])).status_code == 404
    client.force_login(cast.city_organiser)
    assert client.get(reverse("exchange:job", args=[job.pk])).status_code == 200
    assert ExchangeJob.objects.count() == 2


# ---- the shape of the file ---------------------------------------------------------------------


def test_columns_may_come_in_any_order_beside_columns_the_import_does_not_know(client, cast):
    order = ["所在党组织", "备注", *reversed(MEMBER_HEADERS[:-1])]
    row = dict(zip(MEMBER_HEADERS, _row(phone="13912345678"), strict=True)) | {"备注": "新调入"}

    job, _page = _import(client, cast.county_organiser, [[row[h] for h in order]], headers=order)

    assert job.status == ExchangeJob.Status.SUCCEEDED, job.errors
    member = Member.objects.get(name="孙立")
    assert (member.organization, member.phone, member.education) == (
        cast.village_a,
        "13912345678",
        "bachelor",
    )


def test_an_id_number_written_with_spaces_finds_the_same_person(client, cast):
    member = cast.member_a
    spaced = f"{member.id_number[:6]} {member.id_number[6:14]} {member.id_number[14:]}"
    row = member_row(
        member.name, spaced, WANGZHUANG, joined=member.joined_on, full=member.full_member_on,
        education="高中", category="农牧渔民", phone=member.phone,
    )  # fmt: skip

    job, _page = _import(client, cast.county_organiser, [row])

    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 1), job.errors
    assert Member.objects.count() == 4


def test_the_page_lists_the_first_200_errors_and_the_report_all_of_them(client, cast):
    rows = [_row(name=f"人{i}", joined="去年") for i in range(250)]

    job, page = _import(client, cast.county_organiser, rows)

    assert (job.error_count, len(job.errors)) == (250, 200)
    assert job.errors[-1]["row"] == 201
    html = page.content.decode()
    assert "错误（共 250 处）" in html and "只列出前 200 处，全部错误见错误报告。" in html
    listing = openpyxl.load_workbook(job.report.open("rb"))["错误清单"]
    assert listing.max_row == 251
    assert Member.objects.count() == 4


def test_a_roster_without_the_phone_column_leaves_existing_phones_alone(client, cast):
    member = cast.member_a
    headers = [h for h in MEMBER_HEADERS if h != "联系电话"]
    row = member_row(
        member.name, member.id_number, WANGZHUANG, joined=member.joined_on, full=member.full_member_on,
        education="高中", category="农牧渔民",
    )  # fmt: skip
    del row[MEMBER_HEADERS.index("联系电话")]

    job, _page = _import(client, cast.county_organiser, [row], headers=headers)

    assert job.status == ExchangeJob.Status.SUCCEEDED
    member.refresh_from_db()
    assert member.phone == "13800001111"
    assert (job.updated_count, job.unchanged_count) == (0, 1)


def test_the_tree_in_scope_is_read_beside_the_sheet_on_the_import_thread():
    # each side waits for the other to have begun: done one after the other, either would time out
    read_began, work_began = threading.Event(), threading.Event()

    def read():
        read_began.set()
        assert work_began.wait(10), "the sheet was read before the tree"
        return "sheet"

    def work():
        work_began.set()
        assert read_began.wait(10), "the tree was read before the sheet"
        return threading.current_thread()  # the thread holding the job's database connection

    assert services._while_reading(read, work) == ("sheet", threading.current_thread())


def test_a_file_that_cannot_be_read_is_what_the_person_hears_whatever_failed_beside_it():
    def unreadable():
        time.sleep(0.2)  # still reading when the work beside it fails
        raise ValidationError("无法读取该文件", code="unreadable")

    def database_gone():
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(ValidationError, match="无法读取该文件"):
        services._while_reading(unreadable, database_gone)
    with pytest.raises(OperationalError):
        services._while_reading(lambda: "sheet", database_gone)
