"""The one-time test codes: kept only as a keyed hash, shown once, opened whatever the case and
spacing typed, and guessing them refused after ten wrong ones from an address."""

from datetime import timedelta

import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.models import AuditEvent
from shuzhi.lifecycle import training as training_services
from shuzhi.lifecycle.models import Sitting
from shuzhi.lifecycle.tests.training_helpers import bank_with, candidate, exam_for_candidates

WRONG = "ABCDEFGH"


def issued(cast) -> Sitting:
    exam_for_candidates(cast.county_organiser, cast.county_a, bank_with(cast.county_a))
    return training_services.sitting_issue(actor=cast.township_secretary, applicant=candidate(cast))


def test_the_code_is_kept_as_its_hash_and_found_whatever_the_spacing_typed(cast):
    sitting = issued(cast)
    code = sitting.code
    assert len(code) == 8 and set(code) <= set(training_services.CODE_ALPHABET)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM lifecycle_sitting")
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert not any(code in value for value in stored)  # nowhere in clear
    assert bytes(Sitting.objects.get(pk=sitting.pk).code_hash) == training_services.code_hash(code)
    typed = f" {code[:4].lower()} {code[4:]} "
    assert training_services.sitting_by_code(typed).pk == sitting.pk
    assert training_services.sitting_by_code(WRONG) is None
    assert training_services.sitting_by_code(code[:7]) is None


def test_an_open_paper_refuses_a_second_code_without_showing_the_first(cast):
    sitting = issued(cast)
    message = ""
    try:
        training_services.sitting_issue(actor=cast.township_secretary, applicant=sitting.applicant)
    except ValidationError as error:
        message = " ".join(error.messages)
    assert "尚未交卷的试卷（第 1 次" in message and sitting.code not in message


def test_ten_wrong_codes_from_an_address_are_refused_for_a_quarter_of_an_hour(client, cast):
    sitting = issued(cast)
    right = reverse("lifecycle:take", args=[sitting.code])
    for _n in range(training_services.CODE_FAILURE_LIMIT):
        response = client.get(reverse("lifecycle:take", args=[WRONG]))
        assert response.status_code == 404 and "不存在" in response.context["problem"]
    assert AuditEvent.objects.filter(action="lifecycle.code_guessing").count() == 1
    for url in (right, reverse("lifecycle:take_code")):  # even the right code, at either door
        refused = client.get(url)
        assert refused.status_code == 429
        assert "输错测试码的次数过多，请 15 分钟后再试" in refused.content.decode()
    posted = client.post(reverse("lifecycle:take_code"), {"code": sitting.code})
    assert posted.status_code == 429
    assert Sitting.objects.get(pk=sitting.pk).started_at is None  # the paper was not opened
    other = client.get(right, REMOTE_ADDR="10.0.0.9")  # another address is not refused
    assert other.status_code == 200 and len(other.context["questions"]) == 4
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert client.get(right).status_code == 200


def test_a_mistyped_code_or_two_still_opens_the_paper(client, cast):
    sitting = issued(cast)
    for _n in range(training_services.CODE_FAILURE_LIMIT - 1):
        client.get(reverse("lifecycle:take", args=[WRONG]))
    assert client.get(reverse("lifecycle:take", args=[sitting.code.lower()])).status_code == 200


def test_a_paper_keeps_its_questions_when_opened_again(client, cast):
    sitting = issued(cast)
    url = reverse("lifecycle:take", args=[sitting.code])
    first = [q.pk for q in client.get(url).context["questions"]]
    started = Sitting.objects.get(pk=sitting.pk).started_at
    again = client.get(url)
    assert [q.pk for q in again.context["questions"]] == first == sitting.paper
    assert Sitting.objects.get(pk=sitting.pk).started_at == started  # the clock is not restarted
    bank = sitting.exam.bank  # a question taken out of the bank after the draw stays on the paper
    bank.questions.filter(pk=first[0]).update(active=False)
    assert [q.pk for q in client.get(url).context["questions"]] == first
