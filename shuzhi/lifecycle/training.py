"""Writes of the training and the tests online (发展对象入党前在线短期集中培训与知识测试, 发展党员
工作者履职资格在线认证) and of the yearly plan: atomic, checked and audited like `services`.

Applicants have no account: the organiser issues a one-time test code for one attempt (valid
CODE_VALID_DAYS, used once), which the applicant opens on a phone without logging in. A worker
takes their qualification test logged in."""

import hmac
import random
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.core.errors import field_error
from shuzhi.core.protection import keyed_hash
from shuzhi.core.roles import Capability
from shuzhi.core.services import audit_record, notify
from shuzhi.exchange.workbook import check_upload as check_sheet
from shuzhi.exchange.workbook import read_sheet
from shuzhi.lifecycle import bank_sheet, rules
from shuzhi.lifecycle.models import (
    Applicant,
    Attendance,
    Audience,
    Course,
    Exam,
    Plan,
    Question,
    QuestionBank,
    Sitting,
    Stage,
)
from shuzhi.lifecycle.selectors import exam_for
from shuzhi.lifecycle.services import may_work
from shuzhi.orgs.models import Organization

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed on a phone
CODE_LENGTH = 8
CODE_VALID_DAYS = 7
CODE_PURPOSE = "lifecycle.sitting_code"  # the keyed hash kept instead of the code (migration 0010 too)
ADDRESS_PURPOSE = "lifecycle.code_address"
# wrong codes typed from one address before the test page refuses it for the rest of the window:
# eight characters of 32 cannot be guessed at that rate, and a mistyped code or two still passes
CODE_FAILURE_LIMIT = 10
CODE_FAILURE_WINDOW_SECONDS = 15 * 60
SHEET_ERRORS_SHOWN = 50
EXPIRY_REMINDER_DAYS = 30  # a worker is told this long before their qualification runs out


def may_manage(user, org: Organization) -> bool:
    """Banks, courses, tests and plans are kept by organisers (组织部) of the organisation or above."""
    return (
        user.is_authenticated
        and user.can(Capability.MANAGE_MEMBERS)
        and org.path.startswith(user.organization.path)
    )


def _require_manage(user, org: Organization) -> None:
    if not may_manage(user, org):
        raise PermissionDenied


# Question banks -------------------------------------------------------------------------------


@transaction.atomic
def bank_create(*, actor, organization: Organization, title: str) -> QuestionBank:
    _require_manage(actor, organization)
    if not title.strip():
        raise field_error("title", _("请填写题库名称。"), "required")
    bank = QuestionBank(organization=organization, org_path=organization.path, title=title.strip()[:100])
    bank.full_clean()
    bank.save()
    audit_record(actor=actor, action="lifecycle.bank_create", target=bank, org_path=bank.org_path,
                 after={"title": bank.title})  # fmt: skip
    return bank


@transaction.atomic
def bank_import(*, actor, bank: QuestionBank, upload) -> int:
    """Add the questions of an Excel sheet to the bank, all or none: any bad row refuses the
    sheet with every reason, naming the row and the column. Returns how many were added."""
    bank = QuestionBank.objects.select_for_update().select_related("organization").get(pk=bank.pk)
    _require_manage(actor, bank.organization)
    check_sheet(upload, upload.size)
    upload.seek(0)
    sheet = read_sheet(upload, lookup=bank_sheet.lookup())
    rows, errors = bank_sheet.read_rows(sheet)
    existing = set(bank.questions.values_list("text", flat=True))
    for row in rows:
        if row.text in existing:
            errors.append(_("第 %(row)d 行 题干：题库中已有这道题。") % {"row": row.number})
    if errors:
        shown = errors[:SHEET_ERRORS_SHOWN]
        if len(errors) > SHEET_ERRORS_SHOWN:
            shown.append(_("……共 %(n)d 处问题。") % {"n": len(errors)})
        raise ValidationError(shown, code="rows")
    added = [Question(bank=bank, kind=r.kind, text=r.text, options=list(r.options), answer=r.answer, points=r.points)
             for r in rows]  # fmt: skip
    for question in added:
        question.full_clean(exclude=["bank"])
    Question.objects.bulk_create(added)
    audit_record(actor=actor, action="lifecycle.bank_import", target=bank, org_path=bank.org_path,
                 extra={"questions": len(added)})  # fmt: skip
    return len(added)


@transaction.atomic
def question_save(*, actor, bank: QuestionBank, question: Question | None, kind: str, text: str,
                  options: list[str], answer: str, points: int, active: bool = True) -> Question:  # fmt: skip
    """Add a question to the bank or change one (a paper already drawn keeps its question ids:
    a change applies to the papers graded afterwards)."""
    _require_manage(actor, bank.organization)
    options = [o.strip() for o in options]
    while options and not options[-1]:
        options.pop()
    if kind == rules.JUDGE:
        options = list(rules.JUDGE_OPTIONS)
    normalised = rules.normalise_answer(kind, answer)
    errors = rules.question_problems(kind=kind, text=text, options=options, answer=normalised)
    if kind in (rules.SINGLE, rules.MULTIPLE) and "" in options:
        errors.setdefault("options", _("选项应从 A 起连续填写，不能空着。"))
    others = bank.questions.filter(text=text.strip())
    if question is not None:
        others = others.exclude(pk=question.pk)
    if text.strip() and others.exists():
        errors.setdefault("text", _("题库中已有这道题。"))
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    before = {} if question is None else {"kind": question.kind, "text": question.text, "options": question.options,
                                          "answer": question.answer, "points": question.points, "active": question.active}  # fmt: skip
    question = question or Question(bank=bank)
    question.kind, question.text, question.options = kind, text.strip(), options
    question.answer, question.points, question.active = normalised, points, active
    question.full_clean()
    question.save()
    after = {"kind": kind, "text": question.text, "options": options, "answer": normalised, "points": points,
             "active": active}  # fmt: skip
    audit_record(actor=actor, action="lifecycle.question_save", target=bank, org_path=bank.org_path,
                 before=before or None, after=after)  # fmt: skip
    return question


# Tests ------------------------------------------------------------------------------------------


@transaction.atomic
def exam_save(*, actor, organization: Organization, bank: QuestionBank, exam: Exam | None = None, title: str,
              audience: str, single_count: int, multiple_count: int, judge_count: int, pass_percent: int,
              max_attempts: int, time_limit: int = 0, valid_months: int = 24, active: bool = True) -> Exam:  # fmt: skip
    """Set up (or change) a test drawn from a bank of the organisation or above."""
    _require_manage(actor, organization)
    if not organization.path.startswith(bank.org_path):
        raise field_error("bank", _("只能使用本组织或上级组织的题库。"), "scope")
    counts = {rules.SINGLE: single_count, rules.MULTIPLE: multiple_count, rules.JUDGE: judge_count}
    available = dict(
        bank.questions.filter(active=True).order_by().values_list("kind").annotate(n=Count("id"))
    )
    problems = rules.draw_problems(available, counts)
    if problems:
        raise field_error("single_count", "；".join(problems), "too_few")
    if not 1 <= pass_percent <= 100:
        raise field_error("pass_percent", _("及格线应在 1 到 100 之间。"), "invalid")
    if not 1 <= max_attempts <= 10:
        raise field_error("max_attempts", _("测试次数应在 1 到 10 之间。"), "invalid")
    before = None
    if exam is None:
        exam = Exam(organization=organization, org_path=organization.path)
    else:
        before = {"title": exam.title, "counts": exam.counts, "pass_percent": exam.pass_percent,
                  "max_attempts": exam.max_attempts, "time_limit": exam.time_limit, "active": exam.active}  # fmt: skip
    exam.bank, exam.title, exam.audience = bank, title.strip()[:100], audience
    exam.single_count, exam.multiple_count, exam.judge_count = single_count, multiple_count, judge_count
    exam.pass_percent, exam.max_attempts, exam.time_limit = pass_percent, max_attempts, time_limit
    exam.valid_months, exam.active = valid_months, active
    exam.full_clean()
    exam.save()
    audit_record(actor=actor, action="lifecycle.exam_save", target=exam, org_path=exam.org_path, before=before,
                 after={"title": exam.title, "counts": exam.counts, "pass_percent": pass_percent,
                        "max_attempts": max_attempts, "time_limit": time_limit, "active": active})  # fmt: skip
    return exam


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()


def code_hash(code: str) -> bytes:
    return keyed_hash(normalise_code(code), purpose=CODE_PURPOSE)


def _draw(exam: Exam) -> list[int]:
    pool: dict[str, list[int]] = {}
    for pk, kind in exam.bank.questions.filter(active=True).order_by("id").values_list("id", "kind"):
        pool.setdefault(kind, []).append(pk)
    problems = rules.draw_problems({k: len(v) for k, v in pool.items()}, exam.counts)
    if problems:
        raise ValidationError(_("题库题目不足，无法组卷：%(why)s") % {"why": "；".join(problems)})
    return rules.draw_paper(pool, exam.counts, random.SystemRandom())


def _sittings(exam: Exam, *, applicant: Applicant | None = None, user=None):
    rows = Sitting.objects.filter(exam=exam)
    return rows.filter(applicant=applicant) if applicant is not None else rows.filter(user=user)


def _new_sitting(
    *, actor, exam: Exam, applicant: Applicant | None, user, org_path: str, name: str
) -> Sitting:
    previous = list(_sittings(exam, applicant=applicant, user=user).select_for_update())
    now = timezone.now()
    open_ = [s for s in previous if s.submitted_at is None and s.expires_at > now]
    if open_:
        raise ValidationError(_("%(name)s有一份尚未交卷的试卷（第 %(n)d 次，测试码有效期至 %(t)s），请先完成。") % {
            "name": name, "n": open_[0].number,
            "t": timezone.localtime(open_[0].expires_at).strftime("%Y-%m-%d %H:%M")})  # fmt: skip
    this_round = previous
    if user is not None:  # a worker renewing a qualification: the attempts count from their last pass
        last_pass = max((s.number for s in previous if s.passed), default=0)
        this_round = [s for s in previous if s.number > last_pass]
    problem = rules.attempt_problem(used=len(this_round), allowed=exam.max_attempts, name=name,
                                    passed_already=any(s.passed for s in this_round))  # fmt: skip
    if problem:
        raise ValidationError(problem, code="attempts")
    sitting = Sitting(exam=exam, applicant=applicant, user=user, org_path=org_path, number=len(previous) + 1,
                      paper=_draw(exam), expires_at=now + timedelta(days=CODE_VALID_DAYS), issued_by=actor)  # fmt: skip
    for _try in range(5):
        code = _new_code()
        sitting.code_hash = code_hash(code)
        try:
            with transaction.atomic():
                sitting.save()
            break
        except IntegrityError:  # pragma: no cover - a code already taken (one in 10^12)
            continue
    sitting.code = code  # on this instance only, to be shown once; the table keeps the hash
    return sitting


@transaction.atomic
def sitting_issue(*, actor, applicant: Applicant) -> Sitting:
    """Issue a one-time test code to a 发展对象 for their next attempt."""
    applicant = (
        Applicant.objects.select_for_update(of=("self",)).select_related("organization").get(pk=applicant.pk)
    )
    if not may_work(actor, applicant.organization):
        raise PermissionDenied
    if applicant.state != Applicant.State.ACTIVE or applicant.stage != Stage.CANDIDATE:
        raise ValidationError(_("入党前知识测试面向发展对象：%(name)s现为%(stage)s。") % {
            "name": applicant.name, "stage": applicant.get_stage_display()})  # fmt: skip
    exam = exam_for(applicant.org_path, Audience.CANDIDATE)
    if exam is None:
        raise ValidationError(_("上级组织尚未设置面向发展对象的在线测试。"))
    sitting = _new_sitting(actor=actor, exam=exam, applicant=applicant, user=None, org_path=applicant.org_path,
                           name=applicant.name)  # fmt: skip
    audit_record(actor=actor, action="lifecycle.sitting_issue", target=applicant, org_path=applicant.org_path,
                 after={"exam": exam.title, "number": sitting.number, "of": exam.max_attempts})  # fmt: skip
    return sitting


@transaction.atomic
def worker_sitting_start(*, actor) -> Sitting:
    """A 发展党员 worker starts an attempt at the qualification test in force for their organisation."""
    if not actor.is_authenticated or not actor.can(Capability.VIEW_MEMBERS) or actor.role == "member":
        raise PermissionDenied
    exam = exam_for(actor.organization.path, Audience.WORKER)
    if exam is None:
        raise ValidationError(_("上级组织尚未设置发展党员工作者履职资格测试。"))
    today = timezone.localdate()
    # a qualification still valid beyond the reminder's days needs no test; within them, a new
    # one may be taken before it runs out (valid from the day it is passed)
    current = Sitting.objects.filter(
        exam=exam, user=actor, passed=True, valid_until__gt=today + timedelta(days=EXPIRY_REMINDER_DAYS)
    ).first()
    if current is not None:
        raise ValidationError(_("您的履职资格有效期至 %(d)s，到期前 %(n)d 天内可再测。") % {
            "d": f"{current.valid_until:%Y-%m-%d}", "n": EXPIRY_REMINDER_DAYS})  # fmt: skip
    sitting = _new_sitting(actor=actor, exam=exam, applicant=None, user=actor, org_path=actor.organization.path,
                           name=actor.get_full_name() or actor.get_username())  # fmt: skip
    audit_record(actor=actor, action="lifecycle.sitting_issue", target=exam, org_path=sitting.org_path,
                 after={"exam": exam.title, "number": sitting.number, "of": exam.max_attempts})  # fmt: skip
    return sitting


def sitting_by_code(code: str) -> Sitting | None:
    """The attempt a typed code opens, found by the code's keyed hash and compared in constant time."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    digest = code_hash(code)
    found = Sitting.objects.select_related("exam", "applicant", "user").filter(code_hash=digest).first()
    if found is None or not hmac.compare_digest(bytes(found.code_hash), digest):
        return None
    return found


def _failure_key(address: str) -> str:
    return f"lifecycle-code-failures:{keyed_hash(address or '-', purpose=ADDRESS_PURPOSE).hex()}"


def code_guessing_refused(address: str) -> bool:
    """Has this address typed too many wrong codes lately? (Kept as a keyed hash in the cache,
    for the window, like the login's count of failures; never on a row.)"""
    return (cache.get(_failure_key(address)) or 0) >= CODE_FAILURE_LIMIT


def code_failed_from(address: str) -> int:
    """Count one wrong code typed from the address; the count lapses after the window."""
    key = _failure_key(address)
    cache.add(key, 0, CODE_FAILURE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # lapsed between add and incr
        cache.set(key, 1, CODE_FAILURE_WINDOW_SECONDS)
        count = 1
    if count == CODE_FAILURE_LIMIT:
        audit_record(actor=None, action="lifecycle.code_guessing", target_repr=address or "-",
                     extra={"failures": count})  # fmt: skip
    return count


def sitting_problem(sitting: Sitting, *, now) -> str | None:
    """Why a paper cannot be opened or answered now, or None."""
    if sitting.submitted_at is not None:
        return _("该测试码已于 %(t)s 交卷，不能再次使用。") % {
            "t": timezone.localtime(sitting.submitted_at).strftime("%Y-%m-%d %H:%M")
        }
    if sitting.expires_at <= now:
        return _("该测试码已过期（有效期至 %(t)s），请向党组织重新申领。") % {
            "t": timezone.localtime(sitting.expires_at).strftime("%Y-%m-%d %H:%M")}  # fmt: skip
    return None


def deadline_of(sitting: Sitting):
    if not sitting.exam.time_limit or sitting.started_at is None:
        return None
    return sitting.started_at + timedelta(minutes=sitting.exam.time_limit)


@transaction.atomic
def sitting_open(*, sitting: Sitting) -> tuple[Sitting, list[Question]]:
    """The paper of an attempt, its clock started at the first opening."""
    sitting = (
        Sitting.objects.select_for_update(of=("self",)).select_related("exam", "applicant").get(pk=sitting.pk)
    )
    problem = sitting_problem(sitting, now=timezone.now())
    if problem:
        raise ValidationError(problem, code="closed")
    if sitting.started_at is None:
        sitting.started_at = timezone.now()
        sitting.save(update_fields=["started_at", "updated_at"])
    by_id = Question.objects.in_bulk(sitting.paper)
    return sitting, [by_id[pk] for pk in sitting.paper if pk in by_id]


@transaction.atomic
def sitting_submit(*, actor, sitting: Sitting, answers: dict[str, str]) -> Sitting:
    """Grade a paper on the server. Sent after its time limit (and a minute's grace), it is
    recorded as 超时 with no score counted: the attempt is used."""
    sitting = (
        Sitting.objects.select_for_update(of=("self",))
        .select_related("exam", "applicant", "user")
        .get(pk=sitting.pk)
    )
    now = timezone.now()
    problem = sitting_problem(sitting, now=now)
    if problem:
        raise ValidationError(problem, code="closed")
    if sitting.user_id is not None and (actor is None or actor.pk != sitting.user_id):
        raise PermissionDenied
    questions = [q.as_rule() for q in Question.objects.filter(pk__in=sitting.paper)]
    answers = {str(q.id): rules.normalise_answer(q.kind, answers.get(str(q.id), "")) for q in questions}
    score, total = rules.grade(questions, answers)
    deadline = deadline_of(sitting)
    sitting.late = deadline is not None and now > deadline + timedelta(seconds=rules.TIME_GRACE_SECONDS)
    if sitting.late:
        score = 0
    sitting.answers, sitting.score, sitting.total, sitting.submitted_at = answers, score, total, now
    sitting.passed = not sitting.late and rules.passed(score, total, sitting.exam.pass_percent)
    if sitting.passed and sitting.user_id is not None:
        sitting.valid_until = rules.add_months(timezone.localdate(), sitting.exam.valid_months)
    sitting.full_clean()
    sitting.save()
    target = sitting.applicant or sitting.exam
    audit_record(actor=actor, action="lifecycle.sitting_submit", target=target, org_path=sitting.org_path,
                 after={"exam": sitting.exam.title, "number": sitting.number, "score": score, "total": total,
                        "passed": sitting.passed, "late": sitting.late})  # fmt: skip
    if sitting.applicant is not None:
        verdict = _("通过") if sitting.passed else _("未通过")
        notify(recipients=[sitting.issued_by], text=_("%(name)s第 %(n)d 次入党前知识测试：%(score)d/%(total)d 分，%(v)s。") % {
            "name": sitting.applicant.name, "n": sitting.number, "score": score, "total": total, "v": verdict},
            link=reverse("lifecycle:applicant", args=[sitting.applicant_id]))  # fmt: skip
    return sitting


def qualification_reminders_send(*, today) -> int:
    """Tell each 发展党员 worker whose qualification runs out within EXPIRY_REMINDER_DAYS, once per
    qualification (`expiry_reminded_on`); one who has passed again since is not told. Returns how
    many were told."""
    horizon = today + timedelta(days=EXPIRY_REMINDER_DAYS)
    later = Sitting.objects.filter(
        user=OuterRef("user"), passed=True, valid_until__gt=OuterRef("valid_until")
    )
    due = list(
        Sitting.objects.filter(user__isnull=False, user__is_active=True, passed=True, valid_until__gte=today,
                               valid_until__lte=horizon, expiry_reminded_on__isnull=True)
        .exclude(Exists(later))
        .select_related("user", "exam")
        .order_by("valid_until", "id")
    )  # fmt: skip
    for sitting in due:
        with transaction.atomic():
            notify(recipients=[sitting.user], text=_("您的发展党员工作者履职资格将于 %(d)s 到期，请在到期前参加“%(t)s”。") % {
                "d": f"{sitting.valid_until:%Y-%m-%d}", "t": sitting.exam.title},
                link=reverse("lifecycle:qualification"))  # fmt: skip
            Sitting.objects.filter(pk=sitting.pk).update(expiry_reminded_on=today)
    return len(due)


# Courses ----------------------------------------------------------------------------------------


@transaction.atomic
def course_create(*, actor, organization: Organization, title: str, hours: int, audience: str) -> Course:
    _require_manage(actor, organization)
    errors = {}
    if not title.strip():
        errors["title"] = [_("请填写课程名称。")]
    if not 1 <= hours <= 100:
        errors["hours"] = [_("学时应在 1 到 100 之间。")]
    if errors:
        raise ValidationError(errors)
    course = Course(organization=organization, org_path=organization.path, title=title.strip()[:100], hours=hours,
                    audience=audience, recorded_by=actor)  # fmt: skip
    course.full_clean()
    course.save()
    audit_record(actor=actor, action="lifecycle.course_create", target=course, org_path=course.org_path,
                 after={"title": course.title, "hours": hours, "audience": course.get_audience_display()})  # fmt: skip
    return course


@transaction.atomic
def attendance_record(*, actor, course: Course, applicant: Applicant, attended_on) -> Attendance:
    """An applicant took a course (a course of their organisation or above)."""
    if not may_work(actor, applicant.organization):
        raise PermissionDenied
    if not applicant.org_path.startswith(course.org_path):
        raise field_error("course", _("只能记录本组织或上级组织开设的课程。"), "scope")
    if attended_on > timezone.localdate():
        raise field_error("attended_on", _("日期不能晚于今天。"), "future")
    if attended_on < applicant.applied_on:
        raise field_error("attended_on", _("日期不能早于申请入党的日期 %(d)s。") % {"d": f"{applicant.applied_on:%Y-%m-%d}"},
                          "early")  # fmt: skip
    if Attendance.objects.filter(course=course, applicant=applicant).exists():
        raise field_error(
            "course", _("%(name)s已记录参加“%(c)s”。") % {"name": applicant.name, "c": course.title}, "twice"
        )
    attendance = Attendance(course=course, applicant=applicant, attended_on=attended_on, recorded_by=actor)
    attendance.full_clean()
    attendance.save()
    audit_record(actor=actor, action="lifecycle.attendance_record", target=applicant, org_path=applicant.org_path,
                 after={"course": course.title, "hours": course.hours, "attended_on": f"{attended_on:%Y-%m-%d}"})  # fmt: skip
    return attendance


# 发展党员计划 -------------------------------------------------------------------------------------


def may_plan(user, org: Organization) -> bool:
    """The plan of an organisation is set by an organiser of the level above (never one's own)."""
    return may_manage(user, org) and org.path != user.organization.path


@transaction.atomic
def plan_set(*, actor, organization: Organization, year: int, total: int, young: int, women: int, frontline: int,
             fields: dict[str, int]) -> Plan:  # fmt: skip
    if not may_plan(actor, organization):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    for name, value, label in (("young", young, _("35岁以下")), ("women", women, _("女性")),
                               ("frontline", frontline, _("生产工作一线"))):  # fmt: skip
        if value > total:
            errors[name] = [
                _("%(what)s %(n)d 人多于发展总数 %(total)d 人。")
                % {"what": label, "n": value, "total": total}
            ]
    fields = {k: v for k, v in fields.items() if v}
    if sum(fields.values()) > total:
        errors["fields"] = [
            _("各领域合计 %(n)d 人多于发展总数 %(total)d 人。") % {"n": sum(fields.values()), "total": total}
        ]
    unknown = [k for k in fields if k not in Organization.Field.values]
    if unknown:
        errors["fields"] = [_("未知的领域：%(k)s。") % {"k": "、".join(unknown)}]
    if errors:
        raise ValidationError(errors)
    plan = Plan.objects.select_for_update().filter(organization=organization, year=year).first()
    before = None
    if plan is None:
        plan = Plan(organization=organization, org_path=organization.path, year=year, total=0, set_by=actor)
    else:
        before = {"total": plan.total, "young": plan.young, "women": plan.women, "frontline": plan.frontline,
                  "fields": plan.fields}  # fmt: skip
    plan.total, plan.young, plan.women, plan.frontline, plan.fields = total, young, women, frontline, fields
    plan.set_by = actor
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, action="lifecycle.plan_set", target=organization, org_path=organization.path,
                 before=before, after={"year": year, "total": total, "young": young, "women": women,
                                       "frontline": frontline, "fields": fields})  # fmt: skip
    return plan
