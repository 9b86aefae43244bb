"""The assessment engine: scores, vetoes, grades, quotas and ranks from plain values.

No ORM here. The service reads ballots, entered scores, adjustments and vetoes as plain values,
calls `assess`, and stores what comes back with the scheme it was computed under. Arithmetic is
in Decimal, rounded half up to two places where a person reads it; ties compare those rounded
figures, as a person checking the table would.

The scheme (kept with the cycle, frozen when reports open):

    components          [{"name", "weight", "source": "ballots" | "entered"}], weights add to 100
    grade_points        {"好": 100, "较好": 85, "一般": 70, "差": 50}: a ballot's grade in points
    class_weights       {"党委常委": 50, "*": 50}: how the voter classes share the ballot component
                        ("*" pools the others); classes with no ballots are left out and the rest
                        re-weighted. Each meeting class says which of these it counts under
                        (`class_map`, from VoterClass.scheme_class), never by its own name: a
                        county's "区委常委" counts under "党委常委" because it was set to
    item_blend_percent  share of the item scores (0–100 scale) in the ballot component
    thresholds          {"好": 90, "较好": 80, "一般": 70}; below 一般 is 差
    good_quota_percent  at most this share of a group graded 好 (None: no quota);
    group_quotas        {"县区": 30}: per group, overriding it
    tie_break           order when a quota cuts: "score", "committee_good_rate", "good_rate",
                        "good_or_fair_rate"; the reporter's id decides last, so order of input never does
    committee_class     the scheme class whose 好 rate "committee_good_rate" means
    missing_component   "reweight" (the others share its weight) or "zero" (it counts 0)
    bonus_cap, deduction_cap   bounds on the sums of 加分 and 减分
    vetoes              {"name": {"effect": "poor" | "cap" | "zero", "grade": "一般", "component": "重点任务"}}
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shuzhi.core.grades import GRADES, Counts, Grade

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Scheme:
    components: tuple[tuple[str, int, str], ...]
    grade_points: Mapping[str, int]
    class_weights: Mapping[str, int]
    item_blend_percent: int
    thresholds: Mapping[str, int]
    good_quota_percent: int | None
    group_quotas: Mapping[str, int]
    tie_break: tuple[str, ...]
    committee_class: str
    missing_component: str
    bonus_cap: Decimal
    deduction_cap: Decimal
    vetoes: Mapping[str, Mapping[str, str]]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "Scheme":
        """Read a stored scheme; keys a cycle made before they existed take their defaults."""
        return cls(
            components=tuple(
                (c["name"], int(c["weight"]), c.get("source") or ("ballots" if i == 0 else "entered"))
                for i, c in enumerate(data["components"])
            ),
            grade_points=dict(data["grade_points"]),
            class_weights=dict(data.get("class_weights") or {"*": 100}),
            item_blend_percent=int(data.get("item_blend_percent") or 0),
            thresholds=dict(data["thresholds"]),
            good_quota_percent=data.get("good_quota_percent"),
            group_quotas=dict(data.get("group_quotas") or {}),
            tie_break=tuple(data.get("tie_break") or ("score", "committee_good_rate", "good_rate")),
            committee_class=data.get("committee_class") or "",
            missing_component=data.get("missing_component", "reweight"),
            bonus_cap=Decimal(str(data.get("bonus_cap", 5))),
            deduction_cap=Decimal(str(data.get("deduction_cap", 10))),
            vetoes=dict(data.get("vetoes") or {}),
        )

    def quota_for(self, group: str) -> int | None:
        return self.group_quotas.get(group, self.good_quota_percent)


@dataclass(frozen=True)
class ReporterInput:
    id: int
    group: str
    ballots: Mapping[str, Counts] = field(default_factory=dict)  # voter class name → counts
    # voter class name → the scheme class it counts under ("*": pooled with the others); None: by
    # name, as cycles assessed before meetings said so
    class_map: Mapping[str, str] | None = None
    item_score: Decimal | None = None  # mean item score on a 0–100 scale, None without items
    entered: Mapping[str, Decimal | None] = field(default_factory=dict)  # component → 0–100
    adjustments: Sequence[Decimal] = ()  # positive 加分, negative 减分
    vetoes: Sequence[str] = ()  # the scheme's veto names that apply to this reporter


@dataclass(frozen=True)
class ClassPart:
    name: str  # a class, or "*" for the pooled others
    classes: tuple[str, ...]
    counts: tuple[int, int, int, int]
    score: Decimal
    weight: Decimal  # the share it had after re-weighting, out of 100


@dataclass(frozen=True)
class ComponentPart:
    name: str
    weight: int
    source: str
    score: Decimal | None  # None: missing
    used_weight: Decimal  # after the missing-component rule
    zeroed_by: str = ""  # a veto that zeroed it


@dataclass(frozen=True)
class Result:
    id: int
    group: str
    components: tuple[ComponentPart, ...]
    class_parts: tuple[ClassPart, ...]
    ballot_grade_score: Decimal | None
    base: Decimal  # the weighted sum of the components
    bonus: Decimal  # after its cap
    deduction: Decimal  # after its cap, as a positive number
    score: Decimal  # rounded, 0–100
    grade_by_score: str
    vetoes: tuple[str, ...]
    grade: str
    quota_cut: bool
    rank: int  # within the group
    good_rate: Decimal | None
    committee_good_rate: Decimal | None
    good_or_fair_rate: Decimal | None


class SchemeError(ValueError):
    pass


def class_score(counts: Counts, points: Mapping[str, int]) -> Decimal:
    values = [Decimal(points[g]) for g in GRADES]
    return (
        sum((Decimal(n) * v for n, v in zip(counts.as_tuple(), values, strict=True)), Decimal(0))
        / counts.total
    )


def scheme_class_of(voter_class: str, class_map: Mapping[str, str] | None) -> str:
    """The scheme class a meeting's voter class was set to count under ("*": none)."""
    return (class_map.get(voter_class) or "*") if class_map is not None else voter_class


def weight_class_of(voter_class: str, scheme: Scheme, class_map: Mapping[str, str] | None) -> str:
    """The weighted class whose share a voter class's ballots go to ("*" for the pooled others)."""
    key = scheme_class_of(voter_class, class_map)
    return key if key in scheme.class_weights else "*"


def ballot_component(
    ballots: Mapping[str, Counts], scheme: Scheme, class_map: Mapping[str, str] | None = None
) -> tuple[Decimal | None, tuple[ClassPart, ...]]:
    """The ballot component: each weighted class (the pooled rest under "*") in points, those
    with no ballots left out and the others re-weighted. None when nobody voted."""
    parts: list[tuple[str, tuple[str, ...], Counts, int]] = []
    for name, weight in scheme.class_weights.items():
        members = tuple(sorted(c for c in ballots if weight_class_of(c, scheme, class_map) == name))
        pooled = sum((ballots[c] for c in members), Counts())
        if pooled.total and weight:
            parts.append((name, members, pooled, weight))
    if not parts:
        return None, ()
    total_weight = Decimal(sum(weight for *_rest, weight in parts))
    result, out = Decimal(0), []
    for name, members, counts, weight in parts:
        score = class_score(counts, scheme.grade_points)
        share = Decimal(weight) * HUNDRED / total_weight
        result += score * share / HUNDRED
        out.append(ClassPart(name, members, counts.as_tuple(), round2(score), round2(share)))
    return result, tuple(out)


def _rates(
    ballots: Mapping[str, Counts], scheme: Scheme, class_map: Mapping[str, str] | None
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    all_counts = [c.as_tuple() for c in ballots.values()]
    total = sum(sum(t) for t in all_counts)
    good = sum(t[0] for t in all_counts)
    fair = sum(t[1] for t in all_counts)
    committee = scheme.committee_class
    mine = sum(
        (c for name, c in ballots.items() if committee and scheme_class_of(name, class_map) == committee),
        Counts(),
    )
    committee_rate = Decimal(mine.good) / mine.total if mine and mine.total else None
    if not total:
        return None, committee_rate, None
    return Decimal(good) / total, committee_rate, Decimal(good + fair) / total


def _capped(grade: str, cap: str) -> str:
    return grade if GRADES.index(grade) >= GRADES.index(cap) else cap


def grade_for(score: Decimal, thresholds: Mapping[str, int]) -> str:
    for grade in GRADES[:3]:
        if score >= thresholds[grade]:
            return grade
    return GRADES[3]


def _score_one(reporter: ReporterInput, scheme: Scheme) -> dict[str, Any]:
    ballot_score, class_parts = ballot_component(reporter.ballots, scheme, reporter.class_map)
    if ballot_score is not None and reporter.item_score is not None and scheme.item_blend_percent:
        blend = Decimal(scheme.item_blend_percent) / HUNDRED
        ballot_score = ballot_score * (1 - blend) + reporter.item_score * blend
    zeroing = {
        scheme.vetoes[v].get("component"): v
        for v in reporter.vetoes
        if v in scheme.vetoes and scheme.vetoes[v]["effect"] == "zero"
    }
    raw: list[tuple[str, int, str, Decimal | None, str]] = []
    for name, weight, source in scheme.components:
        score = ballot_score if source == "ballots" else reporter.entered.get(name)
        zeroed_by = zeroing.get(name, "")
        if zeroed_by:
            score = Decimal(0)
        raw.append((name, weight, source, score, zeroed_by))
    present = sum(weight for _n, weight, _s, score, _z in raw if score is not None)
    parts, base = [], Decimal(0)
    for name, weight, source, score, zeroed_by in raw:
        if score is None:
            used = Decimal(0)
        elif scheme.missing_component == "reweight":
            used = Decimal(weight) * HUNDRED / Decimal(present)
        else:
            used = Decimal(weight)
        if score is not None:
            base += score * used / HUNDRED
        parts.append(
            ComponentPart(
                name, weight, source, None if score is None else round2(score), round2(used), zeroed_by
            )
        )
    bonus = min(sum((a for a in reporter.adjustments if a > 0), Decimal(0)), scheme.bonus_cap)
    deduction = min(-sum((a for a in reporter.adjustments if a < 0), Decimal(0)), scheme.deduction_cap)
    score = round2(min(max(base + bonus - deduction, Decimal(0)), HUNDRED))
    by_score = grade_for(score, scheme.thresholds)
    grade = by_score
    fired = tuple(sorted(v for v in set(reporter.vetoes) if v in scheme.vetoes))
    for veto in fired:
        effect = scheme.vetoes[veto]
        if effect["effect"] == "poor":
            grade = Grade.POOR
        elif effect["effect"] == "cap":
            grade = _capped(grade, effect["grade"])
    good_rate, committee_rate, fair_rate = _rates(reporter.ballots, scheme, reporter.class_map)
    return {
        "id": reporter.id, "group": reporter.group, "components": tuple(parts), "class_parts": class_parts,
        "ballot_grade_score": None if ballot_score is None else round2(ballot_score), "base": round2(base),
        "bonus": round2(bonus), "deduction": round2(deduction), "score": score, "grade_by_score": by_score,
        "vetoes": fired, "grade": grade, "good_rate": good_rate, "committee_good_rate": committee_rate,
        "good_or_fair_rate": fair_rate,
    }  # fmt: skip


def _order_key(row: Mapping[str, Any], tie_break: Sequence[str]) -> tuple:
    """Best first: each tie-break figure descending (a missing rate counts lowest), then the id."""
    key: list[Any] = []
    for name in tie_break:
        value = row[name]
        key.append(-(value if value is not None else Decimal(-1)))
    key.append(row["id"])
    return tuple(key)


def assess(reporters: Sequence[ReporterInput], scheme: Scheme) -> list[Result]:
    """Score, grade, apply vetoes and group quotas, and rank every reporter; in input order."""
    ids = [r.id for r in reporters]
    if len(set(ids)) != len(ids):
        raise SchemeError("reporter ids repeat")
    rows = {r.id: _score_one(r, scheme) for r in reporters}
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows.values():
        groups.setdefault(row["group"], []).append(row)
    for group, members in groups.items():
        members.sort(key=lambda row: _order_key(row, scheme.tie_break))
        quota = scheme.quota_for(group)
        allowed = None if quota is None else len(members) * quota // 100
        kept = 0
        for rank, row in enumerate(members, start=1):
            row["rank"] = rank
            row["quota_cut"] = False
            if row["grade"] == Grade.GOOD and allowed is not None:
                if kept < allowed:
                    kept += 1
                else:
                    row["grade"], row["quota_cut"] = Grade.FAIRLY_GOOD, True
    return [Result(**rows[r.id]) for r in reporters]
