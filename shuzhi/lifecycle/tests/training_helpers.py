"""A bank, a test and a 发展对象 ready for it, made the way an organiser makes them."""

from datetime import timedelta

from django.utils import timezone

from shuzhi.lifecycle import rules
from shuzhi.lifecycle import training as training_services
from shuzhi.lifecycle.models import Audience, Question, QuestionBank
from shuzhi.lifecycle.tests.helpers import start, walk


def bank_with(org, *, singles: int = 4, multiples: int = 2, judges: int = 2) -> QuestionBank:
    bank = QuestionBank.objects.create(organization=org, org_path=org.path, title="发展对象应知应会")
    rows = [Question(bank=bank, kind=rules.SINGLE, text=f"单选{i}", options=["甲", "乙", "丙", "丁"], answer="B")
            for i in range(singles)]  # fmt: skip
    rows += [Question(bank=bank, kind=rules.MULTIPLE, text=f"多选{i}", options=["甲", "乙", "丙", "丁"], answer="AC")
             for i in range(multiples)]  # fmt: skip
    rows += [Question(bank=bank, kind=rules.JUDGE, text=f"判断{i}", options=list(rules.JUDGE_OPTIONS), answer="A")
             for i in range(judges)]  # fmt: skip
    Question.objects.bulk_create(rows)
    return bank


def exam_for_candidates(actor, org, bank, **extra):
    values = {"title": "入党前知识测试", "audience": Audience.CANDIDATE, "single_count": 2, "multiple_count": 1,
              "judge_count": 1, "pass_percent": 60, "max_attempts": 3, "time_limit": 0} | extra  # fmt: skip
    return training_services.exam_save(actor=actor, organization=org, bank=bank, **values)


def candidate(cast, *, name: str = "孙立新", until: str = "vetting"):
    """A person of 王庄村 at 发展对象, every step up to `until` done (applied three years ago)."""
    applied = timezone.localdate() - timedelta(days=3 * 365)
    person = start(actor=cast.township_secretary, org=cast.village_a, applied_on=applied, name=name)
    return walk(person, actor=cast.township_secretary, until=until)


def right_answers(sitting) -> dict[str, str]:
    return {str(q.pk): q.answer for q in Question.objects.filter(pk__in=sitting.paper)}


def wrong_answers(sitting) -> dict[str, str]:
    return {
        str(q.pk): "D" if q.kind != rules.JUDGE else "B"
        for q in Question.objects.filter(pk__in=sitting.paper)
    }
