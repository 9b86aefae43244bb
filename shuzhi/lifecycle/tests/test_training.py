"""The training and the test online, as organisers, secretaries and applicants use them."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from shuzhi.core.models import AuditEvent
from shuzhi.demo.lifecycle import path_plan
from shuzhi.lifecycle import rules, selectors, services
from shuzhi.lifecycle import training as training_services
from shuzhi.lifecycle.models import Audience, Course, Exam, Question, Sitting, Step, StepRecord
from shuzhi.lifecycle.tests.training_helpers import (
    bank_with,
    candidate,
    exam_for_candidates,
    right_answers,
    wrong_answers,
)
from shuzhi.testing.sheets import xlsx

pytestmark = pytest.mark.django_db
HEADERS = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "分值"]


def sheet(rows, headers=HEADERS) -> SimpleUploadedFile:
    return SimpleUploadedFile("题库.xlsx", xlsx(rows, headers=headers))


# Grading by hand --------------------------------------------------------------------------------


def test_grading_gives_each_question_its_points_only_when_exactly_right():
    questions = [
        rules.QuestionRule(id=1, kind=rules.SINGLE, answer="B", points=2),
        rules.QuestionRule(id=2, kind=rules.MULTIPLE, answer="AC", points=3),
        rules.QuestionRule(id=3, kind=rules.MULTIPLE, answer="ABD", points=3),
        rules.QuestionRule(id=4, kind=rules.JUDGE, answer="A", points=1),
        rules.QuestionRule(id=5, kind=rules.JUDGE, answer="B", points=1),
    ]
    # single right (2), multiple given as "c a" = AC (3), multiple one letter missing (0),
    # true/false as 对 (1), the last left blank (0)
    answers = {"1": "b", "2": "c a", "3": "AB", "4": "对"}
    assert rules.grade(questions, answers) == (6, 10)
    assert rules.percent(6, 10) == 60 and rules.passed(6, 10, 60)
    assert not rules.passed(59, 100, 60) and rules.percent(599, 1000) == 59
    assert rules.grade(questions, {}) == (0, 10)


def test_a_paper_is_drawn_at_random_with_the_count_of_each_kind():
    import random

    pool = {rules.SINGLE: list(range(1, 21)), rules.MULTIPLE: list(range(21, 31)), rules.JUDGE: [31, 32, 33]}
    counts = {rules.SINGLE: 5, rules.MULTIPLE: 2, rules.JUDGE: 3}
    papers = {tuple(rules.draw_paper(pool, counts, random.Random(seed))) for seed in range(20)}
    assert len(papers) > 10  # random
    for paper in papers:
        assert (
            len(set(paper)) == 10
            and sum(1 for q in paper if q <= 20) == 5
            and sum(1 for q in paper if q > 30) == 3
        )
    assert rules.draw_problems({rules.SINGLE: 3}, counts) == [
        "单选题要抽 5 道，题库中只有 3 道。", "多选题要抽 2 道，题库中只有 0 道。", "判断题要抽 3 道，题库中只有 0 道。"]  # fmt: skip


# The bank from Excel -----------------------------------------------------------------------------


def test_an_organiser_imports_a_bank_from_excel_and_edits_a_question(client, cast):
    bank = training_services.bank_create(
        actor=cast.county_organiser, organization=cast.county_a, title="应知应会"
    )
    client.force_login(cast.county_organiser)
    rows = [
        ("单选题", "党的最高领导机关是？", "全国代表大会和中央委员会", "国务院", "", "", "A", 2),
        ("多选", "发展党员的方针？", "坚持标准", "保证质量", "改善结构", "慎重发展", "a,b,c,d", ""),
        ("判断题", "预备期为一年。", "", "", "", "", "对", 1),
    ]
    response = client.post(
        reverse("lifecycle:bank", args=[bank.pk]), {"action": "import", "import-file": sheet(rows)}
    )
    assert response.status_code == 302
    found = {q.text: q for q in bank.questions.all()}
    assert found["党的最高领导机关是？"].options == ["全国代表大会和中央委员会", "国务院"]
    assert found["发展党员的方针？"].answer == "ABCD" and found["发展党员的方针？"].points == 1
    assert found["预备期为一年。"].options == ["正确", "错误"] and found["预备期为一年。"].answer == "A"
    assert AuditEvent.objects.filter(action="lifecycle.bank_import").count() == 1
    item = found["党的最高领导机关是？"]
    url = reverse("lifecycle:question", args=[bank.pk, item.pk])
    page = client.get(url)
    assert page.context["form"].initial["answer"] == "A"
    bad = {"kind": "single", "text": item.text, "option_a": "甲", "option_b": "乙", "answer": "C", "points": 2,
           "active": "on"}  # fmt: skip
    response = client.post(url, bad)
    assert response.status_code == 200 and "超出了已有的选项" in response.content.decode()
    response = client.post(url, bad | {"answer": "B"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.options, item.answer) == (["甲", "乙"], "B")
    assert AuditEvent.objects.filter(action="lifecycle.question_save").exists()


def test_a_sheet_with_bad_rows_is_refused_whole_naming_each_row_and_column(client, cast):
    bank = bank_with(cast.county_a, singles=1, multiples=0, judges=0)
    client.force_login(cast.county_organiser)
    rows = [
        ("单选题", "好的一题", "甲", "乙", "", "", "A", 1),
        ("填空题", "题型不对", "甲", "乙", "", "", "A", 1),
        ("单选题", "两个答案", "甲", "乙", "丙", "", "AB", 1),
        ("多选题", "答案超出", "甲", "乙", "", "", "AE", 1),
        ("判断题", "判断无答案", "", "", "", "", "也许", 1),
        ("单选题", "分值不对", "甲", "乙", "", "", "A", "很多"),
        ("单选题", "选项空一个", "甲", "", "丙", "", "A", 1),
        ("单选题", "单选0", "甲", "乙", "", "", "A", 1),  # already in the bank
    ]
    response = client.post(
        reverse("lifecycle:bank", args=[bank.pk]), {"action": "import", "import-file": sheet(rows)}
    )
    assert response.status_code == 200
    errors = response.context["import_errors"]
    text = "\n".join(errors)
    assert "第 3 行 题型（A 列）：“填空题”不是单选题、多选题或判断题。" in text
    assert "第 4 行 答案（G 列）：单选题只能有一个答案" in text
    assert "第 5 行 答案（G 列）：答案“AE”超出了已有的选项（A—B）。" in text
    assert "第 6 行 答案（G 列）：“也许”不是有效的答案。" in text
    assert "第 7 行 分值（H 列）：“很多”不是分数" in text
    assert "第 8 行 选项B（D 列）：选项应从 A 起连续填写" in text
    assert "第 9 行 题干：题库中已有这道题。" in text
    assert "第 2 行" not in text
    assert bank.questions.count() == 1  # all or nothing
    missing = client.post(reverse("lifecycle:bank", args=[bank.pk]),
                          {"action": "import", "import-file": sheet([("x",)], headers=["题干"])})  # fmt: skip
    assert "没有找到表头：表头行应有“题型”" in "".join(missing.context["import_errors"])


def test_the_template_downloads_and_imports_back(client, cast):
    bank = bank_with(cast.county_a, singles=0, multiples=0, judges=0)
    client.force_login(cast.county_organiser)
    response = client.get(reverse("lifecycle:bank_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = SimpleUploadedFile("模板.xlsx", response.content)
    assert training_services.bank_import(actor=cast.county_organiser, bank=bank, upload=upload) == 3


def test_banks_are_kept_by_organisers_and_hidden_from_other_subtrees(client, cast):
    bank = bank_with(cast.county_a)
    url = reverse("lifecycle:bank", args=[bank.pk])
    client.force_login(cast.township_secretary)  # below: sees it, may not change it
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "import", "import-file": sheet([])}).status_code == 403
    question = bank.questions.first()
    assert client.get(reverse("lifecycle:question", args=[bank.pk, question.pk])).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("lifecycle:training", args=[cast.county_a.pk])).status_code == 404
    assert client.delete(url).status_code == 405


# Setting up a test --------------------------------------------------------------------------------


def test_a_test_needing_more_questions_than_the_bank_has_is_refused(client, cast):
    bank = bank_with(cast.county_a, singles=2, multiples=0, judges=1)
    client.force_login(cast.county_organiser)
    data = {"action": "exam", "exam-title": "入党前知识测试", "exam-audience": "candidate", "exam-bank": bank.pk,
            "exam-single_count": 3, "exam-multiple_count": 0, "exam-judge_count": 1, "exam-pass_percent": 60,
            "exam-max_attempts": 3, "exam-time_limit": 0, "exam-valid_months": 24}  # fmt: skip
    response = client.post(reverse("lifecycle:training", args=[cast.county_a.pk]), data)
    assert response.status_code == 200
    assert "单选题要抽 3 道，题库中只有 2 道。" in response.content.decode()
    response = client.post(
        reverse("lifecycle:training", args=[cast.county_a.pk]), data | {"exam-single_count": 2}
    )
    assert response.status_code == 302
    exam = training_services.exam_for(cast.village_a.path, Audience.CANDIDATE)
    assert exam.counts == {"single": 2, "multiple": 0, "judge": 1} and exam.org_path == cast.county_a.path
    assert training_services.exam_for(cast.village_b.path, Audience.CANDIDATE) is None


# Taking it on a phone ------------------------------------------------------------------------------


def test_an_applicant_takes_the_test_by_code_and_the_result_is_on_their_page(client, cast):
    exam = exam_for_candidates(cast.county_organiser, cast.county_a, bank_with(cast.county_a))
    person = candidate(cast)
    client.force_login(cast.township_secretary)
    page_url = reverse("lifecycle:applicant", args=[person.pk])
    issued = client.post(page_url, {"action": "issue"}, follow=True)
    sitting = Sitting.objects.get(applicant=person)
    code = issued.context["issued_code"]["code"]
    assert sitting.number == 1 and len(sitting.paper) == 4 and len(code) == 8
    assert f'data-testid="code">{code}<' in issued.content.decode()
    assert bytes(sitting.code_hash) == training_services.code_hash(code) and len(sitting.code_hash) == 32
    shown_again = client.get(page_url).content.decode()  # shown once: the table keeps only its hash
    assert code not in shown_again and "待作答，测试码已发给本人" in shown_again
    sitting.code = code
    client.logout()  # the applicant has no account: the code is enough
    paper = client.get(reverse("lifecycle:take", args=[sitting.code]))
    assert paper.status_code == 200 and len(paper.context["questions"]) == 4
    answers = {f"q{k}": list(v) for k, v in right_answers(sitting).items()}
    first_single = next(q for q in paper.context["questions"] if q.kind == rules.SINGLE)
    answers[f"q{first_single.pk}"] = ["A"]  # one single wrong: 3 of 4 = 75 %
    response = client.post(reverse("lifecycle:take", args=[sitting.code]), answers, follow=True)
    assert response.context["sitting"].passed
    assert "3 / 4" in response.content.decode()
    sitting.refresh_from_db()
    assert (sitting.score, sitting.total, sitting.passed) == (3, 4, True)
    again = client.post(reverse("lifecycle:take", args=[sitting.code]), answers)
    assert "已于" in again.context["problem"] and "不能再次使用" in again.context["problem"]
    client.force_login(cast.township_secretary)
    shown = client.get(page_url).content.decode()
    assert "第 1 次（共 3 次）" in shown and "3/4" in shown and "通过" in shown
    assert cast.township_secretary.notifications.filter(text__contains="孙立新第 1 次入党前知识测试").exists()
    assert exam.sittings.count() == 1
    assert client.get(reverse("lifecycle:take", args=["ZZZZZZZZ"])).status_code == 404


def test_attempts_are_limited_and_a_failed_one_is_recorded(cast):
    exam = exam_for_candidates(cast.county_organiser, cast.county_a, bank_with(cast.county_a), max_attempts=2)
    person = candidate(cast)
    for n in (1, 2):
        sitting = training_services.sitting_issue(actor=cast.township_secretary, applicant=person)
        with pytest.raises(Exception, match="尚未交卷的试卷"):
            training_services.sitting_issue(actor=cast.township_secretary, applicant=person)
        done = training_services.sitting_submit(actor=None, sitting=sitting, answers=wrong_answers(sitting))
        assert (done.number, done.score, done.passed) == (n, 0, False)
    with pytest.raises(Exception, match="已测试 2 次，本项测试最多 2 次，不能再测。"):
        training_services.sitting_issue(actor=cast.township_secretary, applicant=person)
    assert exam.sittings.count() == 2


def test_a_paper_sent_after_its_time_limit_counts_as_a_failed_attempt(cast):
    exam_for_candidates(cast.county_organiser, cast.county_a, bank_with(cast.county_a), time_limit=30)
    person = candidate(cast)
    sitting = training_services.sitting_issue(actor=cast.township_secretary, applicant=person)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        sitting, _questions = training_services.sitting_open(sitting=sitting)
    with time_machine.travel(now + timedelta(minutes=32), tick=False):
        done = training_services.sitting_submit(actor=None, sitting=sitting, answers=right_answers(sitting))
    assert done.late and not done.passed and done.score == 0


def test_only_a_candidate_gets_a_code_and_only_from_their_own_subtree(client, cast):
    exam_for_candidates(cast.county_organiser, cast.county_a, bank_with(cast.county_a))
    activist = candidate(cast, until="hearing")
    with pytest.raises(Exception, match="面向发展对象：孙立新现为入党积极分子"):
        training_services.sitting_issue(actor=cast.township_secretary, applicant=activist)
    client.force_login(cast.outsider)
    assert (
        client.post(reverse("lifecycle:applicant", args=[activist.pk]), {"action": "issue"}).status_code
        == 404
    )


# The step that needs the test ----------------------------------------------------------------------


def test_the_training_step_is_refused_until_the_test_is_passed(cast):
    exam_for_candidates(cast.county_organiser, cast.county_a, bank_with(cast.county_a))
    person = candidate(cast)
    training = Step.objects.get(code="training")
    assert training.needs_test
    entry = path_plan(person.applied_on)["training"]
    with pytest.raises(
        Exception, match="“短期集中培训”须先通过在线知识测试“入党前知识测试”：孙立新尚未参加测试。"
    ):
        services.step_record(actor=cast.township_secretary, applicant=person, step=training, entry=entry)
    sitting = training_services.sitting_issue(actor=cast.township_secretary, applicant=person)
    training_services.sitting_submit(actor=None, sitting=sitting, answers=wrong_answers(sitting))
    with pytest.raises(Exception, match="已测 1 次（共 3 次机会），最高得分率 0%，及格线 60%"):
        services.step_record(actor=cast.township_secretary, applicant=person, step=training, entry=entry)
    sitting = training_services.sitting_issue(actor=cast.township_secretary, applicant=person)
    training_services.sitting_submit(actor=None, sitting=sitting, answers=right_answers(sitting))
    services.step_record(actor=cast.township_secretary, applicant=person, step=training, entry=entry)
    assert StepRecord.objects.filter(applicant=person, step=training).exists()


def test_the_training_hours_are_checked_against_the_courses_recorded(client, cast):
    person = candidate(cast)
    entry = path_plan(person.applied_on)["training"]  # three days, 24 学时
    course = training_services.course_create(actor=cast.county_organiser, organization=cast.county_a,
                                             title="党章党规", hours=16, audience=Audience.CANDIDATE)  # fmt: skip
    client.force_login(cast.township_secretary)
    page = reverse("lifecycle:applicant", args=[person.pk])
    client.post(page, {"action": "course", "course-course": course.pk, "course-attended_on": entry.done_on})
    assert person.attendances.count() == 1
    training = Step.objects.get(code="training")
    with pytest.raises(Exception, match="所填 24 学时多于培训期间已记录的 1 门课程合计 16 学时"):
        services.step_record(actor=cast.township_secretary, applicant=person, step=training, entry=entry)
    other = Course.objects.create(organization=cast.county_a, org_path=cast.county_a.path, title="入党誓词",
                                  hours=8, audience=Audience.CANDIDATE, recorded_by=cast.county_organiser)  # fmt: skip
    training_services.attendance_record(actor=cast.township_secretary, course=other, applicant=person,
                                        attended_on=entry.until)  # fmt: skip
    services.step_record(actor=cast.township_secretary, applicant=person, step=training, entry=entry)
    assert '合计 <span data-testid="course-hours">24</span>' in client.get(page).content.decode()


# The workers' own qualification -------------------------------------------------------------------


def test_a_worker_passes_the_qualification_test_and_is_listed_as_qualified(client, cast):
    bank = bank_with(cast.county_a)
    training_services.exam_save(actor=cast.county_organiser, organization=cast.county_a, bank=bank, title="履职资格测试",
                                audience=Audience.WORKER, single_count=4, multiple_count=0, judge_count=0,
                                pass_percent=80, max_attempts=2, valid_months=24)  # fmt: skip
    client.force_login(cast.township_secretary)
    response = client.post(reverse("lifecycle:qualification"))
    sitting = Sitting.objects.get(user=cast.township_secretary)
    mine = reverse("lifecycle:take_mine", args=[sitting.pk])
    assert response["Location"] == mine
    client.force_login(cast.county_organiser)  # someone else's paper is not theirs
    assert client.get(mine).status_code == 404
    client.force_login(cast.township_secretary)
    assert "继续作答" in client.get(reverse("lifecycle:qualification")).content.decode()
    client.get(mine)
    answers = {f"q{k}": v for k, v in right_answers(sitting).items()}
    assert client.post(mine, answers)["Location"] == mine
    sitting.refresh_from_db()
    assert sitting.passed and sitting.valid_until == rules.add_months(timezone.localdate(), 24)
    assert "履职资格有效期至" in client.get(reverse("lifecycle:qualification")).content.decode()
    client.force_login(cast.county_organiser)
    listed = client.get(reverse("lifecycle:qualified", args=[cast.county_a.pk]))
    assert [s.user for s in listed.context["page"].object_list] == [cast.township_secretary]
    client.force_login(cast.outsider)
    assert client.get(reverse("lifecycle:qualified", args=[cast.county_a.pk])).status_code == 404
    _question = Question.objects.first()


def test_wrong_methods_get_405_and_the_pages_need_a_login(client, cast):
    bank = bank_with(cast.county_a)
    assert client.get(reverse("lifecycle:training", args=[cast.county_a.pk]))["Location"].startswith(
        "/accounts/"
    )
    assert client.get(reverse("lifecycle:qualification"))["Location"].startswith("/accounts/")
    assert client.get(reverse("lifecycle:take_code")).status_code == 200  # the applicant's way in
    client.force_login(cast.county_organiser)
    assert client.delete(reverse("lifecycle:bank", args=[bank.pk])).status_code == 405
    assert client.post(reverse("lifecycle:bank_template")).status_code == 405
    assert client.post(reverse("lifecycle:qualified", args=[cast.county_a.pk])).status_code == 405
    assert client.put(reverse("lifecycle:plan", args=[cast.county_a.pk])).status_code == 405
    client.force_login(cast.member_user)
    assert client.get(reverse("lifecycle:training", args=[cast.village_a.pk])).status_code == 403
    assert client.post(reverse("lifecycle:qualification")).status_code == 403


def test_the_plan_table_reads_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    candidate(cast, until="approval")
    client.force_login(cast.city_organiser)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("lifecycle:plan", args=[cast.city.pk]) + "?year=2024")
    assert response.status_code == 200


@given(
    st.lists(
        st.tuples(st.sampled_from(rules.KINDS), st.integers(min_value=1, max_value=5), st.booleans()),
        min_size=1,
        max_size=30,
    )
)
def test_grading_the_answers_key_gives_the_total_and_any_answers_stay_within_it(spec):
    keys = {rules.SINGLE: "C", rules.MULTIPLE: "ABD", rules.JUDGE: "B"}
    questions = [
        rules.QuestionRule(id=i, kind=k, answer=keys[k], points=p) for i, (k, p, _r) in enumerate(spec)
    ]
    total = sum(q.points for q in questions)
    assert rules.grade(questions, {str(q.id): q.answer for q in questions}) == (total, total)
    mixed = {
        str(q.id): q.answer if right else "A" for q, (_k, _p, right) in zip(questions, spec, strict=True)
    }
    score, _total = rules.grade(questions, mixed)
    assert score == sum(q.points for q, (_k, _p, right) in zip(questions, spec, strict=True) if right)


def test_an_unused_code_expires_after_a_week_and_a_new_one_may_be_issued(cast):
    exam_for_candidates(cast.county_organiser, cast.county_a, bank_with(cast.county_a))
    person = candidate(cast)
    sitting = training_services.sitting_issue(actor=cast.township_secretary, applicant=person)
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        with pytest.raises(Exception, match="该测试码已过期"):
            training_services.sitting_open(sitting=sitting)
        again = training_services.sitting_issue(actor=cast.township_secretary, applicant=person)
    assert again.number == 2 and again.code != sitting.code  # the unused one counted as an attempt


def test_a_course_from_another_subtree_or_a_day_to_come_is_refused(cast):
    person = candidate(cast)
    elsewhere = training_services.course_create(actor=cast.outsider, organization=cast.county_b, title="外县课程",
                                                hours=8, audience=Audience.CANDIDATE)  # fmt: skip
    with pytest.raises(Exception, match="只能记录本组织或上级组织开设的课程"):
        training_services.attendance_record(actor=cast.township_secretary, course=elsewhere, applicant=person,
                                            attended_on=person.last_done_on)  # fmt: skip
    ours = training_services.course_create(actor=cast.county_organiser, organization=cast.county_a, title="党章",
                                           hours=8, audience=Audience.CANDIDATE)  # fmt: skip
    with pytest.raises(Exception, match="日期不能晚于今天"):
        training_services.attendance_record(actor=cast.township_secretary, course=ours, applicant=person,
                                            attended_on=timezone.localdate() + timedelta(days=1))  # fmt: skip
    with pytest.raises(Exception, match="学时应在 1 到 100 之间"):
        training_services.course_create(actor=cast.county_organiser, organization=cast.county_a, title="x",
                                        hours=0, audience=Audience.CANDIDATE)  # fmt: skip
    assert not person.attendances.exists()


def _qualified(cast, user, *, valid_months: int = 24) -> Sitting:
    """`user` passes the workers' test today."""
    if not Exam.objects.filter(audience=Audience.WORKER).exists():
        training_services.exam_save(actor=cast.county_organiser, organization=cast.county_a, bank=bank_with(cast.county_a),
                                    title="履职资格测试", audience=Audience.WORKER, single_count=4, multiple_count=0,
                                    judge_count=0, pass_percent=80, max_attempts=2, valid_months=valid_months)  # fmt: skip
    sitting = training_services.worker_sitting_start(actor=user)
    return training_services.sitting_submit(actor=user, sitting=sitting, answers=right_answers(sitting))


def test_a_worker_is_reminded_once_thirty_days_before_the_qualification_runs_out_and_may_renew(cast):
    secretary = cast.township_secretary
    passed = _qualified(cast, secretary)
    until = passed.valid_until
    remind = training_services.qualification_reminders_send
    assert remind(today=until - timedelta(days=31)) == 0
    too_early = pytest.raises(ValidationError, match="到期前 30 天内可再测")
    with time_machine.travel(until - timedelta(days=31), tick=False), too_early:  # too early to test again
        training_services.worker_sitting_start(actor=secretary)
    assert remind(today=until - timedelta(days=30)) == 1
    note = secretary.notifications.get()
    assert f"将于 {until:%Y-%m-%d} 到期" in note.text and note.link == reverse("lifecycle:qualification")
    assert Sitting.objects.get(pk=passed.pk).expiry_reminded_on == until - timedelta(days=30)
    assert remind(today=until - timedelta(days=29)) == 0  # once
    assert remind(today=until) == 0
    with time_machine.travel(until - timedelta(days=20), tick=False):  # within the 30 days: renewed
        renewed = _qualified(cast, secretary)
    assert renewed.passed and renewed.number == 2 and renewed.valid_until > until
    listed = selectors.qualified_in(cast.county_a, today=until - timedelta(days=20))
    assert [s.pk for s in listed] == [renewed.pk]  # listed once, with the renewed qualification
    assert remind(today=renewed.valid_until - timedelta(days=10)) == 1
    assert secretary.notifications.count() == 2


def test_a_lapsed_or_later_renewed_qualification_is_not_reminded_and_the_nightly_task_sends_both(cast):
    from shuzhi.lifecycle import tasks

    old = _qualified(cast, cast.township_secretary)
    Sitting.objects.filter(pk=old.pk).update(valid_until=timezone.localdate() + timedelta(days=10))
    newer = _qualified(cast, cast.county_organiser)  # another worker, far from running out
    Sitting.objects.filter(pk=old.pk).update(valid_until=timezone.localdate() - timedelta(days=1))  # lapsed
    assert training_services.qualification_reminders_send(today=timezone.localdate()) == 0
    Sitting.objects.filter(pk=old.pk).update(valid_until=timezone.localdate() + timedelta(days=10))
    assert tasks.remind_daily.call() == 1  # the deadline reminders (none due) and this one
    assert not cast.county_organiser.notifications.exists()
    assert Sitting.objects.get(pk=newer.pk).expiry_reminded_on is None
