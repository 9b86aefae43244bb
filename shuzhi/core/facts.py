"""The registry of fact sources: how facts entered during the year reach the assessment.

Facts are entered once, where they happen (a branch's meeting, a dues payment, a project's
quarter, a 问责). The yearly assessment sits below the areas that hold them, so it cannot import
them; instead each area registers its sources here in its `AppConfig.ready()`, and the scheme
names a source by key: as the source of a component's score, or as the condition of a veto.
Weak-organisation rules, the standards checklist and the statistics read facts the same way, so
that one fact is computed in one place.

A source rates subjects (a reporting unit, meaning its organisation's subtree) for a year and
returns, for each, a value on 0–100 (None: no data — never counted as met) or, for a condition,
whether it holds, with the evidence behind it: labelled figures and links to the lists they come
from, which the explanation page shows. A source computes in bulk: one or a few queries for all
subjects of a cycle, never one per subject.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from shuzhi.core.paths import common_prefix

HUNDRED = Decimal(100)


class FactKind(StrEnum):
    SCORE = "score"  # a value on 0–100, for a component (or a veto below a threshold)
    CONDITION = "condition"  # holds or not, for a veto


@dataclass(frozen=True)
class Subject:
    """What a source rates: an organisation (id and materialized path), meaning its subtree."""

    id: int
    path: str
    name: str = ""


@dataclass(frozen=True)
class Evidence:
    """One labelled figure behind a fact, with a link to the list it comes from."""

    label: str
    value: str = ""
    link: str = ""

    def as_data(self) -> dict[str, str]:
        return {"label": self.label, "value": self.value, "link": self.link}


@dataclass(frozen=True)
class Fact:
    value: Decimal | None = None  # 0–100 for a score source; None: no data
    holds: bool | None = None  # for a condition source; None: no data
    evidence: tuple[Evidence, ...] = ()
    summary: str = ""  # one line a person reads, e.g. "12 个支部中 9 个按期开展组织生活"


Compute = Callable[[int, Sequence[Subject]], Mapping[int, Fact]]


@dataclass(frozen=True)
class FactSource:
    key: str  # "<area>.<fact>", stored in schemes: never rename
    label: str  # the Chinese name a person picks from, unique
    kind: FactKind
    compute: Compute = field(repr=False)  # (year, subjects) → subject id → Fact
    description: str = ""  # how the value is worked out, shown beside the choice
    area: str = ""  # the area's Chinese name, to group the choices


class FactError(ValueError):
    pass


_registry: dict[str, FactSource] = {}


def register(source: FactSource) -> FactSource:
    """Add a source (from an AppConfig.ready()); a key or label registered twice is a mistake."""
    existing = _registry.get(source.key)
    if existing is not None and existing != source:
        raise FactError(f"fact source {source.key!r} registered twice")
    if any(other.label == source.label and other.key != source.key for other in _registry.values()):
        raise FactError(f"fact source label {source.label!r} used twice")
    _registry[source.key] = source
    return source


def unregister(key: str) -> None:
    """Remove a source (tests that register their own)."""
    _registry.pop(key, None)


def get(key: str) -> FactSource | None:
    return _registry.get(key)


def sources(kind: FactKind | None = None) -> list[FactSource]:
    """Every registered source (of one kind), by area then label."""
    found = [s for s in _registry.values() if kind is None or s.kind == kind]
    return sorted(found, key=lambda s: (s.area, s.label, s.key))


def kinds() -> dict[str, str]:
    """key → kind, for checking a scheme without importing any area."""
    return {key: str(source.kind) for key, source in _registry.items()}


def by_reference(text: str) -> FactSource | None:
    """The source a person named, by its label or its key."""
    text = text.strip()
    return _registry.get(text) or next((s for s in _registry.values() if s.label == text), None)


def collect(key: str, *, year: int, subjects: Sequence[Subject]) -> dict[int, Fact]:
    """Ask a source for every subject at once; every subject gets a Fact (no data if the source
    said nothing about it), and a value outside 0–100 is refused rather than used."""
    source = _registry.get(key)
    if source is None:
        raise FactError(f"unknown fact source {key!r}")
    answered = source.compute(year, subjects)
    out: dict[int, Fact] = {}
    for subject in subjects:
        fact = answered.get(subject.id) or Fact()
        if fact.value is not None and not (0 <= fact.value <= HUNDRED):
            raise FactError(f"{key}: value {fact.value} for {subject.id} is outside 0–100")
        out[subject.id] = fact
    return out


def share(part: int, whole: int) -> Decimal | None:
    """part of whole on 0–100, two places; None when there is nothing to count."""
    if whole <= 0:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.01"))


def scope(subjects: Sequence[Subject]) -> str:
    """The path under which every subject's subtree lies: a source reads one index range."""
    return common_prefix(s.path for s in subjects)


class SubjectIndex:
    """Finds the subjects whose subtree holds a path (materialized paths: a subtree is every path
    that starts with the subject's), without a query per subject."""

    def __init__(self, subjects: Sequence[Subject]):
        self.by_path = {s.path: s for s in subjects}
        self.lengths = sorted({len(s.path) for s in subjects})

    def holding(self, path: str) -> list[Subject]:
        """Every subject whose subtree holds `path` (nested subjects all count)."""
        found = []
        for length in self.lengths:
            if length > len(path):
                break
            subject = self.by_path.get(path[:length])
            if subject is not None:
                found.append(subject)
        return found
