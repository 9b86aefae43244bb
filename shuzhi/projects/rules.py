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
