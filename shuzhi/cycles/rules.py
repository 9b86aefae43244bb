"""The cycle's pure rules: its state machine and the checks on a scoring scheme (kept as data;
the assessment works it out later, so here it is only validated and frozen)."""

from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from django.utils.translation import gettext as _

from shuzhi.core import facts as fact_registry
from shuzhi.core.grades import GRADES, Grade

DRAFT, REPORTS_OPEN, MEETING, ASSESSING, PUBLISHED, ARCHIVED = (
    "draft", "reports_open", "meeting", "assessing", "published", "archived",
)  # fmt: skip

# the one way forward from each state
NEXT_STATE = {
    DRAFT: REPORTS_OPEN,
    REPORTS_OPEN: MEETING,
    MEETING: ASSESSING,
    ASSESSING: PUBLISHED,
    PUBLISHED: ARCHIVED,
}
# reopening (back to draft, audited with a reason) is allowed until the meeting has begun
REOPENABLE = frozenset({REPORTS_OPEN})


def default_scheme() -> dict[str, Any]:
    return {
        "components": [
            {"name": "现场测评", "weight": 40, "source": "ballots"},
            {"name": "日常考核", "weight": 40, "source": "entered"},
            {"name": "重点任务", "weight": 20, "source": "entered"},
        ],
        "grade_points": {Grade.GOOD: 100, Grade.FAIRLY_GOOD: 85, Grade.AVERAGE: 70, Grade.POOR: 50},
        # a meeting's voter class says which of these it counts under (VoterClass.scheme_class):
        # the city's 市委常委 and a county's 区委常委 alike are the 党委常委 here
        "class_weights": {"党委常委": 50, "*": 50},
        "committee_class": "党委常委",
        "item_blend_percent": 0,
        "thresholds": {Grade.GOOD: 90, Grade.FAIRLY_GOOD: 80, Grade.AVERAGE: 70},
        "good_quota_percent": 30,
        "group_quotas": {},
        "tie_break": ["score", "committee_good_rate", "good_rate"],
        "missing_component": "reweight",
        "bonus_cap": 5,
        "deduction_cap": 10,
        "vetoes": {
            "年度内受到问责": {"effect": "poor", "fact": "rectification.accountability"},
            "核心指标未完成": {"effect": "cap", "grade": Grade.AVERAGE},
            "党组织法定地位不落实": {"effect": "poor"},
        },
    }


COMPONENT_SOURCES = ("ballots", "entered", "fact")
TIE_BREAKS = {"score": "综合得分", "committee_good_rate": "常委“好”评率", "good_rate": "“好”评率",
              "good_or_fair_rate": "“好”和“较好”评率"}  # fmt: skip
VETO_EFFECTS = {"poor": "定为“差”", "cap": "等次封顶", "zero": "该项计零分"}


def scheme_problems(scheme: Any, facts: Mapping[str, str] | None = None) -> list[str]:
    """What is wrong with a scheme, in Chinese, or nothing. `facts`: the known fact sources,
    key → kind ("score" or "condition"); by default the registry's."""
    if not isinstance(scheme, dict):
        return [_("考核方案格式不正确。")]
    problems: list[str] = []
    components = scheme.get("components")
    if not isinstance(components, list) or not components:
        problems.append(_("考核方案至少要有一个考核项目。"))
        components = []
    names: set[str] = set()
    total = 0
    for number, component in enumerate(components, start=1):
        name = str(component.get("name", "")).strip() if isinstance(component, dict) else ""
        weight = component.get("weight") if isinstance(component, dict) else None
        if not name:
            problems.append(_("第 %(n)d 个考核项目没有名称。") % {"n": number})
        elif name in names:
            problems.append(_("考核项目“%(name)s”重复。") % {"name": name})
        names.add(name)
        if not isinstance(weight, int) or isinstance(weight, bool) or not 0 < weight <= 100:
            problems.append(_("考核项目“%(name)s”的权重应为 1 到 100 的整数。") % {"name": name or number})
        else:
            total += weight
    if components and total != 100 and not any("权重应为" in p for p in problems):
        problems.append(_("各考核项目的权重之和应为 100，现在是 %(total)d。") % {"total": total})
    points = scheme.get("grade_points", {})
    if not isinstance(points, dict) or set(points) != set(GRADES):
        problems.append(_("等次分值应包含 好、较好、一般、差 四档。"))
    elif not all(isinstance(points[g], int) and 0 <= points[g] <= 100 for g in GRADES):
        problems.append(_("等次分值应为 0 到 100 的整数。"))
    elif not _descending([points[g] for g in GRADES]):
        problems.append(_("等次分值应从“好”到“差”依次降低。"))
    thresholds = scheme.get("thresholds", {})
    if not isinstance(thresholds, dict) or set(thresholds) != set(GRADES[:3]):
        problems.append(_("等次分数线应包含 好、较好、一般 三档。"))
    elif not all(isinstance(thresholds[g], int) and 0 < thresholds[g] <= 100 for g in GRADES[:3]):
        problems.append(_("等次分数线应为 1 到 100 的整数。"))
    elif not _descending([thresholds[g] for g in GRADES[:3]]):
        problems.append(_("分数线应满足：好 > 较好 > 一般。"))
    quota = scheme.get("good_quota_percent")
    if quota is not None and (not isinstance(quota, int) or isinstance(quota, bool) or not 0 < quota <= 100):
        problems.append(_("“好”等次比例上限应为 1 到 100 的整数，或不设上限。"))
    if scheme.get("missing_component") not in ("reweight", "zero"):
        problems.append(_("缺项处理规则应为“其余项目按权重折算”或“缺项计零分”。"))
    problems += _assessment_problems(scheme, names, fact_registry.kinds() if facts is None else facts)
    return problems


def _descending(values: list[int]) -> bool:
    return all(a > b for a, b in pairwise(values))


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _assessment_problems(scheme: dict[str, Any], names: set[str], facts: Mapping[str, str]) -> list[str]:
    """The parts of a scheme the assessment uses beyond weights and grades (all optional)."""
    problems: list[str] = []
    components = [c for c in scheme.get("components") or [] if isinstance(c, dict)]
    sources = [c.get("source", "entered") for c in components]
    if any(source not in COMPONENT_SOURCES for source in sources):
        problems.append(_("考核项目的计分来源只能是“现场测评票”、“录入”或平台数据。"))
    if sources.count("ballots") > 1:
        problems.append(_("只能有一个考核项目由现场测评票计分。"))
    for component in components:
        if component.get("source") != "fact":
            continue
        key = component.get("fact")
        if facts.get(key) != "score":
            problems.append(
                _("考核项目“%(name)s”的数据来源“%(key)s”不存在或不能用于计分。")
                % {"name": component.get("name", ""), "key": key or ""}
            )
    weights = scheme.get("class_weights", {"*": 100})
    if not isinstance(weights, dict) or not weights or not all(_int_in(w, 0, 100) for w in weights.values()):
        problems.append(_("各类投票人的权重应为 0 到 100 的整数。"))
    elif sum(weights.values()) != 100:
        problems.append(
            _("各类投票人的权重之和应为 100，现在是 %(total)d。") % {"total": sum(weights.values())}
        )
    if not _int_in(scheme.get("item_blend_percent", 0), 0, 100):
        problems.append(_("测评项目得分所占比例应为 0 到 100。"))
    for key, label in (("bonus_cap", _("加分上限")), ("deduction_cap", _("减分上限"))):
        if not _int_in(scheme.get(key, 0), 0, 100):
            problems.append(_("%(label)s应为 0 到 100 的整数。") % {"label": label})
    tie_break = scheme.get("tie_break", ["score"])
    if (
        not isinstance(tie_break, list)
        or not tie_break
        or tie_break[0] != "score"
        or not set(tie_break) <= set(TIE_BREAKS)
        or len(set(tie_break)) != len(tie_break)
    ):
        problems.append(_("排序规则应以综合得分为先，其后为常委“好”评率、“好”评率等，不重复。"))
    quotas = scheme.get("group_quotas", {})
    if not isinstance(quotas, dict) or not all(_int_in(q, 1, 100) for q in quotas.values()):
        problems.append(_("分组“好”等次比例应为 1 到 100 的整数。"))
    vetoes = scheme.get("vetoes", {})
    if not isinstance(vetoes, dict):
        problems.append(_("否决情形格式不正确。"))
        vetoes = {}
    for name, rule in vetoes.items():
        effect = rule.get("effect") if isinstance(rule, dict) else None
        if effect not in VETO_EFFECTS:
            problems.append(
                _("否决情形“%(name)s”的处理方式应为：定为“差”、等次封顶或该项计零分。") % {"name": name}
            )
        elif effect == "cap" and rule.get("grade") not in GRADES[1:]:
            problems.append(_("否决情形“%(name)s”封顶的等次应为 较好、一般 或 差。") % {"name": name})
        elif effect == "zero" and rule.get("component") not in names:
            problems.append(
                _("否决情形“%(name)s”计零分的考核项目“%(c)s”不存在。")
                % {"name": name, "c": rule.get("component", "")}
            )
        if isinstance(rule, dict) and "fact" in rule:
            problems += _veto_fact_problems(name, rule, facts)
    return problems


def _veto_fact_problems(name: str, rule: Mapping[str, Any], facts: Mapping[str, str]) -> list[str]:
    """A veto found from the data: a condition source holds, or a score source is below a line."""
    kind = facts.get(rule["fact"])
    if kind is None:
        return [_("否决情形“%(name)s”的数据来源“%(key)s”不存在。") % {"name": name, "key": rule["fact"]}]
    if kind == "condition" and "below" in rule:
        return [_("否决情形“%(name)s”的数据来源是“是否发生”，不需要分数线。") % {"name": name}]
    if kind == "score" and not _int_in(rule.get("below"), 1, 100):
        return [_("否决情形“%(name)s”按分值判断，请写明低于多少分时否决（1 到 100）。") % {"name": name}]
    return []


def parse_components(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Lines of "名称 权重" (a space, tab or colon between), or "名称 权重 数据来源" for a component
    the platform's facts score (the source by its Chinese name), into components, and line errors."""
    components, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = line.strip().replace("：", " ").replace(":", " ").replace("\t", " ").split()
        if not tokens:
            continue
        at = max((i for i, token in enumerate(tokens) if token.isdecimal() and i > 0), default=None)
        if at is None:
            problems.append(
                _("第 %(n)d 行“%(line)s”应写成“名称 权重”，例如“现场测评 40”。")
                % {"n": number, "line": line.strip()}
            )
            continue
        component: dict[str, Any] = {"name": " ".join(tokens[:at]), "weight": int(tokens[at])}
        reference = " ".join(tokens[at + 1 :])
        if reference:
            source = fact_registry.by_reference(reference)
            if source is None or source.kind != fact_registry.FactKind.SCORE:
                problems.append(
                    _("第 %(n)d 行：没有名为“%(ref)s”的计分数据来源，可选：%(choices)s。")
                    % {
                        "n": number,
                        "ref": reference,
                        "choices": fact_choices_text(fact_registry.FactKind.SCORE),
                    }
                )
                continue
            component.update(source="fact", fact=source.key)
        components.append(component)
    return components, problems


def format_components(components: list[dict[str, Any]]) -> str:
    lines = []
    for c in components:
        source = fact_registry.get(c["fact"]) if c.get("source") == "fact" else None
        label = source.label if source else c.get("fact", "")
        lines.append(f"{c['name']} {c['weight']}" + (f" {label}" if c.get("source") == "fact" else ""))
    return "\n".join(lines)


def fact_choices_text(kind: "fact_registry.FactKind | None" = None) -> str:
    return "、".join(str(s.label) for s in fact_registry.sources(kind)) or _("（暂无）")


def parse_groups(text: str) -> list[str]:
    """One group per line (or separated by commas), blanks and repeats dropped, order kept."""
    seen: dict[str, None] = {}
    for part in text.replace("，", "\n").replace(",", "\n").replace("、", "\n").splitlines():
        part = part.strip()
        if part:
            seen.setdefault(part[:30], None)
    return list(seen)


OTHER_CLASSES = ("其他", "其余", "其他类别", "*")
EFFECT_WORDS = {"差": "poor", "定为差": "poor", "封顶": "cap", "清零": "zero", "计零分": "zero"}


def _lines(text: str) -> list[tuple[int, list[str]]]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace("：", " ").replace(":", " ").replace("\t", " ").split()
        if parts:
            out.append((number, parts))
    return out


def parse_weights(text: str) -> tuple[dict[str, int], list[str]]:
    """Lines of "类别 权重"; "其他" stands for every class not named."""
    weights, problems = {}, []
    for number, parts in _lines(text):
        if len(parts) != 2 or not parts[1].isdecimal():
            problems.append(_("第 %(n)d 行应写成“类别 权重”，例如“党委常委 50”或“其他 50”。") % {"n": number})
            continue
        weights["*" if parts[0] in OTHER_CLASSES else parts[0]] = int(parts[1])
    return weights, problems


def format_weights(weights: dict[str, int]) -> str:
    return "\n".join(f"{'其他' if name == '*' else name} {weight}" for name, weight in weights.items())


def parse_vetoes(text: str) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Lines of "情形 差", "情形 封顶 一般" or "情形 清零 考核项目"; any of them may end with
    "来源 数据来源" (a condition found from the platform's facts) or "来源 数据来源 低于 60"."""
    vetoes: dict[str, dict[str, Any]] = {}
    problems = []
    for number, parts in _lines(text):
        fact: dict[str, Any] = {}
        if "来源" in parts[1:]:
            at = parts.index("来源", 1)
            parts, tail = parts[:at], parts[at + 1 :]
            below = None
            if len(tail) >= 2 and tail[-2] == "低于" and tail[-1].isdecimal():
                below, tail = int(tail[-1]), tail[:-2]
            source = fact_registry.by_reference(" ".join(tail)) if tail else None
            if source is None:
                problems.append(
                    _("第 %(n)d 行：没有名为“%(ref)s”的数据来源，可选：%(choices)s。")
                    % {"n": number, "ref": " ".join(tail), "choices": fact_choices_text()}
                )
                continue
            fact = {"fact": source.key} | ({"below": below} if below is not None else {})
        effect = EFFECT_WORDS.get(parts[1]) if len(parts) >= 2 else None
        if effect == "poor" and len(parts) == 2:
            vetoes[parts[0]] = {"effect": "poor", **fact}
        elif effect == "cap" and len(parts) == 3:
            vetoes[parts[0]] = {"effect": "cap", "grade": parts[2], **fact}
        elif effect == "zero" and len(parts) == 3:
            vetoes[parts[0]] = {"effect": "zero", "component": parts[2], **fact}
        else:
            problems.append(
                _("第 %(n)d 行应写成“情形 差”、“情形 封顶 一般”或“情形 清零 考核项目”，可加“来源 数据来源”。")
                % {"n": number}
            )
    return vetoes, problems


def format_vetoes(vetoes: dict[str, dict[str, Any]]) -> str:
    words = {
        "poor": lambda r: "差",
        "cap": lambda r: f"封顶 {r['grade']}",
        "zero": lambda r: f"清零 {r['component']}",
    }
    lines = []
    for name, rule in vetoes.items():
        line = f"{name} {words[rule['effect']](rule)}"
        if rule.get("fact"):
            source = fact_registry.get(rule["fact"])
            line += f" 来源 {source.label if source else rule['fact']}"
            if rule.get("below") is not None:
                line += f" 低于 {rule['below']}"
        lines.append(line)
    return "\n".join(lines)


def scheme_classes(scheme: Mapping[str, Any]) -> list[str]:
    """The voter classes a scheme names (weighted, or the committee class whose 好 rate breaks
    ties): a meeting's voter classes point at these; "*" (the others) is not one."""
    names = [name for name in (scheme.get("class_weights") or {}) if name != "*"]
    committee = scheme.get("committee_class") or ""
    if committee and committee not in names:
        names.append(committee)
    return names


def required_scheme_classes(scheme: Mapping[str, Any]) -> list[str]:
    """The scheme classes a meeting must have a voter class for before voting opens: those with a
    weight (else their weight would silently go to the others)."""
    weights = scheme.get("class_weights") or {}
    return [name for name, weight in weights.items() if name != "*" and weight]
