from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuzhi.core.models import AuditEvent, Notification
from shuzhi.core.roles import Role
from shuzhi.cycles.services import cycle_advance
from shuzhi.reports.models import Report, ReportItem, ReportVersion
from shuzhi.reports.selectors import version_diff
from shuzhi.reports.services import (
    report_accept,
    report_item_add,
    report_item_remove,
    report_return,
    report_save,
    report_submit,
)
from shuzhi.testing.cycles import county_cycle, fill, township_report
from shuzhi.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(cast):
    return township_report(county_cycle(cast), cast)


def test_the_first_save_turns_a_report_into_a_draft(cast, report):
    report = report_save(actor=cast.township_secretary, report=report, sections={"duty": "  履责情况  "})
    assert report.status == Report.Status.DRAFT
    assert Report.objects.get(pk=report.pk).sections["duty"] == "履责情况"


def test_an_incomplete_report_cannot_be_submitted_and_says_what_is_missing(cast, report):
    report_save(actor=cast.township_secretary, report=report, sections={"duty": "有内容"})
    with pytest.raises(ValidationError) as error:
        report_submit(actor=cast.township_secretary, report=report)
    messages = error.value.messages
    assert "“个人履职情况”还没有填写。" in messages
    assert "问题清单至少要列出一条问题。" in messages
    assert not any("上年问题整改" in m for m in messages)  # nothing carried over: the section may stay empty
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT


def test_submit_return_resubmit_accept_with_versions_audit_and_notifications(cast, report):
    secretary, organiser = cast.township_secretary, cast.county_organiser
    report = fill(report, secretary)
    report = report_submit(actor=secretary, report=report)
    assert report.status == Report.Status.SUBMITTED and report.submitted_at
    assert Notification.objects.filter(recipient=organiser, text__contains="提交了述职报告").exists()
    with pytest.raises(ValidationError):  # submitted: not editable any more
        report_save(actor=secretary, report=report, sections={"duty": "改"})
    with pytest.raises(ValidationError) as error:
        report_return(actor=organiser, report=report, reason="")
    assert "退回理由" in str(error.value)
    report = report_return(actor=organiser, report=report, reason="成绩部分缺少具体数字和案例")
    assert (report.status, report.return_reason) == (Report.Status.RETURNED, "成绩部分缺少具体数字和案例")
    notice = Notification.objects.get(recipient=secretary, text__contains="退回")
    assert "成绩部分缺少具体数字和案例" in notice.text
    secretary.refresh_from_db()
    assert secretary.unread_notifications >= 1
    report = report_save(
        actor=secretary,
        report=report,
        sections={"achievements": "发展党员42名；典型案例：王庄村“党建+合作社”。"},
    )
    assert report.status == Report.Status.RETURNED  # until resubmitted
    report = report_submit(actor=secretary, report=report)
    report = report_accept(actor=organiser, report=report)
    assert report.status == Report.Status.ACCEPTED
    versions = list(ReportVersion.objects.filter(report=report))
    assert [v.action for v in versions] == ["submitted", "returned", "submitted", "accepted"]
    assert versions[1].reason == "成绩部分缺少具体数字和案例"
    changed = version_diff(versions[1], versions[2])
    assert any(line.kind == "added" and "合作社" in line.text for line in changed)
    assert any(line.kind == "removed" and "发展党员42名" in line.text for line in changed)
    assert list(
        AuditEvent.objects.filter(action__startswith="report.")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["report.submit", "report.return", "report.submit", "report.accept"]
    with pytest.raises(ValidationError):
        report_accept(actor=organiser, report=report)  # already accepted


def test_only_the_reporting_secretary_writes_and_only_the_cycle_organiser_reviews(cast, report):
    other = UserFactory(role=Role.SECRETARY, organization=cast.township_b)
    with pytest.raises(ValidationError) as error:
        report_save(actor=other, report=report, sections={"duty": "冒名"})
    assert error.value.code == "not_reporter"
    report = report_submit(actor=cast.township_secretary, report=fill(report, cast.township_secretary))
    for reviewer in (cast.city_organiser, cast.outsider, cast.township_secretary):
        with pytest.raises(ValidationError) as error:
            report_accept(actor=reviewer, report=report)
        assert error.value.code == "not_reviewer"


def test_a_cycle_past_the_reporting_stages_refuses_changes(cast, report):
    cycle = report.reporter.cycle
    cycle = cycle_advance(actor=cast.county_organiser, cycle=cycle)  # meeting: still accepted
    report = fill(report, cast.township_secretary)
    cycle_advance(actor=cast.county_organiser, cycle=cycle)  # assessing
    with pytest.raises(ValidationError) as error:
        report_save(actor=cast.township_secretary, report=report, sections={"duty": "迟到的修改"})
    assert error.value.code == "cycle_closed"


def test_list_items_need_a_kind_and_problems_a_severity(cast, report):
    secretary = cast.township_secretary
    with pytest.raises(ValidationError) as error:
        report_item_add(actor=secretary, report=report, kind="problem", text="问题", severity="")
    assert "严重程度" in str(error.value)
    with pytest.raises(ValidationError):
        report_item_add(actor=secretary, report=report, kind="carried", text="伪造上年事项")
    item = report_item_add(
        actor=secretary, report=report, kind="commitment", text="每月开展一次主题党日", severity="serious"
    )
    assert item.severity == ""  # only problems have one
    report_item_remove(actor=secretary, item=item)
    assert not ReportItem.objects.filter(pk=item.pk).exists()


def test_last_years_problems_and_commitments_are_carried_over_to_be_answered(cast):
    secretary = cast.township_secretary
    last_year = timezone.localdate().year - 1
    with time_machine.travel(timezone.now() - timedelta(days=365), tick=False):
        old = township_report(county_cycle(cast, year=last_year), cast)
        old = fill(old, secretary)
        report_item_add(actor=secretary, report=old, kind="commitment", text="年内完成村级活动场所改造")
        report_item_add(actor=secretary, report=old, kind="responsibility", text="第一责任人")
    report = township_report(county_cycle(cast), cast)
    carried = list(report.items.filter(kind=ReportItem.Kind.CARRIED).order_by("position"))
    assert [(c.source_kind, c.text) for c in carried] == [
        ("problem", "村级后备干部储备不足"), ("commitment", "年内完成村级活动场所改造"),
    ]  # fmt: skip
    assert all(c.source.report == old for c in carried)
    report = fill(report, secretary)
    with pytest.raises(ValidationError) as error:
        report_submit(actor=secretary, report=report)
    assert any("还没有说明落实情况" in m for m in error.value.messages)
    report_save(actor=secretary, report=report, sections={},
                answers={carried[0].pk: ("done", ""), carried[1].pk: ("in_progress", "")})  # fmt: skip
    with pytest.raises(ValidationError) as error:
        report_submit(actor=secretary, report=report)
    assert any("未完成，请说明原因" in m for m in error.value.messages)
    report_save(actor=secretary, report=report, sections={},
                answers={carried[1].pk: ("in_progress", "已完成主体改造，12月底前验收")})  # fmt: skip
    assert report_submit(actor=secretary, report=report).status == Report.Status.SUBMITTED
    with pytest.raises(ValidationError):
        report_item_remove(actor=secretary, item=carried[0])


def test_adding_or_removing_a_listed_item_counts_as_editing_the_report(cast, report):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        report_save(actor=cast.township_secretary, report=report, sections={"duty": "有内容"})
        clock.shift(timedelta(hours=1))
        item = report_item_add(
            actor=cast.township_secretary, report=report, kind="problem", text="台账不全", severity="minor"
        )
        assert Report.objects.get(pk=report.pk).updated_at == start + timedelta(hours=1)
        clock.shift(timedelta(hours=1))
        report_item_remove(actor=cast.township_secretary, item=item)
        assert Report.objects.get(pk=report.pk).updated_at == start + timedelta(hours=2)
