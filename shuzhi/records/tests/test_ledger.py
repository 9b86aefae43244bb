"""Importing a branch's Excel 台账 of organisational life: the sheet as kept, all or nothing."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from shuzhi.records.ledger import absentees
from shuzhi.records.models import Attendance, Completion, Meeting
from shuzhi.testing.records import branch_secretary

pytestmark = pytest.mark.django_db


def _sheet(
    rows, header=("序号", "会议时间", "会议形式", "会议内容", "主持人", "主讲人", "缺席人员及原因")
) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["王庄村党支部2025年组织生活台账"])
    sheet.append(["填报单位：王庄村党支部"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    sheet.append(["合计", "", "", "", "", "", ""])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("台账.xlsx", out.getvalue())


def test_absentees_are_read_as_people_write_them():
    assert absentees("张三（病假）、李四(外出) 王五，赵六（ 事假 ）") == [
        ("张三", "病假"), ("李四", "外出"), ("王五", ""), ("赵六", "事假")
    ]  # fmt: skip
    assert absentees("无") == []


def test_a_ledger_as_kept_is_recorded_with_attendance_and_completion(client, cast):
    user = branch_secretary(cast.village_a)
    client.force_login(user)
    upload = _sheet([
        (1, date(2025, 3, 5), "支部党员大会", "学习两会精神", "李秀英", "", "王建国（外出务工）"),
        (2, "2025.3.12", "党课", "牢记初心使命", "李秀英", "李秀英", "无"),
        (3, "2025年3月20日", "支委会", "研究发展党员", "李秀英", "", ""),
    ])  # fmt: skip
    response = client.post(reverse("records:import", args=[cast.village_a.pk]), {"file": upload})
    assert response.status_code == 302
    assert Meeting.objects.count() == 3
    congress = Meeting.objects.get(kind="congress")
    assert (congress.present_count, congress.absent_count) == (1, 1)
    assert Attendance.objects.get(meeting=congress, member=cast.member_a).get_absence_display() == "外出"
    assert Completion.objects.get(organization=cast.village_a, year=2025).meetings == 3
    page = client.get(response["Location"]).content.decode()
    assert "已导入 3 条记录" in page and "跳过合计行 1 行" in page
    # the same sheet again: nothing doubled
    again = client.post(reverse("records:import", args=[cast.village_a.pk]), {"file": _sheet([
        (1, date(2025, 3, 5), "支部党员大会", "学习两会精神", "李秀英", "", ""),
    ])})  # fmt: skip
    assert again.status_code == 302 and Meeting.objects.count() == 3


def test_a_ledger_with_bad_rows_records_nothing_and_names_each_row(client, cast):
    client.force_login(branch_secretary(cast.village_a))
    upload = _sheet([
        (1, date(2025, 3, 5), "支部党员大会", "学习", "李秀英", "", "张伟（病假）"),
        (2, "2025.13.40", "座谈会", "", "李秀英", "", ""),
        (3, date(2025, 4, 1), "党课", "党课", "李秀英", "", ""),
        (4, date(2025, 4, 2), "民主生活会", "班子", "李秀英", "", ""),
    ])  # fmt: skip
    response = client.post(reverse("records:import", args=[cast.village_a.pk]), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "第 4 行 缺席人员：“张伟”不在本支部名册中" in page  # another county's member
    assert "第 5 行 日期" in page and "第 5 行 类型：只能填" in page and "第 5 行 主题：不能为空" in page
    assert "第 6 行 授课人：党课请填写授课人" in page
    assert "第 7 行 类型：王庄村党支部不能记录民主生活会" in page
    bad = SimpleUploadedFile("台账.xlsx", b"MZ" + b"\x00" * 200)
    response = client.post(reverse("records:import", args=[cast.village_a.pk]), {"file": bad})
    assert (
        response.status_code == 200 and "Excel" in response.content.decode() and not Meeting.objects.exists()
    )


def test_only_a_keeper_of_the_branch_imports(client, cast):
    client.force_login(cast.county_organiser)
    url = reverse("records:import", args=[cast.village_a.pk])
    assert client.get(url).status_code == 403
    client.force_login(branch_secretary(cast.village_b))
    assert client.get(url).status_code == 404
    assert client.post(url, {"file": _sheet([])}).status_code == 404
    assert client.put(url).status_code == 405
