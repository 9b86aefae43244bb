"""问卷调查 as its users meet it: the township's secretary builds a questionnaire on its page and
publishes it with one-time codes; members answer anonymously (a used code and a closed
questionnaire are refused); the results are counted by hand; small groups stay hidden; a finding
becomes a declared problem in one step; another county sees nothing."""

import csv
import io
import logging

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from shuzhi.ballots.logging import RedactBallotCodes
from shuzhi.core.models import AuditEvent
from shuzhi.projects import surveys
from shuzhi.projects.models import (
    Answer,
    DeclaredItem,
    Question,
    Questionnaire,
    QuestionnaireCode,
    QuestionnaireResponse,
    QuestionnaireUse,
)
from shuzhi.testing.projects import county_round, township_declaration

pytestmark = pytest.mark.django_db


def build(cast, *, mode=Questionnaire.Mode.CODES, codes=10, min_group=5) -> Questionnaire:
    """The township's questionnaire: one question of each kind, published."""
    actor = cast.township_secretary
    q = surveys.survey_create(
        actor=actor, organization=cast.township_a, title="党员群众满意度调查", mode=mode, min_group=min_group
    )
    surveys.question_add(actor=actor, questionnaire=q, kind="single", text="您对村“两委”班子的总体评价",
                         options="满意\n基本满意\n不满意")  # fmt: skip
    surveys.question_add(actor=actor, questionnaire=q, kind="multiple", text="您认为最突出的问题（可多选）",
                         options="组织生活不规范\n服务群众不到位\n村务公开不及时")  # fmt: skip
    surveys.question_add(actor=actor, questionnaire=q, kind="rating", text="三会一课开展情况")
    surveys.question_add(actor=actor, questionnaire=q, kind="text", text="您的意见建议", required=False)
    return surveys.survey_publish(actor=actor, questionnaire=q, codes=codes if mode == "codes" else 0)


def tokens(q: Questionnaire) -> list[str]:
    return [c.token for c in QuestionnaireCode.objects.filter(questionnaire=q).order_by("serial")]


def post_answer(client, url, q, *, single="0", multiple=("1",), rating="4", text=""):
    single_q, multiple_q, rating_q, text_q = q.questions.order_by("position")
    return client.post(
        url,
        {f"q{single_q.pk}": single, f"q{multiple_q.pk}": list(multiple), f"q{rating_q.pk}": rating,
         f"q{text_q.pk}": text},
    )  # fmt: skip


def answer_url(token: str) -> str:
    return reverse("projects:survey_answer", args=[token])


def test_the_secretary_builds_on_the_page_a_bad_question_keeps_what_was_typed_and_publishes(client, cast):
    client.force_login(cast.township_secretary)
    page = client.get(reverse("projects:surveys"))
    assert page.status_code == 200 and "新建问卷" in page.content.decode()
    created = client.post(
        reverse("projects:surveys"),
        {"organization": cast.township_a.pk, "title": "述职前问卷", "intro": "", "audience": "members",
         "mode": "codes", "min_group": 5},
    )  # fmt: skip
    q = Questionnaire.objects.get(title="述职前问卷")
    assert created.status_code == 302 and q.status == Questionnaire.Status.DRAFT
    url = q.get_absolute_url()
    refused = client.post(
        url, {"action": "question", "kind": "single", "text": "您是否满意", "options": "满意"}
    )
    body = refused.content.decode()
    assert refused.status_code == 200 and "至少要有两个选项" in body and "您是否满意" in body
    assert not q.questions.exists()
    client.post(url, {"action": "question", "kind": "single", "text": "您是否满意", "options": "满意\n不满意",
                      "required": "on"})  # fmt: skip
    client.post(url, {"action": "question", "kind": "rating", "text": "班子作风评分", "required": "on"})
    assert list(q.questions.values_list("position", "kind")) == [(1, "single"), (2, "rating")]
    no_codes = client.post(url, {"action": "publish", "codes": ""})
    assert "答题码数量应为" in no_codes.content.decode()
    client.post(url, {"action": "publish", "codes": "12"})
    q.refresh_from_db()
    assert q.status == Questionnaire.Status.PUBLISHED and q.codes.count() == 12
    assert AuditEvent.objects.filter(action="projects.survey_publish").exists()
    slips = client.get(reverse("projects:survey_slips", args=[q.pk])).content.decode()
    assert slips.count("<svg") == 12 and "/projects/surveys/v/" in slips
    changed = client.post(url, {"action": "question", "kind": "rating", "text": "再加一题"})
    assert changed.status_code == 302 and q.questions.count() == 2  # published: questions are fixed


def test_an_empty_questionnaire_cannot_be_published(cast):
    q = surveys.survey_create(actor=cast.township_secretary, organization=cast.township_a, title="空问卷")
    with pytest.raises(Exception, match="还没有题目"):
        surveys.survey_publish(actor=cast.township_secretary, questionnaire=q, codes=5)


def test_a_code_answers_once_a_used_code_and_a_closed_questionnaire_are_refused(client, cast):
    q = build(cast)
    first, second, third = tokens(q)[:3]
    assert client.get(answer_url(first)).status_code == 200
    assert post_answer(client, answer_url(first), q).status_code == 302
    again = post_answer(client, answer_url(first), q)
    assert again.status_code == 409 and "已经用过" in again.content.decode()
    assert client.get(answer_url(first)).status_code == 409
    assert client.get(answer_url("not-a-code")).status_code == 404
    incomplete = post_answer(client, answer_url(second), q, single="", text="路灯不亮")
    body = incomplete.content.decode()
    assert incomplete.status_code == 400 and "请选择一项" in body and "路灯不亮" in body  # kept
    assert QuestionnaireResponse.objects.filter(questionnaire=q).count() == 1  # nothing written
    assert not QuestionnaireUse.objects.filter(
        code__token_hash=surveys.keyed_hash(second, purpose=surveys.CODE_PURPOSE)
    ).exists()
    surveys.survey_close(actor=cast.township_secretary, questionnaire=q)
    closed = post_answer(client, answer_url(third), q)
    assert closed.status_code == 403 and "已经结束" in closed.content.decode()
    assert client.get(answer_url(third)).status_code == 403
    assert QuestionnaireResponse.objects.filter(questionnaire=q).count() == 1


def test_answering_keeps_no_session_no_audit_event_and_no_person_on_the_rows(client, cast, caplog):
    caplog.set_level(logging.DEBUG)
    q = build(cast)
    events = AuditEvent.objects.count()
    for token in tokens(q)[:3]:
        post_answer(client, answer_url(token), q, text="希望多开展志愿服务")
    assert AuditEvent.objects.count() == events
    assert not Session.objects.exists()
    for model in (QuestionnaireResponse, Answer, QuestionnaireUse):
        names = {f.name for f in model._meta.concrete_fields}
        assert not names & {"user", "created_at", "updated_at", "address", "ip", "submitted_at"}, model
    # the codes' address is masked in every log line
    token = tokens(q)[0]
    record = logging.LogRecord(
        "django.request", logging.WARNING, "", 0, "Conflict: %s", (answer_url(token),), None
    )
    RedactBallotCodes().filter(record)
    assert token not in record.getMessage()


def _answer_six(client, q):
    """Six responses, counted by hand below."""
    plan = [
        dict(single="0", multiple=("0", "1"), rating="5", text="支部活动形式单一"),
        dict(single="0", multiple=("1",), rating="4", text=""),
        dict(single="1", multiple=("1", "2"), rating="4", text="村务公开栏更新慢"),
        dict(single="2", multiple=("0",), rating="2", text=""),
        dict(single="0", multiple=("1",), rating="3", text="希望多开展志愿服务"),
        dict(single="1", multiple=("2",), rating="5", text=""),
    ]
    for token, answers in zip(tokens(q), plan, strict=False):
        assert post_answer(client, answer_url(token), q, **answers).status_code == 302


def test_the_summary_per_question_matches_a_count_by_hand_and_the_export_says_the_same(client, cast):
    q = build(cast)
    _answer_six(client, q)
    surveys.survey_close(actor=cast.township_secretary, questionnaire=q)
    q.refresh_from_db()
    assert q.responses == 6
    client.force_login(cast.county_organiser)
    body = client.get(q.get_absolute_url()).content.decode()
    assert "共收回 6 份" in body
    # single: 满意 3 (50.0%), 基本满意 2 (33.3%), 不满意 1 (16.7%)
    assert '<td>满意</td><td class="text-end">3</td><td class="text-end">50.0%</td>' in body
    assert '<td>基本满意</td><td class="text-end">2</td><td class="text-end">33.3%</td>' in body
    assert '<td>不满意</td><td class="text-end">1</td><td class="text-end">16.7%</td>' in body
    # multiple: 组织生活不规范 2, 服务群众不到位 4 (66.7% of 6 who answered), 村务公开不及时 2
    assert '<td>服务群众不到位</td><td class="text-end">4</td><td class="text-end">66.7%</td>' in body
    # rating: (5+4+4+2+3+5)/6 = 3.83
    assert 'data-testid="mean">3.83<' in body
    assert '<td>5 分</td><td class="text-end">2</td>' in body
    # text: three answered, fewer than 5 → that question is hidden, the others shown
    assert "作答不足 5 人，不显示" in body and "村务公开栏更新慢" not in body
    assert (
        'id="survey-data"' in body and "<script>" not in body
    )  # charts' data by json_script, no inline script
    export = client.get(reverse("projects:survey_export", args=[q.pk]))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert ["1", "您对村“两委”班子的总体评价", "6", "满意", "3", "50.0%", ""] in rows
    assert ["3", "三会一课开展情况", "6", "平均分", "", "", "3.83"] in rows
    assert not any("村务公开栏更新慢" in cell for row in rows for cell in row)


def test_free_text_is_listed_once_five_answered_it(client, cast):
    q = build(cast)
    texts = ["甲意见", "乙意见", "丙意见", "丁意见", "戊意见"]
    for token, text in zip(tokens(q), texts, strict=False):
        post_answer(client, answer_url(token), q, text=text)
    surveys.survey_close(actor=cast.township_secretary, questionnaire=q)
    client.force_login(cast.township_secretary)
    body = client.get(q.get_absolute_url()).content.decode()
    assert all(t in body for t in texts)


def test_fewer_responses_than_the_minimum_show_nothing_at_all(client, cast):
    q = build(cast)
    for token in tokens(q)[:4]:
        post_answer(client, answer_url(token), q, text="一条意见")
    surveys.survey_close(actor=cast.township_secretary, questionnaire=q)
    client.force_login(cast.township_secretary)
    body = client.get(q.get_absolute_url()).content.decode()
    assert "收回不足 5 份" in body and "<td>满意</td>" not in body and "一条意见" not in body
    assert client.get(reverse("projects:survey_export", args=[q.pk])).status_code == 404


def test_no_results_while_answers_are_coming_in(client, cast):
    q = build(cast)
    _answer_six(client, q)
    client.force_login(cast.township_secretary)
    body = client.get(q.get_absolute_url()).content.decode()
    assert "已收回 6 份" in body and "<td>满意</td>" not in body
    assert client.get(reverse("projects:survey_export", args=[q.pk])).status_code == 404


def test_a_finding_becomes_a_declared_problem_in_one_step(client, cast):
    round_ = county_round(cast)
    declaration = township_declaration(round_, cast)
    q = build(cast)
    _answer_six(client, q)
    surveys.survey_close(actor=cast.township_secretary, questionnaire=q)
    client.force_login(cast.township_secretary)
    page = client.get(q.get_absolute_url()).content.decode()
    assert "列入问题清单" in page and "选“服务群众不到位”的占 66.7%" in page  # the evidence offered
    question = q.questions.get(position=2)
    response = client.post(
        q.get_absolute_url(),
        {"action": "finding", "finding-question": question.pk, "finding-text": "服务群众不到位",
         "finding-category": "服务群众", "finding-evidence": "问卷 6 份中 4 人（66.7%）反映服务群众不到位"},
    )  # fmt: skip
    assert response.status_code == 302 and response.url == declaration.get_absolute_url()
    item = DeclaredItem.objects.get(declaration=declaration)
    assert (item.kind, item.text, item.category, item.found_by) == (
        "problem",
        "服务群众不到位",
        "服务群众",
        question,
    )
    assert "66.7%" in item.evidence
    assert "服务群众不到位" in client.get(declaration.get_absolute_url()).content.decode()
    assert "已列入问题清单" in client.get(q.get_absolute_url()).content.decode()
    empty = client.post(
        q.get_absolute_url(),
        {"action": "finding", "finding-question": question.pk, "finding-text": "", "finding-category": "其他",
         "finding-evidence": "依据"},
    )  # fmt: skip
    assert empty.status_code == 200 and DeclaredItem.objects.count() == 1
    # the organiser above sees the results but the unit's problem list is the secretary's
    client.force_login(cast.county_organiser)
    assert (
        client.post(q.get_absolute_url(), {"action": "finding", "finding-question": question.pk}).status_code
        == 403
    )


def test_without_a_declaration_being_written_the_finding_is_refused_with_why(client, cast):
    q = build(cast)
    _answer_six(client, q)
    surveys.survey_close(actor=cast.township_secretary, questionnaire=q)
    with pytest.raises(Exception, match="没有正在填写的年度申报"):
        surveys.finding_to_problem(
            actor=cast.township_secretary, question=q.questions.first(), text="问题", category="其他"
        )


def test_another_county_and_a_member_see_nothing(client, cast):
    q = build(cast)
    _answer_six(client, q)
    surveys.survey_close(actor=cast.township_secretary, questionnaire=q)
    client.force_login(cast.outsider)
    for name in ("projects:survey", "projects:survey_export", "projects:survey_slips"):
        assert client.get(reverse(name, args=[q.pk])).status_code == 404, name
    assert "党员群众满意度调查" not in client.get(reverse("projects:surveys")).content.decode()
    assert client.post(q.get_absolute_url(), {"action": "close"}).status_code == 404
    client.force_login(cast.member_user)
    assert client.get(reverse("projects:survey", args=[q.pk])).status_code == 403
    client.force_login(cast.county_organiser)  # above the township: sees it
    assert client.get(reverse("projects:survey_export", args=[q.pk])).status_code == 200


def test_a_secretary_runs_questionnaires_only_for_the_own_unit(cast):
    with pytest.raises(Exception, match="只能为本单位"):
        surveys.survey_create(actor=cast.township_secretary, organization=cast.village_a, title="越级问卷")
    with pytest.raises(Exception, match="只能为本单位"):
        surveys.survey_create(actor=cast.outsider, organization=cast.township_a, title="邻区问卷")
    assert surveys.survey_create(actor=cast.county_organiser, organization=cast.township_a, title="区委问卷")


def test_the_open_link_takes_five_answers_an_hour_from_one_address(client, cast):
    q = build(cast, mode=Questionnaire.Mode.OPEN)
    url = reverse("projects:survey_open", args=[q.open_key])
    for _n in range(5):
        assert post_answer(client, url, q).status_code == 302
    limited = post_answer(client, url, q)
    assert limited.status_code == 429 and "过于频繁" in limited.content.decode()
    elsewhere = client.post(url, {}, REMOTE_ADDR="10.1.2.3")  # a refused answer counts nothing
    assert elsewhere.status_code == 400
    single_q, multiple_q, rating_q, _text = q.questions.order_by("position")
    ok = client.post(url, {f"q{single_q.pk}": "0", f"q{multiple_q.pk}": "0", f"q{rating_q.pk}": "3"},
                     REMOTE_ADDR="10.1.2.3")  # fmt: skip
    assert ok.status_code == 302
    assert QuestionnaireResponse.objects.filter(questionnaire=q).count() == 6
    assert client.get(reverse("projects:survey_open", args=["wrong"])).status_code == 404


def test_a_draft_cannot_be_answered_and_a_code_cannot_open_another_kind(client, cast):
    q = build(cast, mode=Questionnaire.Mode.OPEN)
    with pytest.raises(Exception, match="须凭答题码"):
        coded = build(cast)
        surveys.survey_answer(questionnaire=coded, submitted={})
    assert q.status == Questionnaire.Status.PUBLISHED


def test_wrong_methods_are_refused(client, cast):
    q = build(cast)
    client.force_login(cast.township_secretary)
    assert client.delete(q.get_absolute_url()).status_code == 405
    assert client.post(reverse("projects:survey_export", args=[q.pk])).status_code == 405
    assert client.put(answer_url(tokens(q)[0])).status_code == 405


def test_a_question_of_an_unknown_answer_is_refused_in_the_rules():
    from shuzhi.projects import rules

    assert rules.answer_faults("single", True, ["甲", "乙"], ["5"])[1]
    assert rules.answer_faults("multiple", True, ["甲", "乙"], ["0", "9"])[1]
    assert rules.answer_faults("rating", True, [], ["6"])[1]
    assert rules.answer_faults("rating", False, [], [])[1] == ""
    assert rules.answer_faults("multiple", True, ["甲", "乙"], ["1", "0"]) == ([0, 1], "")
    assert rules.tally("rating", [], [5, 4], min_group=5) == {"answered": 2, "hidden": True}
    assert Question.Kind.RATING == "rating"
