import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.models import AuditEvent
from shuzhi.demo.lifecycle import (
    demo_departures_ensure,
    demo_pipeline_ensure,
    demo_training_ensure,
    demo_transfers_ensure,
)
from shuzhi.lifecycle import rules, selectors, services
from shuzhi.lifecycle.models import Applicant, Departure, Plan, Question, Sitting, StepRecord, Transfer
from shuzhi.lifecycle.tests.training_helpers import candidate
from shuzhi.members.models import Member

pytestmark = pytest.mark.django_db


def test_the_demo_writes_people_whose_recorded_steps_pass_the_rules_once(cast):
    today = date(2026, 6, 1)
    written = demo_pipeline_ensure(root=cast.city, today=today, seed=7, share=0.5)
    assert written == Applicant.objects.count() > 0
    all_rules = services.step_rules()
    for person in Applicant.objects.all():
        done = services.done_of(person)
        assert person.stage == rules.stage_of(all_rules, done)
        assert person.next_step.code == rules.next_rule(all_rules, done).code
        assert max(done.values()) <= today and person.member_id is None
    assert StepRecord.objects.filter(step__code="approval").count() == 0
    assert demo_pipeline_ensure(root=cast.city, today=today, seed=7) == 0


def test_the_demo_writes_a_bank_a_passed_test_and_this_years_plans_once(cast):
    candidate(cast)
    assert demo_training_ensure(root=cast.city, year=2026, actor=cast.city_organiser) == 30
    assert {k: Question.objects.filter(kind=k).count() for k in ("single", "multiple", "judge")} == {
        "single": 14, "multiple": 8, "judge": 8}  # fmt: skip
    for question in Question.objects.all():
        assert not rules.question_problems(kind=question.kind, text=question.text, options=question.options,
                                           answer=question.answer)  # fmt: skip
    passed = Sitting.objects.get()
    assert passed.passed and passed.applicant.stage == "candidate" and len(passed.paper) == 20
    assert selectors.exam_gate_problem(passed.applicant, "短期集中培训") is None
    assert Plan.objects.filter(year=2026).count() == 2  # the two counties
    assert passed.applicant.attendances.get().course.hours == 24
    assert demo_training_ensure(root=cast.city, year=2026, actor=cast.city_organiser) == 0


def test_the_demo_writes_transfers_done_and_waiting_that_the_branches_can_act_on_once(client, cast):
    today = date(2026, 6, 1)
    written = demo_transfers_ensure(root=cast.city, today=today, actor=cast.city_organiser, seed=3, share=1.0,
                                    focus=cast.village_a)  # fmt: skip
    rows = list(Transfer.objects.select_related("member"))
    assert written == len(rows) >= 2
    assert len({t.letter_number for t in rows}) == len(rows)
    for transfer in rows:
        assert transfer.sent_on > transfer.member.joined_on and transfer.from_org_id != transfer.to_org_id
        now_at = transfer.from_org_id if transfer.status == Transfer.Status.SENT else transfer.to_org_id
        assert transfer.member.organization_id == now_at and transfer.member.org_path in (transfer.from_path,
                                                                                          transfer.to_path)  # fmt: skip
        if transfer.status == Transfer.Status.CONFIRMED:
            assert transfer.sent_on < transfer.received_on <= transfer.confirmed_on <= today
    into_focus = [t for t in rows if t.to_org_id == cast.village_a.pk]
    assert {t.status for t in into_focus} >= {Transfer.Status.SENT, Transfer.Status.CONFIRMED}
    waiting = next(t for t in into_focus if t.status == Transfer.Status.SENT)
    client.force_login(cast.township_secretary)
    page = client.get(reverse("lifecycle:transfers", args=[cast.village_a.pk]))
    assert [t.pk for t in page.context["waiting"]] == [waiting.pk]
    assert {t.pk for t in page.context["page"].object_list} >= {t.pk for t in into_focus}
    with time_machine.travel(datetime(2026, 6, 2, 10, tzinfo=UTC), tick=False):
        services.transfer_receive(
            actor=cast.township_secretary, transfer=waiting, received_on=date(2026, 6, 2)
        )
    waiting.member.refresh_from_db()
    assert waiting.member.organization_id == cast.village_a.pk
    assert demo_transfers_ensure(root=cast.city, today=today, actor=cast.city_organiser) == 0


def test_a_generated_city_with_its_pipeline_has_transfers_too(db):
    out = io.StringIO()
    call_command(
        "generate_city", orgs=320, members=3000, seed=5, pipeline=True, as_of=date(2026, 6, 1), stdout=out
    )
    assert Applicant.objects.count() > 0 and "已生成组织关系转接" in out.getvalue()
    statuses = set(Transfer.objects.values_list("status", flat=True))
    assert statuses == {Transfer.Status.SENT, Transfer.Status.RECEIVED, Transfer.Status.CONFIRMED}
    assert 3 <= Transfer.objects.count() <= 15  # about 0.3% of 3,000 members


def test_the_demo_records_members_who_left_through_the_service_once(cast):
    today = timezone.localdate()
    written = demo_departures_ensure(
        root=cast.city, today=today, actor=cast.city_organiser, seed=3, share=0.5
    )
    rows = list(Departure.objects.select_related("member"))
    assert written == len(rows) >= 2  # the cast has few members without an account
    for departure in rows:
        member = departure.member
        assert member.left_on == departure.left_on and member.joined_on < departure.left_on <= today
        assert not hasattr(member, "account") and departure.kind in ("died", "transferred_out", "quit")
    assert AuditEvent.objects.filter(action="lifecycle.departure_record").count() == written
    left = {d.member_id for d in rows}
    assert not Member.objects.filter(pk__in=left, left_on__isnull=True).exists()
    assert demo_departures_ensure(root=cast.city, today=today, actor=cast.city_organiser) == 0
