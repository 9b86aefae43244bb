"""Every write of the questionnaires (问卷调查) a unit runs to find its problems before reporting:
build, publish (codes or an open link), answer anonymously, close (counted and rewritten in a
random order), and a finding turned into a declared problem of the unit's declaration.

Answering writes no audit event, no session, no user, no address and no time: a used code
(QuestionnaireUse) and a response (QuestionnaireResponse with its Answers) go in one transaction
into tables that share nothing, and closing rewrites both in a random order
(core.secrecy.rewrite_shuffled), as the ballots do."""

import secrets
from collections.abc import Mapping, Sequence

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.accounts.models import User
from shuzhi.core.access import in_subtree
from shuzhi.core.errors import field_error
from shuzhi.core.protection import keyed_hash
from shuzhi.core.roles import Role
from shuzhi.core.secrecy import rewrite_allowed, rewrite_shuffled
from shuzhi.core.services import audit_record, notify
from shuzhi.cycles.models import LATE_STATUSES
from shuzhi.orgs.models import Organization
from shuzhi.projects import rules, services
from shuzhi.projects.models import (
    Answer,
    Declaration,
    DeclaredItem,
    Question,
    Questionnaire,
    QuestionnaireCode,
    QuestionnaireResponse,
    QuestionnaireUse,
)

CODE_PURPOSE = "questionnaire_code"
ADDRESS_PURPOSE = "questionnaire_address"
MAX_CODES = 3000
MAX_QUESTIONS = 30
OPEN_LIMIT = 5  # answers from one address to one questionnaire's open link …
OPEN_WINDOW_SECONDS = 60 * 60  # … within an hour (a family or an office share an address)


# ---- who may act -------------------------------------------------------------------------------


def may_manage(actor, questionnaire: Questionnaire) -> bool:
    """The unit's secretary, or an organiser at the unit or above it."""
    if actor.role == Role.SECRETARY:
        return actor.organization_id == questionnaire.organization_id
    if actor.role == Role.ORGANISER:
        return questionnaire.org_path.startswith(actor.organization.path)
    return False


def may_find(actor, questionnaire: Questionnaire) -> bool:
    """Only the unit's secretary turns a finding into the unit's declared problem."""
    return actor.role == Role.SECRETARY and actor.organization_id == questionnaire.organization_id


def units_for(actor) -> list[Organization]:
    """Where the actor may run a questionnaire: a secretary their own unit; an organiser their
    organisation and the units directly below it."""
    org = actor.organization
    if actor.role == Role.SECRETARY:
        return [org]
    if actor.role == Role.ORGANISER:
        return [
            org,
            *Organization.objects.filter(in_subtree("path", org.path), depth=org.depth + 1).order_by("path"),
        ]
    return []


def _check_manager(actor, questionnaire: Questionnaire) -> None:
    if not may_manage(actor, questionnaire):
        raise ValidationError(_("只有本单位书记或上级组织部可以管理这份问卷。"), code="not_manager")


def _check_draft(questionnaire: Questionnaire) -> None:
    if questionnaire.status != Questionnaire.Status.DRAFT:
        raise ValidationError(_("问卷已发布，题目不能再修改。"), code="not_draft")


def _locked(questionnaire: Questionnaire) -> Questionnaire:
    return Questionnaire.objects.select_for_update().select_related("organization").get(pk=questionnaire.pk)


# ---- building ----------------------------------------------------------------------------------


@transaction.atomic
def survey_create(
    *,
    actor,
    organization: Organization,
    title: str,
    intro: str = "",
    audience: str = Questionnaire.Audience.MEMBERS,
    mode: str = Questionnaire.Mode.CODES,
    min_group: int = 5,
) -> Questionnaire:
    """A draft questionnaire of a unit the actor may run one for."""
    if organization.pk not in {o.pk for o in units_for(actor)}:
        raise field_error("organization", _("只能为本单位或直属下级单位发起问卷。"), "not_unit")
    questionnaire = Questionnaire(
        organization=organization,
        org_path=organization.path,
        year=timezone.localdate().year,
        title=title.strip(),
        intro=intro.strip(),
        audience=audience,
        mode=mode,
        min_group=max(int(min_group), 3),
        created_by=actor,
    )
    questionnaire.full_clean()
    questionnaire.save()
    audit_record(
        actor=actor,
        action="projects.survey_create",
        target=questionnaire,
        org_path=questionnaire.org_path,
        after={"title": questionnaire.title, "mode": mode, "audience": audience},
    )
    return questionnaire


@transaction.atomic
def question_add(
    *, actor, questionnaire: Questionnaire, kind: str, text: str, options: str = "", required: bool = True
) -> Question:
    """Add a question at the end; single and multiple choice take their options one a line."""
    questionnaire = _locked(questionnaire)
    _check_manager(actor, questionnaire)
    _check_draft(questionnaire)
    count = questionnaire.questions.count()
    if count >= MAX_QUESTIONS:
        raise ValidationError(_("一份问卷最多 %(n)d 题。") % {"n": MAX_QUESTIONS}, code="too_many")
    parsed: list[str] = []
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        parsed, problems = rules.parse_options(options)
        if problems:
            raise ValidationError({"options": [ValidationError(p, code="options") for p in problems]})
    question = Question(
        questionnaire=questionnaire,
        position=count + 1,
        kind=kind,
        text=text.strip(),
        options=parsed,
        required=required,
    )
    question.full_clean()
    question.save()
    audit_record(
        actor=actor,
        action="projects.survey_question_add",
        target=questionnaire,
        org_path=questionnaire.org_path,
        after={"position": question.position, "kind": kind, "text": question.text},
    )
    return question


@transaction.atomic
def question_remove(*, actor, question: Question) -> None:
    questionnaire = _locked(question.questionnaire)
    _check_manager(actor, questionnaire)
    _check_draft(questionnaire)
    audit_record(
        actor=actor,
        action="projects.survey_question_remove",
        target=questionnaire,
        org_path=questionnaire.org_path,
        before={"position": question.position, "text": question.text},
    )
    question.delete()
    for number, rest in enumerate(questionnaire.questions.order_by("position", "id"), start=1):
        if rest.position != number:
            rest.position = number
            rest.save(update_fields=["position", "updated_at"])


def _secretaries(questionnaire: Questionnaire) -> list[User]:
    return list(
        User.objects.filter(
            organization_id=questionnaire.organization_id, role=Role.SECRETARY, is_active=True
        )
    )


@transaction.atomic
def survey_publish(*, actor, questionnaire: Questionnaire, codes: int = 0) -> Questionnaire:
    """Open the questionnaire for answers: issue `codes` one-time codes, or draw the open link's key."""
    questionnaire = _locked(questionnaire)
    _check_manager(actor, questionnaire)
    _check_draft(questionnaire)
    if not questionnaire.questions.exists():
        raise ValidationError(_("问卷还没有题目，请先添加题目再发布。"), code="empty")
    if questionnaire.mode == Questionnaire.Mode.CODES:
        if not 1 <= codes <= MAX_CODES:
            raise field_error("codes", _("答题码数量应为 1–%(n)d 个。") % {"n": MAX_CODES}, "codes")
        issued = []
        for serial in range(1, codes + 1):
            token = secrets.token_urlsafe(12)
            issued.append(
                QuestionnaireCode(
                    questionnaire=questionnaire,
                    serial=serial,
                    token=token,
                    token_hash=keyed_hash(token, purpose=CODE_PURPOSE),
                )
            )
        QuestionnaireCode.objects.bulk_create(issued)
    else:
        codes = 0
        questionnaire.open_key = secrets.token_urlsafe(16)
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.save(update_fields=["status", "open_key", "updated_at"])
    audit_record(
        actor=actor,
        action="projects.survey_publish",
        target=questionnaire,
        org_path=questionnaire.org_path,
        after={"mode": questionnaire.mode, "codes": codes},
    )
    others = [u for u in _secretaries(questionnaire) if u.pk != actor.pk]
    notify(
        recipients=others,
        text=_("问卷“%(t)s”已发布，请组织%(a)s作答（%(m)s）。")
        % {
            "t": questionnaire.title,
            "a": questionnaire.get_audience_display(),
            "m": questionnaire.get_mode_display(),
        },
        link=questionnaire.get_absolute_url(),
    )
    return questionnaire


def survey_slips_printed(*, actor, questionnaire: Questionnaire, count: int) -> None:
    """Printing the codes is recorded (who printed how many, when), as for ballot slips."""
    audit_record(
        actor=actor,
        action="projects.survey_slips",
        target=questionnaire,
        org_path=questionnaire.org_path,
        extra={"codes": count},
    )


# ---- answering ---------------------------------------------------------------------------------


def survey_for_code(token: str) -> tuple[Questionnaire, QuestionnaireCode] | None:
    if not token or len(token) > 64:
        return None
    code = (
        QuestionnaireCode.objects.filter(token_hash=keyed_hash(token, purpose=CODE_PURPOSE))
        .select_related("questionnaire")
        .first()
    )
    return (code.questionnaire, code) if code else None


def survey_for_key(key: str) -> Questionnaire | None:
    if not key or len(key) > 32:
        return None
    return (
        Questionnaire.objects.filter(mode=Questionnaire.Mode.OPEN, open_key=key).exclude(open_key="").first()
    )


def _address_key(questionnaire: Questionnaire, address: str) -> str:
    digest = keyed_hash(address or "-", purpose=ADDRESS_PURPOSE).hex()
    return f"survey-open:{questionnaire.pk}:{digest}"


def open_link_spent(questionnaire: Questionnaire, address: str) -> bool:
    """Whether the address has sent its answers for the window. The address lives only as a keyed
    hash in the cache, for the window; never on a row."""
    return (cache.get(_address_key(questionnaire, address)) or 0) >= OPEN_LIMIT


def open_link_counted(questionnaire: Questionnaire, address: str) -> None:
    """Count one answer taken from the address through the open link."""
    key = _address_key(questionnaire, address)
    cache.add(key, 0, OPEN_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # lapsed between add and incr
        cache.set(key, 1, OPEN_WINDOW_SECONDS)


def answers_judged(
    questions: Sequence[Question], submitted: Mapping[int, Sequence[str]]
) -> tuple[dict[int, object], dict[int, str]]:
    """Each question's clean answer and, per refused question, why (rules.answer_faults)."""
    clean, faults = {}, {}
    for question in questions:
        value, fault = rules.answer_faults(
            question.kind, question.required, question.options, submitted.get(question.pk, [])
        )
        clean[question.pk] = value
        if fault:
            faults[question.pk] = fault
    return clean, faults


def _refuse_unless_open(questionnaire: Questionnaire) -> None:
    if questionnaire.status == Questionnaire.Status.CLOSED:
        raise ValidationError(_("本次问卷调查已经结束，感谢关注。"), code="closed")
    if questionnaire.status != Questionnaire.Status.PUBLISHED:
        raise ValidationError(_("问卷尚未发布。"), code="not_published")


@transaction.atomic
def survey_answer(
    *, questionnaire: Questionnaire, submitted: Mapping[int, Sequence[str]], token: str | None = None
) -> None:
    """One anonymous response: the code marked used (code mode) and the answers stored apart, in
    one transaction; any refusal leaves no row."""
    code = None
    if token is not None:
        found = survey_for_code(token)
        if found is None:
            raise ValidationError(_("答题码无效，请核对后重新扫码。"), code="unknown_code")
        questionnaire, code = found
    elif questionnaire.mode != Questionnaire.Mode.OPEN:
        raise ValidationError(_("本问卷须凭答题码作答。"), code="needs_code")
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _refuse_unless_open(questionnaire)
    questions = list(questionnaire.questions.order_by("position", "id"))
    clean, faults = answers_judged(questions, submitted)
    if faults:
        raise ValidationError(
            {str(pk): ValidationError(fault, code="answer") for pk, fault in faults.items()}
        )
    if code is not None:
        try:
            with transaction.atomic():
                QuestionnaireUse.objects.create(code=code, questionnaire=questionnaire)
        except IntegrityError:
            raise ValidationError(_("该答题码已经用过，每个答题码只能作答一次。"), code="used") from None
    response = QuestionnaireResponse.objects.create(questionnaire=questionnaire)
    rows = []
    for question in questions:
        value = clean[question.pk]
        if question.kind == Question.Kind.MULTIPLE:
            rows += [Answer(response=response, question=question, option=i) for i in value]  # type: ignore[attr-defined]
        elif value in (None, ""):
            continue
        elif question.kind == Question.Kind.SINGLE:
            rows.append(Answer(response=response, question=question, option=value))
        elif question.kind == Question.Kind.RATING:
            rows.append(Answer(response=response, question=question, rating=value))
        else:
            rows.append(Answer(response=response, question=question, text=str(value)))
    Answer.objects.bulk_create(rows)


# ---- closing -----------------------------------------------------------------------------------


@transaction.atomic
def survey_close(*, actor, questionnaire: Questionnaire) -> Questionnaire:
    """Stop the answers, count them, and rewrite the used codes and the responses (with their
    answers) in a random order with fresh ids, so no storage order pairs a code with a response."""
    questionnaire = _locked(questionnaire)
    _check_manager(actor, questionnaire)
    if questionnaire.status != Questionnaire.Status.PUBLISHED:
        raise ValidationError(_("只有收集中的问卷可以结束。"), code="not_published")
    responses = QuestionnaireResponse.objects.filter(questionnaire=questionnaire)
    with rewrite_allowed(f"projects.questionnaire:{questionnaire.pk}"):
        rewrite_shuffled(QuestionnaireUse.objects.filter(questionnaire=questionnaire))
        counted = rewrite_shuffled(responses, children=[(Answer, "response")])
    questionnaire.status, questionnaire.responses = Questionnaire.Status.CLOSED, counted
    questionnaire.save(update_fields=["status", "responses", "updated_at"])
    audit_record(
        actor=actor,
        action="projects.survey_close",
        target=questionnaire,
        org_path=questionnaire.org_path,
        after={"responses": counted},
    )
    notify(
        recipients=[u for u in _secretaries(questionnaire) if u.pk != actor.pk],
        text=_("问卷“%(t)s”已结束，收回 %(n)d 份，可查看结果并将发现的问题列入问题清单。")
        % {"t": questionnaire.title, "n": counted},
        link=questionnaire.get_absolute_url(),
    )
    return questionnaire


# ---- a finding becomes a declared problem ------------------------------------------------------


def declaration_for_findings(questionnaire: Questionnaire) -> Declaration | None:
    """The unit's declaration still being written (the latest year's), where findings go."""
    return (
        Declaration.objects.filter(organization_id=questionnaire.organization_id, status__in=LATE_STATUSES)
        .select_related("round")
        .order_by("-round__year", "-id")
        .first()
    )


@transaction.atomic
def finding_to_problem(
    *, actor, question: Question, text: str, category: str, evidence: str = ""
) -> DeclaredItem:
    """The unit's secretary puts what a closed questionnaire's question found into the problem
    list of the unit's declaration (问题清单), with the questionnaire as its evidence."""
    questionnaire = Questionnaire.objects.get(pk=question.questionnaire_id)
    if not may_find(actor, questionnaire):
        raise ValidationError(_("只有本单位书记可以将问卷发现的问题列入本单位问题清单。"), code="not_writer")
    if questionnaire.status != Questionnaire.Status.CLOSED:
        raise ValidationError(_("问卷结束并统计后，才能将发现的问题列入问题清单。"), code="not_closed")
    declaration = declaration_for_findings(questionnaire)
    if declaration is None:
        raise ValidationError(
            _("本单位没有正在填写的年度申报（问题清单），请等组织部开启申报或退回后再列入。"),
            code="no_declaration",
        )
    if not text.strip():
        raise field_error("text", _("请写明发现的问题。"), "required")
    return services.item_add(
        actor=actor,
        declaration=declaration,
        kind=DeclaredItem.Kind.PROBLEM,
        text=text,
        category=category,
        evidence=evidence.strip()
        or _("问卷“%(t)s”第 %(n)d 题") % {"t": questionnaire.title, "n": question.position},
        found_by=question,
    )


def open_link(questionnaire: Questionnaire) -> str:
    return reverse("projects:survey_open", args=[questionnaire.open_key]) if questionnaire.open_key else ""
