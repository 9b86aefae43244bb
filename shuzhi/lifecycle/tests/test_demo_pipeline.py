from datetime import date

import pytest

from shuzhi.demo.lifecycle import demo_pipeline_ensure
from shuzhi.lifecycle import rules, services
from shuzhi.lifecycle.models import Applicant, StepRecord

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
