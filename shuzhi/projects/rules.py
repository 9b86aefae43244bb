"""The arithmetic of projects as pure functions: goals and rating schemes typed as lines, the
quarter's mean and the ranking within a group."""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

DEFAULT_SCHEME = [
    {"label": "好", "score": 100},
    {"label": "较好", "score": 85},
    {"label": "一般", "score": 70},
    {"label": "差", "score": 50},
]

SEPARATORS = ("｜", "|")


def _split(line: str) -> list[str]:
    for sep in SEPARATORS:
        line = line.replace(sep, "|")
    return [part.strip() for part in line.split("|")]


def parse_goals(text: str, *, year: int) -> tuple[list[dict[str, str]], list[str]]:
    """One goal a line, "目标｜量化指标｜完成日期(YYYY-MM-DD)"; the date must fall in the year
    or the next one. Returns the goals and, per bad line, why."""
    goals, problems = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = _split(raw)
        if len(parts) != 3 or not all(parts):
            problems.append(_("第 %(n)d 行：应写成“目标｜量化指标｜完成日期”三段。") % {"n": number})
            continue
        goal, target, due_text = parts
        try:
            due = date.fromisoformat(due_text)
        except ValueError:
            problems.append(
                _("第 %(n)d 行：完成日期“%(d)s”不是 年-月-日 格式（如 %(y)d-06-30）。")
                % {"n": number, "d": due_text, "y": year}
            )
            continue
        if not (year <= due.year <= year + 1):
            problems.append(_("第 %(n)d 行：完成日期应在 %(y)d 年或次年。") % {"n": number, "y": year})
            continue
        if len(goal) > 100 or len(target) > 100:
            problems.append(_("第 %(n)d 行：目标和指标各不超过 100 字。") % {"n": number})
            continue
        goals.append({"goal": goal, "target": target, "due": due.isoformat()})
    if not goals and not problems:
        problems.append(_("请至少写一条目标。"))
    return goals, problems


def format_goals(goals: Sequence[dict[str, str]]) -> str:
    return "\n".join(f"{g['goal']}｜{g['target']}｜{g['due']}" for g in goals)


def parse_scheme(text: str) -> tuple[list[dict[str, object]], list[str]]:
    """One rating a line, "等次=分数" (0–100), best first, each label once."""
    scheme: list[dict[str, object]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        label, sep, score_text = raw.replace("＝", "=").partition("=")
        label, score_text = label.strip(), score_text.strip()
        if not sep or not label or not score_text.isascii() or not score_text.isdigit():
            problems.append(_("第 %(n)d 行：应写成“等次=分数”，如“好=100”。") % {"n": number})
            continue
        score = int(score_text)
        if score > 100 or len(label) > 20:
            problems.append(_("第 %(n)d 行：分数在 0–100 之间，等次不超过 20 字。") % {"n": number})
            continue
        if label in seen:
            problems.append(_("第 %(n)d 行：等次“%(l)s”重复。") % {"n": number, "l": label})
            continue
        if scheme and score > int(scheme[-1]["score"]):  # type: ignore[call-overload]
            problems.append(_("第 %(n)d 行：等次应从高到低排列。") % {"n": number})
            continue
        seen.add(label)
        scheme.append({"label": label, "score": score})
    if len(scheme) < 2 and not problems:
        problems.append(_("评价等次至少两个。"))
    return scheme, problems


def format_scheme(scheme: Sequence[dict[str, object]]) -> str:
    return "\n".join(f"{s['label']}={s['score']}" for s in scheme)


def mean(scores: Iterable[Decimal]) -> Decimal | None:
    values = list(scores)
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))


def rank(values: Sequence[Decimal | None]) -> list[int | None]:
    """Standard competition ranking (1, 2, 2, 4), highest first; no value, no rank."""
    ranked = sorted((v for v in values if v is not None), reverse=True)
    first = {}
    for position, value in enumerate(ranked, start=1):
        first.setdefault(value, position)
    return [first[v] if v is not None else None for v in values]


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def figure(value: Decimal) -> str:
    """A score as people write it: 100, 92.5 (no trailing zeros, never 1E+2)."""
    text = f"{value.normalize():f}"
    return text


# ---- 问卷调查 ------------------------------------------------------------------------------------
KIND_SINGLE, KIND_MULTIPLE, KIND_RATING, KIND_TEXT = "single", "multiple", "rating", "text"
RATINGS = (1, 2, 3, 4, 5)
MAX_OPTIONS = 10
OPTION_MAX_CHARS = 60
TEXT_MAX_CHARS = 1000


def parse_options(text: str) -> tuple[list[str], list[str]]:
    """One option a line (blank lines ignored): 2–10 distinct options of at most 60 characters.
    Returns the options and what is wrong with them."""
    options = [line.strip() for line in text.splitlines() if line.strip()]
    problems = []
    if len(options) < 2:
        problems.append(_("单选题和多选题至少要有两个选项，每行写一个。"))
    if len(options) > MAX_OPTIONS:
        problems.append(_("选项最多 %(n)d 个，现有 %(k)d 个。") % {"n": MAX_OPTIONS, "k": len(options)})
    for number, option in enumerate(options, start=1):
        if len(option) > OPTION_MAX_CHARS:
            problems.append(_("第 %(n)d 个选项超过 %(m)d 个字。") % {"n": number, "m": OPTION_MAX_CHARS})
    seen = set()
    for option in options:
        if option in seen:
            problems.append(_("选项“%(o)s”重复。") % {"o": option})
        seen.add(option)
    return options, problems


def answer_faults(
    kind: str, required: bool, options: Sequence[str], raw: Sequence[str]
) -> tuple[object, str]:
    """One question's answer as submitted (the form's values for it) → the clean value and why it
    is refused (empty when it is fine). The clean value: an option index (single), a sorted list of
    indexes (multiple), a rating, a text; None or [] or "" when not answered."""
    values = [v.strip() for v in raw if v is not None and v.strip()]
    if kind == KIND_TEXT:
        text = values[0] if values else ""
        if len(text) > TEXT_MAX_CHARS:
            return text, _("回答不超过 %(n)d 个字。") % {"n": TEXT_MAX_CHARS}
        return text, _("请填写本题。") if required and not text else ""
    if kind == KIND_MULTIPLE:
        chosen = sorted({int(v) for v in values if v.isdigit() and int(v) < len(options)})
        if len(chosen) != len(set(values)):
            return chosen, _("选项无效，请重新选择。")
        return chosen, _("请至少选择一项。") if required and not chosen else ""
    if len(values) > 1:
        return None, _("本题只能选一项。")
    value = values[0] if values else ""
    if not value:
        return None, _("请选择一项。") if required else ""
    if not value.isdigit():
        return None, _("选项无效，请重新选择。")
    number = int(value)
    if kind == KIND_RATING:
        return (number, "") if number in RATINGS else (None, _("评分应为 1–5 分。"))
    return (number, "") if number < len(options) else (None, _("选项无效，请重新选择。"))


def percent(part: int, whole: int) -> str:
    """A share as printed: one decimal, "—" when there is nothing to divide."""
    if not whole:
        return "—"
    return f"{(Decimal(part) * 100 / Decimal(whole)).quantize(Decimal('0.1'))}%"


def tally(
    kind: str, options: Sequence[str], values: Sequence[object], *, min_group: int
) -> dict[str, object]:
    """A question's summary from its answers (one value per response that answered it: an option
    index, a list of indexes, a rating or a text). Hidden (nothing but the fact) when fewer than
    `min_group` responses answered it, like a small voter class."""
    answered = len(values)
    summary: dict[str, object] = {"answered": answered, "hidden": answered < min_group}
    if summary["hidden"]:
        return summary
    if kind in (KIND_SINGLE, KIND_MULTIPLE):
        counts = [0] * len(options)
        for value in values:
            for index in value if isinstance(value, list | tuple) else [value]:
                counts[int(index)] += 1
        summary["rows"] = [
            {"label": option, "count": count, "share": percent(count, answered)}
            for option, count in zip(options, counts, strict=True)
        ]
    elif kind == KIND_RATING:
        counts = [sum(1 for v in values if v == r) for r in RATINGS]
        summary["rows"] = [
            {"label": _("%(r)d 分") % {"r": r}, "count": c, "share": percent(c, answered)}
            for r, c in zip(RATINGS, counts, strict=True)
        ]
        mean_value = Decimal(sum(int(v) for v in values)) / Decimal(answered)  # type: ignore[call-overload]
        summary["mean"] = str(mean_value.quantize(Decimal("0.01")))
    else:
        summary["texts"] = [str(v) for v in values if str(v).strip()]
    return summary
