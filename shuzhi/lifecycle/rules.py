"""The date rules of 发展党员 and of a member's status on a day: pure functions over plain values.

A step of the pipeline is described by a `StepRule` (the seeded `Step` rows as plain values);
`step_problems` says, field by field and in Chinese, why a step cannot be recorded as typed.
"""

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

# the special checks a step may carry besides its interval (Step.check)
AGE = "age"  # the applicant is 18 or older on the day of application
TWO_PEOPLE = "two_people"  # two 培养联系人 or two 入党介绍人, named
TRAINING = "training"  # concentrated training of at least 3 days or 24 学时
PUBLICITY = "publicity"  # 公示 of at least 5 working days
CHECKS = (AGE, TWO_PEOPLE, TRAINING, PUBLICITY)

MIN_AGE = 18
TRAINING_MIN_DAYS = 3
TRAINING_MIN_HOURS = 24
PUBLICITY_MIN_WORKING_DAYS = 5
PROBATION_MONTHS = 12
SOON_DAYS = 14  # a deadline this close is shown, and reminded, as 即将到期

# the stages in their order (Stage in models holds their labels)
APPLICANT, ACTIVIST, CANDIDATE, PROBATIONARY, FULL = (
    "applicant",
    "activist",
    "candidate",
    "probationary",
    "full",
)
STAGES = (APPLICANT, ACTIVIST, CANDIDATE, PROBATIONARY, FULL)


@dataclass(frozen=True)
class StepRule:
    code: str
    order: int
    name: str
    stage: str = APPLICANT
    after: str = ""  # the step whose date the interval below is counted from
    min_months: int = 0  # not before `after` + this many months
    max_months: int = 0  # not after `after` + this many months (0: no limit)
    strict: bool = False  # a late step is refused; otherwise it needs the reason it is late
    check: str = ""


@dataclass(frozen=True)
class StepEntry:
    """One step as typed: its date, and what its check needs."""

    done_on: date
    until: date | None = None  # end of a training or a 公示
    hours: int | None = None  # 学时 of a training
    people: tuple[str, ...] = ()  # two 培养联系人 / 入党介绍人
    note: str = ""


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day (31 Jan + 1 = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def working_days(start: date, end: date) -> int:
    """Monday to Friday from start to end, both counted (public holidays are not known here)."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = start.weekday()
    for offset in range(rest):
        if (weekday + offset) % 7 < 5:
            count += 1
    return count


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def earliest_of(rule: StepRule, done: Mapping[str, date]) -> date | None:
    """The first day the step may be done, given the dates of the steps done so far."""
    if rule.after and rule.min_months and rule.after in done:
        return add_months(done[rule.after], rule.min_months)
    return None


def deadline_of(rule: StepRule, done: Mapping[str, date]) -> date | None:
    """The last day the step is in time, or None when it has no limit."""
    if rule.after and rule.max_months and rule.after in done:
        return add_months(done[rule.after], rule.max_months)
    return None


def next_rule(rules: Sequence[StepRule], done: Mapping[str, date]) -> StepRule | None:
    """The first step in order not yet done (steps are done one after another)."""
    for rule in sorted(rules, key=lambda r: r.order):
        if rule.code not in done:
            return rule
    return None


def stage_of(rules: Sequence[StepRule], done: Mapping[str, date]) -> str:
    """The stage of the last step done (nothing done yet: 入党申请人)."""
    stage = APPLICANT
    for rule in sorted(rules, key=lambda r: r.order):
        if rule.code in done:
            stage = rule.stage
    return stage


def step_problems(
    rule: StepRule,
    entry: StepEntry,
    *,
    rules: Sequence[StepRule],
    done: Mapping[str, date],
    birth_date: date,
    today: date,
) -> dict[str, str]:
    """Why this step cannot be recorded as typed, field → reason; empty when it can."""
    errors: dict[str, str] = {}
    by_code = {r.code: r for r in rules}
    upcoming = next_rule(rules, done)
    if rule.code in done:
        return {
            "__all__": _("“%(step)s”已于 %(day)s 记录，不能重复记录。")
            % {"step": rule.name, "day": _d(done[rule.code])}
        }
    if upcoming is None or upcoming.code != rule.code:
        shown = upcoming.name if upcoming else ""
        return {
            "__all__": _("请按顺序办理：下一步应是“%(step)s”，不能先记录“%(this)s”。")
            % {"step": shown, "this": rule.name}
        }
    day = entry.done_on
    if day > today:
        errors["done_on"] = _("日期不能晚于今天（%(today)s）。") % {"today": _d(today)}
    elif done:
        last_code = max(done, key=lambda code: (done[code], by_code[code].order if code in by_code else 0))
        if day < done[last_code]:
            errors["done_on"] = _("日期不能早于上一步“%(step)s”的日期 %(day)s。") % {
                "step": by_code[last_code].name if last_code in by_code else last_code,
                "day": _d(done[last_code]),
            }
    if "done_on" not in errors:
        problem = _interval_problem(rule, entry, done=done, by_code=by_code)
        if problem:
            errors[problem[0]] = problem[1]
    errors.update(_check_problems(rule, entry, birth_date=birth_date))
    return errors


def _interval_problem(rule: StepRule, entry: StepEntry, *, done: Mapping[str, date],
                      by_code: Mapping[str, StepRule]) -> tuple[str, str] | None:  # fmt: skip
    day = entry.done_on
    after = by_code[rule.after].name if rule.after in by_code else rule.after
    earliest = earliest_of(rule, done)
    if earliest is not None and day < earliest:
        return "done_on", _(
            "“%(step)s”须在“%(after)s”（%(from)s）满 %(n)d 个月之后，最早 %(earliest)s，所填 %(day)s 过早。"
        ) % {"step": rule.name, "after": after, "from": _d(done[rule.after]), "n": rule.min_months,
             "earliest": _d(earliest), "day": _d(day)}  # fmt: skip
    deadline = deadline_of(rule, done)
    if deadline is not None and day > deadline:
        late = _("“%(step)s”应在“%(after)s”（%(from)s）后 %(n)d 个月内完成，最迟 %(deadline)s，所填 %(day)s 已超期。") % {
            "step": rule.name, "after": after, "from": _d(done[rule.after]), "n": rule.max_months,
            "deadline": _d(deadline), "day": _d(day)}  # fmt: skip
        if rule.strict:
            return "done_on", late + _("超期须重新履行前一程序，不能补录。")
        if not entry.note.strip():
            return "note", late + _("如确需补录，请在“说明”中写明逾期原因。")
    return None


def _check_problems(rule: StepRule, entry: StepEntry, *, birth_date: date) -> dict[str, str]:
    if rule.check == AGE:
        age = age_on(birth_date, entry.done_on)
        if age < MIN_AGE:
            return {"done_on": _("申请入党须年满十八周岁：%(day)s 时申请人仅 %(age)d 周岁（%(birthday)s 满十八周岁）。") % {
                "day": _d(entry.done_on), "age": age, "birthday": _d(add_months(birth_date, 12 * MIN_AGE))}}  # fmt: skip
    elif rule.check == TWO_PEOPLE:
        names = {name.strip() for name in entry.people if name.strip()}
        if len(names) != 2:
            return {
                "people": _("“%(step)s”须填写两名不同的人员，现填 %(n)d 名。")
                % {"step": rule.name, "n": len(names)}
            }
    elif rule.check == TRAINING:
        if entry.until is None:
            return {"until": _("请填写培训结束日期。")}
        if entry.until < entry.done_on:
            return {"until": _("结束日期不能早于开始日期。")}
        days = (entry.until - entry.done_on).days + 1
        hours = entry.hours or 0
        if days < TRAINING_MIN_DAYS and hours < TRAINING_MIN_HOURS:
            return {"hours": _("集中培训须不少于 3 天或 24 学时：%(from)s 至 %(to)s 共 %(days)d 天、%(hours)d 学时，不足。") % {
                "from": _d(entry.done_on), "to": _d(entry.until), "days": days, "hours": hours}}  # fmt: skip
    elif rule.check == PUBLICITY:
        if entry.until is None:
            return {"until": _("请填写公示结束日期。")}
        if entry.until < entry.done_on:
            return {"until": _("结束日期不能早于开始日期。")}
        count = working_days(entry.done_on, entry.until)
        if count < PUBLICITY_MIN_WORKING_DAYS:
            return {"until": _("公示须不少于 5 个工作日：%(from)s 至 %(to)s 仅 %(n)d 个工作日。") % {
                "from": _d(entry.done_on), "to": _d(entry.until), "n": count}}  # fmt: skip
    return {}


def full_member_on(admitted_on: date) -> date:
    """转正 takes effect when the year of probation counted from the branch meeting ends."""
    return add_months(admitted_on, PROBATION_MONTHS)


def deadline_state(deadline: date | None, today: date) -> str:
    """'' (none or far), 'soon' (within SOON_DAYS) or 'overdue'."""
    if deadline is None:
        return ""
    if deadline < today:
        return "overdue"
    if deadline <= today + timedelta(days=SOON_DAYS):
        return "soon"
    return ""


def status_on(
    day: date, *, joined_on: date, full_member_on: date | None, probationary_now: bool, left_on: date | None
) -> str:
    """A member's status on a day: '' (not yet, or no longer, a member), 'probationary' or 'full'."""
    if day < joined_on or (left_on is not None and left_on <= day):
        return ""
    if full_member_on is not None:
        return FULL if day >= full_member_on else PROBATIONARY
    return PROBATIONARY if probationary_now else FULL


def _d(day: date) -> str:
    return f"{day:%Y-%m-%d}"


LETTER_VALID_DAYS = 30  # an introduction letter is valid this long: received later, a new one is needed


def transfer_receive_problem(*, sent_on: date, valid_until: date, day: date, today: date) -> str | None:
    """Why a transfer cannot be received on `day`, or None."""
    if day > today:
        return _("日期不能晚于今天（%(today)s）。") % {"today": _d(today)}
    if day < sent_on:
        return _("接收日期不能早于转出日期 %(day)s。") % {"day": _d(sent_on)}
    if day > valid_until:
        return _("介绍信有效期至 %(until)s，已过期：请退回，由转出方重新开具。") % {"until": _d(valid_until)}
    return None


# Training and tests online ---------------------------------------------------------------------

SINGLE, MULTIPLE, JUDGE = "single", "multiple", "judge"
KINDS = (SINGLE, MULTIPLE, JUDGE)
KIND_WORDS = {"单选": SINGLE, "单选题": SINGLE, "单项选择题": SINGLE, "多选": MULTIPLE, "多选题": MULTIPLE,
              "多项选择题": MULTIPLE, "判断": JUDGE, "判断题": JUDGE}  # fmt: skip
LETTERS = "ABCDEFGH"
JUDGE_OPTIONS = ("正确", "错误")
JUDGE_WORDS = {"对": "A", "正确": "A", "√": "A", "是": "A", "T": "A", "A": "A",
               "错": "B", "错误": "B", "×": "B", "否": "B", "F": "B", "B": "B"}  # fmt: skip
MAX_OPTIONS = 6
TIME_GRACE_SECONDS = 60  # a paper sent this long after its time limit is still taken (a slow network)


@dataclass(frozen=True)
class QuestionRule:
    id: int
    kind: str
    answer: str
    points: int = 1
    options: int = 4


def normalise_answer(kind: str, raw: str) -> str:
    """'a c' / 'CA' / '对' → the letters in order ('AC', 'A'); '' when nothing could be read."""
    text = "".join(str(raw).split()).upper().replace("，", "").replace(",", "").replace("、", "")
    if kind == JUDGE:
        return JUDGE_WORDS.get(text, JUDGE_WORDS.get(str(raw).strip(), ""))
    if not text or any(ch not in LETTERS for ch in text):
        return ""
    return "".join(sorted(set(text)))


def question_problems(*, kind: str, text: str, options: Sequence[str], answer: str) -> dict[str, str]:
    """Why a question cannot be kept as typed, field → reason; `answer` already normalised."""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = _("题型应为单选题、多选题或判断题。")
        return errors
    if not text.strip():
        errors["text"] = _("应填写题干。")
    if kind == JUDGE:
        if answer not in ("A", "B"):
            errors["answer"] = _("判断题的答案应为“对”或“错”。")
        return errors
    if len(options) < 2:
        errors["options"] = _("选择题至少要有两个选项（选项A、选项B）。")
        return errors
    if len(options) > MAX_OPTIONS:
        errors["options"] = _("选项最多 %(n)d 个。") % {"n": MAX_OPTIONS}
    if not answer:
        errors["answer"] = _("答案应为选项字母，如 A 或 ACD。")
    elif any(LETTERS.index(ch) >= len(options) for ch in answer):
        errors["answer"] = _("答案“%(a)s”超出了已有的选项（A—%(last)s）。") % {
            "a": answer,
            "last": LETTERS[len(options) - 1],
        }
    elif kind == SINGLE and len(answer) != 1:
        errors["answer"] = _("单选题只能有一个答案，所填为“%(a)s”。") % {"a": answer}
    elif kind == MULTIPLE and len(answer) < 2:
        errors["answer"] = _("多选题应有两个或以上答案，所填为“%(a)s”；只有一个答案请改为单选题。") % {
            "a": answer
        }
    return errors


def draw_problems(available: Mapping[str, int], counts: Mapping[str, int]) -> list[str]:
    """Why a paper of `counts` cannot be drawn from a bank holding `available` of each kind."""
    labels = {SINGLE: _("单选题"), MULTIPLE: _("多选题"), JUDGE: _("判断题")}
    problems = [
        _("%(kind)s要抽 %(n)d 道，题库中只有 %(have)d 道。") % {"kind": labels[k], "n": counts[k], "have": available.get(k, 0)}
        for k in KINDS if counts.get(k, 0) > available.get(k, 0)
    ]  # fmt: skip
    if not problems and not any(counts.get(k, 0) for k in KINDS):
        problems.append(_("每种题型都为 0 道：试卷至少要有一道题。"))
    return problems


def draw_paper(pool: Mapping[str, Sequence[int]], counts: Mapping[str, int], rng) -> list[int]:
    """Question ids drawn at random: `counts[kind]` of each kind, single, then multiple, then
    true/false, in a random order within each kind."""
    paper: list[int] = []
    for kind in KINDS:
        paper.extend(rng.sample(list(pool.get(kind, ())), counts.get(kind, 0)))
    return paper


def grade(questions: Sequence[QuestionRule], answers: Mapping[str, str]) -> tuple[int, int]:
    """(score, total): a question scores its points when the answer is exactly right (a multiple
    choice with one letter missing or one too many scores nothing)."""
    score = total = 0
    for question in questions:
        total += question.points
        given = normalise_answer(question.kind, answers.get(str(question.id), ""))
        if given and given == question.answer:
            score += question.points
    return score, total


def percent(score: int, total: int) -> int:
    """The score as a whole percentage of the total, rounded down (59.9 % is not 60)."""
    return score * 100 // total if total else 0


def passed(score: int, total: int, pass_percent: int) -> bool:
    return total > 0 and score * 100 >= pass_percent * total


def attempt_problem(*, used: int, allowed: int, passed_already: bool, name: str) -> str | None:
    """Why another attempt cannot be given, or None."""
    if passed_already:
        return _("%(name)s已通过本项测试，无需再测。") % {"name": name}
    if used >= allowed:
        return _("%(name)s已测试 %(used)d 次，本项测试最多 %(n)d 次，不能再测。") % {
            "name": name,
            "used": used,
            "n": allowed,
        }
    return None


# 发展党员计划 ------------------------------------------------------------------------------------

YOUNG_UNDER = 35
FRONTLINE_ENTERPRISE_FIELDS = frozenset({"state_enterprise", "private_enterprise"})


def is_frontline(category: str, field: str) -> bool:
    """生产工作一线: 农牧渔民, or people at work in an enterprise's branch (工人)."""
    return category == "farmer" or (category == "employed" and field in FRONTLINE_ENTERPRISE_FIELDS)


def gap(target: int, achieved: int) -> int:
    """How many are still missing (0 when the target is met or passed)."""
    return max(0, target - achieved)


def training_hours_problem(*, typed: int | None, recorded: int, courses: int) -> str | None:
    """When courses are recorded for the applicant in the training's days, the 学时 typed must
    not exceed theirs."""
    if courses and (typed or 0) > recorded:
        return _("所填 %(typed)d 学时多于培训期间已记录的 %(n)d 门课程合计 %(recorded)d 学时：请先补记课程，或按已记录的学时填写。") % {
            "typed": typed or 0, "n": courses, "recorded": recorded}  # fmt: skip
    return None
