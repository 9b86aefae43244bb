"""Recording organisational life: what is kept, what is refused, and the completion it moves."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shuzhi.core.models import AuditEvent
from shuzhi.orgs.models import Organization
from shuzhi.records.models import Attachment, Attendance, Completion, Meeting, Requirement
from shuzhi.records.services import (
    Mark,
    completion_refresh,
    completions_rebuild,
    meeting_record,
    meeting_withdraw,
)
from shuzhi.testing.factories import MemberFactory
from shuzhi.testing.records import PNG, branch_secretary, clerk, year_of_records

pytestmark = pytest.mark.django_db


def _record(actor, org, **kwargs):
    values = {"kind": "congress", "held_on": timezone.localdate(), "topic": "学习党的二十届四中全会精神",
              "host": "李秀英"}  # fmt: skip
    values.update(kwargs)
    return meeting_record(actor=actor, organization=org, **values)


def test_the_requirements_are_seeded_as_data():
    labels = list(Requirement.objects.values_list("kind", "period", "secretary_only"))
    assert ("congress", "quarter", False) in labels and ("committee", "month", False) in labels
    assert ("group", "month", False) in labels and ("lecture", "quarter", False) in labels
    assert ("lecture", "year", True) in labels and ("theme_day", "month", False) in labels
    assert ("life_meeting", "year", False) in labels


def test_a_branch_secretary_records_a_meeting_with_attendance_and_a_photo(cast):
    user = branch_secretary(cast.village_a)
    meeting = _record(user, cast.village_a, marks={cast.member_a.pk: Mark(), cast.secretary_a.pk: Mark(False, "sick")},
                      files=[SimpleUploadedFile("现场.png", PNG)], minutes="会议记录正文")  # fmt: skip
    assert (meeting.present_count, meeting.absent_count, meeting.org_path) == (1, 1, cast.village_a.path)
    absent = Attendance.objects.get(meeting=meeting, member=cast.secretary_a)
    assert absent.present is False and absent.get_absence_display() == "病假"
    attachment = Attachment.objects.get(meeting=meeting)
    assert (
        attachment.kind == "png" and attachment.original_name == "现场.png" and attachment.file.read() == PNG
    )
    event = AuditEvent.objects.get(action="records.meeting_record")
    assert event.org_path == cast.village_a.path and event.changes["after"]["present"] == 1
    completion = Completion.objects.get(organization=cast.village_a, year=meeting.held_on.year)
    assert completion.meetings == 1 and not completion.met


def test_a_lecture_by_the_branch_secretary_counts_for_the_secretarys_yearly_lecture(cast):
    Organization.objects.filter(pk=cast.village_a.pk).update(secretary=cast.secretary_a)
    cast.village_a.refresh_from_db()
    user = clerk(cast.village_a)
    meeting = _record(user, cast.village_a, kind="lecture", teacher="李秀英")
    other = _record(user, cast.village_a, kind="lecture", teacher="党校讲师")
    assert meeting.by_secretary and not other.by_secretary
    with pytest.raises(ValidationError) as error:
        _record(user, cast.village_a, kind="lecture", teacher="")
    assert "党课请填写授课人" in str(error.value.message_dict["teacher"])


def test_refusals_name_the_field_and_write_nothing(cast):
    user = branch_secretary(cast.village_a)
    tomorrow = timezone.localdate() + timedelta(days=1)
    cases = [
        ({"held_on": tomorrow}, "held_on", "不能晚于今天"),
        ({"topic": "  "}, "topic", "请填写主题"),
        ({"host": ""}, "host", "请填写主持人"),
        ({"kind": "democratic_life"}, "kind", "民主生活会由党委"),
        ({"kind": "nonsense"}, "kind", "请选择"),
        ({"marks": {cast.member_b.pk: Mark()}}, "attendance", "不是本组织的党员"),
        ({"marks": {cast.member_a.pk: Mark(False, "")}}, "attendance", "缺席原因"),
        ({"marks": {cast.member_a.pk: Mark(False, "sick")}}, "attendance", "没有出席"),
        ({"files": [SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"\x00" * 100)]}, None, ""),
    ]
    for values, field, text in cases:
        with pytest.raises(ValidationError) as error:
            _record(user, cast.village_a, **values)
        if field:
            assert text in " ".join(error.value.message_dict[field]), values
    assert (
        not Meeting.objects.exists() and not Attendance.objects.exists() and not Attachment.objects.exists()
    )
    assert not AuditEvent.objects.filter(action__startswith="records.").exists()


def test_nobody_records_for_a_branch_outside_their_subtree_or_without_the_capability(cast):
    with pytest.raises(PermissionDenied):
        _record(branch_secretary(cast.village_a), cast.village_a2)
    with pytest.raises(PermissionDenied):
        _record(cast.county_organiser, cast.village_a)  # the 组织部 reads, the branch records
    with pytest.raises(PermissionDenied):
        _record(cast.member_user, cast.village_a)
    assert not Meeting.objects.exists()


def test_a_leadership_group_records_only_its_democratic_life_meeting(cast):
    user = branch_secretary(cast.township_a, username="township_keeper")
    meeting = _record(user, cast.township_a, kind="democratic_life")
    assert meeting.kind == "democratic_life"
    with pytest.raises(ValidationError):
        _record(user, cast.township_a, kind="congress")
    assert not Completion.objects.filter(organization=cast.township_a).exists()  # not a branch


def test_withdrawing_a_record_keeps_it_in_the_audit_log_and_moves_the_completion_back(cast):
    user = branch_secretary(cast.village_a)
    year = timezone.localdate().year - 1
    year_of_records(cast.village_a, year)
    assert Completion.objects.get(organization=cast.village_a, year=year).met
    meeting = Meeting.objects.filter(organization=cast.village_a, kind="life_meeting").get()
    with pytest.raises(ValidationError):
        meeting_withdraw(actor=user, meeting=meeting, reason=" ")
    with pytest.raises(PermissionDenied):
        meeting_withdraw(
            actor=branch_secretary(cast.village_b, username="b_sec"), meeting=meeting, reason="错"
        )
    meeting_withdraw(actor=user, meeting=meeting, reason="日期录错")
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    completion = Completion.objects.get(organization=cast.village_a, year=year)
    assert not completion.met and completion.missing == ["组织生活会每年至少 1 次：全年不足 1 次"]
    event = AuditEvent.objects.get(action="records.meeting_withdraw")
    assert event.changes["before"]["kind"] == "life_meeting" and event.changes["reason"] == "日期录错"


def test_a_year_with_one_month_missed_fails_that_quarter_only(cast):
    year = timezone.localdate().year - 1
    year_of_records(cast.village_a, year, skip_months=(8,))
    c = Completion.objects.get(organization=cast.village_a, year=year)
    assert (c.q1, c.q2, c.q3, c.q4, c.yearly, c.met) == (True, True, False, True, True, False)
    assert c.missing == ["主题党日每月 1 次：8月未开展"]


def test_changing_a_requirement_and_rebuilding_judges_every_branch_again(cast):
    year = timezone.localdate().year - 1
    year_of_records(cast.village_a, year)
    year_of_records(cast.village_b, year, skip_months=(1,))
    Requirement.objects.filter(kind="theme_day").update(active=False)  # no longer asked for
    assert completions_rebuild(year=year) == 2
    assert Completion.objects.get(organization=cast.village_b, year=year).met
    assert not Completion.objects.filter(organization=cast.village_a2, year=year).exists()  # nothing held


def test_the_refresh_of_a_committee_is_a_no_op(cast):
    assert completion_refresh(organization=cast.township_a, year=2026) is None


def test_a_member_who_left_the_roster_is_refused(cast):
    newcomer = MemberFactory(name="新党员", organization=cast.village_a2)
    with pytest.raises(ValidationError):
        _record(branch_secretary(cast.village_a), cast.village_a, marks={newcomer.pk: Mark()},
                held_on=date(2025, 1, 1))  # fmt: skip


def test_the_rebuild_command_judges_a_year_again(cast):
    import io

    from django.core.management import call_command

    year_of_records(cast.village_a, 2024)
    Completion.objects.all().delete()
    out = io.StringIO()
    call_command("records_rebuild", year=2024, stdout=out)
    assert "2024 年度 1 个" in out.getvalue() and Completion.objects.get(organization=cast.village_a).met
