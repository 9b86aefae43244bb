from datetime import date

import pytest

from shuzhi.demo.lifecycle import demo_pipeline_ensure, demo_training_ensure
from shuzhi.lifecycle import rules, selectors, services
from shuzhi.lifecycle.models import Applicant, Plan, Question, Sitting, StepRecord
from shuzhi.lifecycle.tests.training_helpers import candidate

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
