"""民主评议党员: one-time codes, anonymous sheets kept apart from who evaluated, small groups
hidden, the branch's decisions and what follows a 不合格, the member's own outcome."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from shuzhi.records.models import (
    EvaluationCode,
    EvaluationDecision,
    EvaluationMark,
    EvaluationRound,
    EvaluationSheet,
    EvaluationUse,
    SelfAssessment,
)
from shuzhi.records.services import (
    evaluation_cast,
    evaluation_close,
    evaluation_decide,
    evaluation_open,
    self_assessment_save,
)
from shuzhi.testing.factories import MemberFactory
from shuzhi.testing.records import branch_secretary

pytestmark = pytest.mark.django_db
YEAR = 2025


def _branch_of(cast, extra: int):
    for i in range(extra):
        MemberFactory(name=f"党员{i:02d}", organization=cast.village_a)
    return branch_secretary(cast.village_a)


def _grades(cast, special=None, grade="合格"):
    from shuzhi.members.models import Member

    marks = {
        m: grade for m in Member.objects.filter(org_path=cast.village_a.path).values_list("id", flat=True)
    }
    marks.update(special or {})
    return marks


def test_a_round_is_evaluated_anonymously_counted_and_decided(client, cast):
    keeper = _branch_of(cast, 4)  # six members: six codes
    round_ = evaluation_open(actor=keeper, organization=cast.village_a, year=YEAR)
    tokens = list(EvaluationCode.objects.filter(round=round_).order_by("serial"))
    assert len(tokens) == 6
    for i, code in enumerate(tokens[:5]):
        evaluation_cast(token=code.token, grades=_grades(cast, {cast.member_a.pk: "不合格"} if i < 3 else {}))
    with pytest.raises(ValidationError) as used:
        evaluation_cast(token=tokens[0].token, grades=_grades(cast))
    assert used.value.code == "used"
    assert EvaluationSheet.objects.count() == 5 and EvaluationUse.objects.count() == 5
    before = set(EvaluationSheet.objects.values_list("id", flat=True))
    round_ = evaluation_close(actor=keeper, round_=round_)
    assert round_.sheets == 5 and not EvaluationUse.objects.exists()  # who used a code is gone
    assert not before & set(EvaluationSheet.objects.values_list("id", flat=True))  # rewritten
    assert EvaluationMark.objects.filter(member=cast.member_a, grade="不合格").count() == 3
    with pytest.raises(ValidationError):
        evaluation_cast(token=tokens[5].token, grades=_grades(cast))  # closed
    with pytest.raises(ValidationError):  # 不合格 needs what follows, with a date
        evaluation_decide(actor=keeper, round_=round_, member=cast.member_a, grade="不合格")
    evaluation_decide(actor=keeper, round_=round_, member=cast.member_a, grade="不合格", follow_up="correct",
                      follow_up_on=date(2026, 1, 20), note="限期三个月改正")  # fmt: skip
    client.force_login(keeper)
    page = client.get(
        reverse("records:evaluation", args=[cast.village_a.pk]), {"year": YEAR}
    ).content.decode()
    assert "共收回 5 份评议表" in page and "不合格 3" in page and "限期改正" in page
    client.force_login(cast.member_user)
    mine = client.get(reverse("records:mine"), {"year": YEAR}).content.decode()
    assert "评定等次：不合格（限期改正，2026-01-20）" in mine
    client.force_login(cast.county_organiser)  # above: counts only, no names
    page = client.get(
        reverse("records:evaluation", args=[cast.village_a.pk]), {"year": YEAR}
    ).content.decode()
    assert "不合格：1 人" in page and "王建国" not in page
    client.force_login(cast.township_secretary)  # keeps records below, but the evaluation is the branch's
    url = reverse("records:evaluation", args=[cast.village_a.pk])
    page = client.get(url, {"year": YEAR}).content.decode()
    assert "不合格：1 人" in page and "王建国" not in page
    assert client.post(f"{url}?year={YEAR}", {"action": "close"}).status_code == 403


def test_the_sheets_carry_nothing_that_names_or_times_the_evaluator():
    for model in (EvaluationSheet, EvaluationMark):
        names = {f.name for f in model._meta.get_fields()}
        assert not names & {"code", "user", "created_at", "updated_at", "ip", "token", "serial"}, model
        assert model._meta.pk.get_internal_type() == "UUIDField"
    with connection.cursor() as cursor:
        columns = [
            c.name for c in connection.introspection.get_table_description(cursor, "records_evaluationsheet")
        ]
    assert columns == ["id", "round_id"]


def test_a_small_group_is_hidden_and_refused_sheets_leave_no_row(client, cast):
    keeper = _branch_of(cast, 1)  # three members
    round_ = evaluation_open(actor=keeper, organization=cast.village_a, year=YEAR)
    codes = list(EvaluationCode.objects.filter(round=round_))
    for bad in (
        {cast.member_a.pk: "合格"},
        _grades(cast, {cast.member_a.pk: "很好"}),
        _grades(cast, {cast.member_b.pk: "合格"}),
    ):
        with pytest.raises(ValidationError):
            evaluation_cast(token=codes[0].token, grades=bad)
    with pytest.raises(ValidationError):
        evaluation_cast(token="not-a-code", grades=_grades(cast))
    assert (
        not EvaluationUse.objects.exists()
        and not EvaluationSheet.objects.exists()
        and not EvaluationMark.objects.exists()
    )
    for code in codes:
        evaluation_cast(token=code.token, grades=_grades(cast))
    evaluation_close(actor=keeper, round_=round_)
    client.force_login(keeper)
    page = client.get(
        reverse("records:evaluation", args=[cast.village_a.pk]), {"year": YEAR}
    ).content.decode()
    assert "少于 5 份" in page and "合格 3" not in page


def test_the_phone_sheet_needs_no_login_and_says_why_it_refuses(client, cast):
    keeper = _branch_of(cast, 0)
    round_ = evaluation_open(actor=keeper, organization=cast.village_a, year=YEAR)
    code = EvaluationCode.objects.filter(round=round_).first()
    url = reverse("records:evaluate", args=[code.token])
    page = client.get(url).content.decode()
    assert "王建国" in page and "李秀英" in page
    data = {f"g{cast.member_a.pk}": "优秀", f"g{cast.secretary_a.pk}": "合格"}
    assert client.post(url, data)["Location"] == reverse("records:evaluated")
    again = client.post(url, data)
    assert again.status_code == 400 and "只能用一次" in again.content.decode()
    assert client.get(reverse("records:evaluate", args=["nothing"])).status_code == 404
    assert client.put(url).status_code == 405
    assert EvaluationSheet.objects.count() == 1


def test_who_may_open_close_decide_and_write_a_self_assessment(client, cast):
    keeper = _branch_of(cast, 0)
    with pytest.raises(PermissionDenied):
        evaluation_open(actor=cast.county_organiser, organization=cast.village_a, year=YEAR)
    with pytest.raises(ValidationError):
        evaluation_open(
            actor=branch_secretary(cast.township_a, username="t"), organization=cast.township_a, year=YEAR
        )
    round_ = evaluation_open(actor=keeper, organization=cast.village_a, year=YEAR)
    with pytest.raises(ValidationError):
        evaluation_open(actor=keeper, organization=cast.village_a, year=YEAR)
    with pytest.raises(ValidationError):
        evaluation_decide(actor=keeper, round_=round_, member=cast.member_a, grade="合格")  # still open
    self_assessment_save(actor=cast.member_user, round_=round_, text="按时参加组织生活，带头志愿服务")
    assert SelfAssessment.objects.get().member == cast.member_a
    with pytest.raises(PermissionDenied):
        self_assessment_save(actor=cast.county_organiser, round_=round_, text="不是本支部党员")
    with pytest.raises(PermissionDenied):
        evaluation_close(actor=branch_secretary(cast.village_b, username="b"), round_=round_)
    url = reverse("records:evaluation", args=[cast.village_a.pk]) + f"?year={YEAR}"
    client.force_login(cast.county_organiser)
    assert client.post(url, {"action": "close"}).status_code == 403
    assert (
        client.get(reverse("records:evaluation_slips", args=[cast.village_a.pk]), {"year": YEAR}).status_code
        == 403
    )
    client.force_login(branch_secretary(cast.village_b, username="b2"))
    assert client.get(url).status_code == 404
    client.force_login(keeper)
    slips = client.get(
        reverse("records:evaluation_slips", args=[cast.village_a.pk]), {"year": YEAR}
    ).content.decode()
    assert (
        EvaluationCode.objects.first().token in slips and slips.count('class="segno"') == 2
    )  # a QR code each
    assert EvaluationRound.objects.get().status == "open" and not EvaluationDecision.objects.exists()


def test_an_evaluation_code_in_an_address_is_masked_in_the_logs_as_a_ballot_code_is():
    from shuzhi.ballots.logging import CODE_IN_PATH, MASK

    url = reverse("records:evaluate", args=["AbC_123-xyz"])
    assert url == "/records/v/AbC_123-xyz/"
    assert "AbC_123" not in CODE_IN_PATH.sub(MASK, f'"GET {url} HTTP/1.1" 200')
    assert CODE_IN_PATH.sub(MASK, reverse("records:evaluated")) == "/records/v/done/"


def test_the_evaluation_done_fact_counts_branches_with_a_counted_round(cast):
    from decimal import Decimal

    from shuzhi.core import facts

    keeper = _branch_of(cast, 0)
    round_ = evaluation_open(actor=keeper, organization=cast.village_a, year=YEAR)
    subjects = [facts.Subject(id=o.pk, path=o.path, name=o.name) for o in (cast.township_a, cast.township_b)]
    assert (
        facts.collect("records.evaluation_done", year=YEAR, subjects=subjects)[cast.township_a.pk].value == 0
    )
    evaluation_close(actor=keeper, round_=round_)
    found = facts.collect("records.evaluation_done", year=YEAR, subjects=subjects)
    assert found[cast.township_a.pk].value == Decimal("50.00") and found[cast.township_b.pk].value == 0
    assert [e.value for e in found[cast.township_a.pk].evidence] == ["2", "1"]
