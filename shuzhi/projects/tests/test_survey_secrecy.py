"""A questionnaire's secrecy against someone who reads the database after it closed (the ballots'
attack, shuzhi/ballots/tests/test_secrecy.py): they see which codes were used and every response
with its answers, and pair the two by every order the storage offers: SQLite's rowid, PostgreSQL's
ctid and xmin, the ids, the codes' serial numbers. Sixty responses with sixty distinct answer
patterns go in in a known order, so each pairing can be checked against the truth.

A blind pairing of n = 60 gets about one right (Poisson, mean 1); P(≥ 10) ≈ 1.1 × 10⁻⁷ for one
attack, and fewer than 100 attacks are tried here, so a correct rewrite fails below 10⁻⁵."""

import itertools
import secrets
import uuid

import pytest
from django.db import connection
from django.db.models import DateTimeField

from shuzhi.core.models import AuditEvent
from shuzhi.projects import surveys
from shuzhi.projects.models import Answer, Questionnaire, QuestionnaireCode, QuestionnaireUse

N = 60
CHANCE_BOUND = 9


def _rows(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _physical(alias: str) -> list[str]:
    if connection.vendor == "postgresql":
        return [f"{alias}.ctid", f"{alias}.xmin::text::bigint"]
    return [f"{alias}.rowid"]


def _dates(alias: str, model) -> list[str]:
    return [f"{alias}.{f.column}" for f in model._meta.concrete_fields if isinstance(f, DateTimeField)]


def _code_orders(q_id: int) -> dict[str, list[int]]:
    keys = [*_physical("u"), "u.code_id", *_physical("c"), "c.serial", *_dates("c", QuestionnaireCode)]
    return {
        f"codes by {key}": [
            row[0]
            for row in _rows(
                "SELECT u.code_id FROM projects_questionnaireuse u "  # noqa: S608
                "JOIN projects_questionnairecode c ON c.id = u.code_id "
                f"WHERE u.questionnaire_id = %s ORDER BY {key}, u.code_id",
                [q_id],
            )
        ]
        for key in keys
    }


def _response_orders(q_id: int) -> dict[str, list[str]]:
    orders = {}
    for key in [*_physical("r"), "r.id", *_physical("a"), "a.id", *_dates("a", Answer)]:
        rows = _rows(
            "SELECT r.id FROM projects_answer a JOIN projects_questionnaireresponse r ON r.id = a.response_id "  # noqa: S608
            f"WHERE r.questionnaire_id = %s ORDER BY {key}, a.id",
            [q_id],
        )
        orders[f"responses by {key}"] = list(dict.fromkeys(uuid.UUID(str(row[0])).hex for row in rows))
    return orders


def _patterns(q: Questionnaire) -> dict[str, tuple]:
    """response id → (single option, chosen options of the multiple, rating)."""
    found: dict[str, dict] = {}
    for response, position, option, rating in Answer.objects.filter(response__questionnaire=q).values_list(
        "response_id", "question__position", "option", "rating"
    ):
        entry = found.setdefault(response.hex, {1: None, 2: [], 3: None})
        if position == 2:
            entry[2].append(option)
        else:
            entry[position] = option if position == 1 else rating
    return {r: (e[1], tuple(sorted(e[2])), e[3]) for r, e in found.items()}


def _answer_sixty(cast, *, order: str):
    actor = cast.township_secretary
    q = surveys.survey_create(actor=actor, organization=cast.township_a, title="满意度")
    single = surveys.question_add(
        actor=actor, questionnaire=q, kind="single", text="评价", options="好\n中\n差"
    )
    multiple = surveys.question_add(
        actor=actor, questionnaire=q, kind="multiple", text="问题", options="甲\n乙\n丙"
    )
    rating = surveys.question_add(actor=actor, questionnaire=q, kind="rating", text="评分")
    surveys.survey_publish(actor=actor, questionnaire=q, codes=N)
    subsets = [s for n in (1, 2, 3) for s in itertools.combinations((0, 1, 2), n)]  # 7
    patterns = list(itertools.product((0, 1, 2), subsets, (1, 2, 3, 4, 5)))[:N]  # 105 distinct
    codes = list(
        QuestionnaireCode.objects.filter(questionnaire=q).order_by("serial").values_list("pk", "token")
    )
    if order == "shuffled":
        secrets.SystemRandom().shuffle(codes)
    truth, events = {}, AuditEvent.objects.count()
    for (code, token), (one, many, score) in zip(codes, patterns, strict=True):
        surveys.survey_answer(
            questionnaire=q,
            token=token,
            submitted={single.pk: [str(one)], multiple.pk: [str(i) for i in many], rating.pk: [str(score)]},
        )
        truth[code] = (one, tuple(many), score)
    assert AuditEvent.objects.count() == events
    return q, truth


def _best_attack(q, truth) -> tuple[int, str]:
    patterns = _patterns(q)
    best = (-1, "")
    for (code_key, code_order), (key, order) in itertools.product(
        _code_orders(q.pk).items(), _response_orders(q.pk).items()
    ):
        assert len(code_order) == len(order) == N
        for direction, seq in (("", order), (" reversed", order[::-1])):
            right = sum(truth[c] == patterns[r] for c, r in zip(code_order, seq, strict=True))
            best = max(best, (right, f"{code_key} ~ {key}{direction}"))
    return best


@pytest.mark.django_db(transaction=True)  # each response in its own committed transaction, as served
@pytest.mark.parametrize("order", ["serial", "shuffled"])
def test_after_closing_no_order_in_the_database_pairs_codes_with_responses(cast, order):
    q, truth = _answer_sixty(cast, order=order)
    surveys.survey_close(actor=cast.township_secretary, questionnaire=q)
    assert QuestionnaireUse.objects.filter(questionnaire=q).count() == N  # a used code stays used
    assert sorted(_patterns(q).values()) == sorted(truth.values())  # every response kept as given
    right, how = _best_attack(q, truth)
    assert right <= CHANCE_BOUND, f"{right} of {N} codes paired with their responses by {how}"


@pytest.mark.django_db(transaction=True)
def test_while_open_the_attack_works_which_is_why_closing_rewrites(cast):
    q, truth = _answer_sixty(cast, order="serial")
    right, how = _best_attack(q, truth)
    assert right == N, how
