from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shuzhi.core.models import AuditEvent, Notification
from shuzhi.demo.lifecycle import path_plan
from shuzhi.lifecycle import rules, services
from shuzhi.lifecycle.models import Applicant, Step, StepDocument, StepRecord
from shuzhi.lifecycle.tests.helpers import pdf, start, walk
from shuzhi.members.models import Member
from shuzhi.testing.factories import UserFactory, make_id_number

pytestmark = pytest.mark.django_db
THREE_YEARS_AGO = date.today() - timedelta(days=3 * 365 + 30)


def test_an_application_is_registered_with_its_first_step_document_and_audit(cast):
    person = start(
        actor=cast.township_secretary, org=cast.village_a, applied_on=date(2025, 3, 3), files=[pdf()]
    )
    assert person.stage == "applicant" and person.next_step.code == "talk"
    assert person.next_deadline == date(2025, 4, 3)
    record = StepRecord.objects.get(applicant=person)
    assert record.step.code == "apply" and record.recorded_by == cast.township_secretary
    document = StepDocument.objects.get(record=record)
    assert document.kind == "pdf" and document.file.read() == pdf().read()
    assert AuditEvent.objects.filter(action="lifecycle.applicant_create", target_id=str(person.pk)).exists()
    assert "****" in AuditEvent.objects.get(action="lifecycle.applicant_create").changes["after"]["id_number"]


def test_an_applicant_under_18_is_refused_and_nothing_is_written(cast):
    with pytest.raises(ValidationError) as error:
        start(actor=cast.township_secretary, org=cast.village_a, applied_on=date(2025, 3, 3),
              birth=date(2007, 6, 1), files=[pdf()])  # fmt: skip
    assert "年满十八周岁" in error.value.message_dict["done_on"][0]
    assert not Applicant.objects.exists() and not StepDocument.objects.exists()


def test_an_application_must_go_to_a_branch_and_come_from_someone_not_yet_a_member(cast):
    with pytest.raises(ValidationError, match="不是党支部"):
        start(actor=cast.township_secretary, org=cast.township_a, applied_on=date(2025, 3, 3))
    with pytest.raises(ValidationError) as error:
        services.applicant_create(actor=cast.township_secretary, organization=cast.village_a, name="王建国",
                                  id_number=cast.member_a.id_number, education="bachelor", category="farmer",
                                  applied_on=date(2025, 3, 3))  # fmt: skip
    assert "已登记为党员" in error.value.message_dict["id_number"][0]


def test_a_second_application_with_the_same_id_number_is_refused(cast):
    person = start(actor=cast.township_secretary, org=cast.village_a, applied_on=date(2025, 3, 3))
    with pytest.raises(ValidationError) as error:
        services.applicant_create(actor=cast.township_secretary, organization=cast.village_a2, name="孙立新",
                                  id_number=person.id_number, education="bachelor", category="farmer",
                                  applied_on=date(2025, 3, 3))  # fmt: skip
    assert "王庄村党支部" in error.value.message_dict["id_number"][0]


def test_only_organisers_and_secretaries_of_the_subtree_may_record(cast):
    with pytest.raises(PermissionDenied):
        start(actor=cast.outsider, org=cast.village_a, applied_on=date(2025, 3, 3))
    with pytest.raises(PermissionDenied):
        start(actor=cast.member_user, org=cast.village_a, applied_on=date(2025, 3, 3))
    clerk = UserFactory(role="clerk", organization=cast.village_a)
    with pytest.raises(PermissionDenied):
        start(actor=clerk, org=cast.village_a, applied_on=date(2025, 3, 3))
    assert start(actor=cast.county_organiser, org=cast.village_a, applied_on=date(2025, 3, 3)).pk


def test_the_whole_path_makes_a_probationary_then_a_full_member(cast):
    person = start(actor=cast.township_secretary, org=cast.village_a, applied_on=THREE_YEARS_AGO)
    person = walk(person, actor=cast.township_secretary, until="committee_talk")
    assert person.stage == "candidate" and person.member is None
    plan = path_plan(THREE_YEARS_AGO)
    assert person.next_step.code == "approval"
    assert person.next_deadline == rules.add_months(plan["admission"].done_on, 3)
    person = walk(person, actor=cast.township_secretary, until="approval")
    member = person.member
    assert person.stage == "probationary" and member.status == Member.Status.PROBATIONARY
    assert member.joined_on == plan["admission"].done_on and member.organization == cast.village_a
    assert member.id_number == person.id_number and member.birth_date == person.birth_date
    cast.village_a.refresh_from_db()
    assert cast.village_a.probationary_count == 1
    person = walk(person, actor=cast.township_secretary, until="conversion_approval")
    member.refresh_from_db()
    assert person.stage == "full" and person.state == Applicant.State.MEMBER and person.next_step is None
    assert member.status == Member.Status.FULL
    assert member.full_member_on == rules.add_months(plan["admission"].done_on, 12)
    assert StepRecord.objects.filter(applicant=person).count() == Step.objects.count()
    assert AuditEvent.objects.filter(action="member.create", target_id=str(member.pk)).exists()
    with pytest.raises(ValidationError, match="不能再记录"):
        services.step_record(actor=cast.township_secretary, applicant=person, step=Step.objects.get(code="oath"),
                             entry=rules.StepEntry(date.today()))  # fmt: skip


def test_a_refused_step_writes_nothing(cast):
    person = start(actor=cast.township_secretary, org=cast.village_a, applied_on=date(2025, 3, 3))
    talk = Step.objects.get(code="talk")
    with pytest.raises(ValidationError) as error:
        services.step_record(actor=cast.township_secretary, applicant=person, step=talk,
                             entry=rules.StepEntry(date(2025, 5, 1)), files=[pdf()])  # fmt: skip
    assert "逾期原因" in error.value.message_dict["note"][0]
    assert StepRecord.objects.filter(applicant=person).count() == 1
    assert StepDocument.objects.count() == 0


def test_a_file_that_is_not_a_pdf_or_image_is_refused_on_the_files_field(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        start(actor=cast.township_secretary, org=cast.village_a, applied_on=date(2025, 3, 3), files=[bad])
    assert "files" in error.value.message_dict
    assert not Applicant.objects.exists()


def test_a_path_can_be_stopped_with_its_reason_but_not_once_admitted(cast):
    person = start(actor=cast.township_secretary, org=cast.village_a, applied_on=date(2025, 3, 3))
    with pytest.raises(ValidationError):
        services.applicant_stop(actor=cast.township_secretary, applicant=person, reason=" ")
    services.applicant_stop(actor=cast.township_secretary, applicant=person, reason="本人撤回申请")
    person.refresh_from_db()
    assert person.state == Applicant.State.STOPPED and person.stopped_reason == "本人撤回申请"
    admitted = start(actor=cast.township_secretary, org=cast.village_a2, applied_on=THREE_YEARS_AGO,
                     name="钱进")  # fmt: skip
    admitted = walk(admitted, actor=cast.township_secretary, until="approval")
    with pytest.raises(ValidationError, match="取消预备党员资格"):
        services.applicant_stop(actor=cast.township_secretary, applicant=admitted, reason="不合格")


def test_reminders_go_to_the_branch_keepers_once_per_step(cast):
    keeper = UserFactory(role="secretary", organization=cast.village_a)
    far = UserFactory(role="secretary", organization=cast.village_b)
    person = start(actor=cast.township_secretary, org=cast.village_a, applied_on=date(2025, 3, 3))
    assert services.deadline_reminders_send(today=date(2025, 3, 10)) == 0
    assert services.deadline_reminders_send(today=date(2025, 3, 25)) == 1
    note = Notification.objects.get(recipient=keeper)
    assert "孙立新" in note.text and "党组织派人谈话" in note.text and "2025-04-03" in note.text
    assert note.link.endswith(f"/lifecycle/people/{person.pk}/")
    assert not Notification.objects.filter(recipient=far).exists()
    assert services.deadline_reminders_send(today=date(2025, 3, 26)) == 0


def test_the_clock_moved_lets_the_conversion_meeting_happen_a_year_after_admission(cast):
    """Recorded as it happens: each step on its own day, the clock moved forward with time-machine."""
    applied = date(2024, 1, 8)
    plan = path_plan(applied)
    with time_machine.travel(applied, tick=False) as clock:
        person = start(actor=cast.township_secretary, org=cast.village_a, applied_on=applied)
        for step in Step.objects.exclude(code="apply").order_by("order"):
            clock.move_to(plan[step.code].done_on)
            assert timezone.localdate() == plan[step.code].done_on
            services.step_record(
                actor=cast.township_secretary, applicant=person, step=step, entry=plan[step.code]
            )
    person.refresh_from_db()
    assert person.member.status == Member.Status.FULL


def test_an_id_number_is_checked(cast):
    valid = make_id_number(date(1990, 1, 1), "M")  # one number (each call makes another)
    wrong = valid[:-1] + ("1" if valid.endswith("0") else "0")  # the same number, a wrong check character
    with pytest.raises(ValidationError) as error:
        services.applicant_create(actor=cast.township_secretary, organization=cast.village_a, name="孙立新",
                                  id_number=wrong, education="bachelor", category="farmer",
                                  applied_on=date(2025, 3, 3))  # fmt: skip
    assert "id_number" in error.value.message_dict
