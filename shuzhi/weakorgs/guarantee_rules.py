"""The arithmetic of 基本保障: which floor applies and what a village or community falls short of.
Pure functions over plain values (no ORM), so every case is tested by hand."""

import math
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

# norm keys: named in shortfalls and in the compliance table's columns, never rename
OPERATING = "operating_total"
SECRETARY = "secretary_pay"
DEPUTY = "deputy_pay"
OFFICE = "office_funds"
SERVICE = "service_funds"
TRAINING = "training_per_member"
WORKERS = "workers"

NORMS = {  # key → (label, unit)
    OPERATING: ("村级组织运转经费合计", "万元"),
    SECRETARY: ("书记（主职）基本报酬", "元/年"),
    DEPUTY: ("副职基本报酬", "元/年"),
    OFFICE: ("办公经费", "万元"),
    SERVICE: ("服务群众专项经费", "万元"),
    TRAINING: ("党员教育培训经费", "元/人"),
    WORKERS: ("社区工作者", "人"),
}
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Floor:
    """The norms in force for a village (None: not set)."""

    rural_income: Decimal | None = None
    operating_total: Decimal | None = None
    secretary_ratio: Decimal | None = None
    secretary_pay: Decimal | None = None
    deputy_percent: Decimal | None = None
    dual_percent: Decimal | None = None
    office_funds: Decimal | None = None
    service_funds: Decimal | None = None
    training_per_member: Decimal | None = None
    workers_per_thousand: Decimal | None = None


FLOOR_FIELDS = tuple(f.name for f in fields(Floor))


@dataclass(frozen=True)
class Figures:
    """What a village or community got in the year."""

    operating_total: Decimal
    secretary_pay: Decimal
    office_funds: Decimal
    service_funds: Decimal
    training_funds: Decimal
    members: int
    dual_role: bool = False
    deputy_pay: Decimal | None = None
    residents: int | None = None
    workers: int | None = None


@dataclass(frozen=True)
class Shortfall:
    norm: str
    required: Decimal
    actual: Decimal
    note: str = ""  # how the requirement was reached, e.g. "2 倍 × 21,000 元"

    @property
    def label(self) -> str:
        return NORMS[self.norm][0]

    @property
    def unit(self) -> str:
        return NORMS[self.norm][1]

    def sentence(self) -> str:
        return f"{self.label}应不低于 {self.required} {self.unit}，实际 {self.actual} {self.unit}"


def merge(floors: list[Floor]) -> Floor | None:
    """The norms of floors from the farthest level to the nearest: a nearer level's set norm
    replaces a farther one's, a norm it leaves empty keeps the farther level's."""
    if not floors:
        return None
    found = floors[0]
    for nearer in floors[1:]:
        found = replace(
            found, **{k: getattr(nearer, k) for k in FLOOR_FIELDS if getattr(nearer, k) is not None}
        )
    return found


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=256)  # pure, and a city's villages share a handful of floors
def secretary_floor(floor: Floor, *, dual_role: bool = False) -> tuple[Decimal | None, str]:
    """The 主职 basic pay floor and how it was reached: the higher of the ratio rule (× the rural
    per-capita disposable income) and the fixed amount; for one holding both posts (一肩挑), the
    一肩挑 rule's percent of it."""
    candidates: list[tuple[Decimal, str]] = []
    if floor.secretary_ratio is not None and floor.rural_income is not None:
        candidates.append((_money(floor.secretary_ratio * floor.rural_income),
                           f"{floor.secretary_ratio} 倍 × 农村居民人均可支配收入 {floor.rural_income} 元"))  # fmt: skip
    if floor.secretary_pay is not None:
        candidates.append((_money(floor.secretary_pay), f"不低于 {floor.secretary_pay} 元"))
    if not candidates:
        return None, ""
    required, note = max(candidates, key=lambda c: c[0])
    if dual_role and floor.dual_percent is not None:
        required = _money(required * floor.dual_percent / HUNDRED)
        note += f"；“一肩挑”按主职标准的 {floor.dual_percent}%"
    return required, note


def workers_required(residents: int, per_thousand: Decimal) -> int:
    """Community workers a community of `residents` needs, rounded up."""
    return math.ceil(Decimal(residents) * per_thousand / 1000)


def shortfalls(floor: Floor, got: Figures, *, community: bool) -> list[Shortfall]:
    """Every norm the figures fall short of, with what was required and what was got."""
    out: list[Shortfall] = []

    def check(
        norm: str, required: Decimal | None, actual: Decimal | None, note: Callable[[], str] = str
    ) -> None:
        # the note is worded only for a shortfall: a city's thousands of villages mostly meet the floors
        if required is not None and actual is not None and actual < required:
            out.append(Shortfall(norm=norm, required=required, actual=actual, note=note()))

    check(OPERATING, floor.operating_total, got.operating_total)
    required, note = secretary_floor(floor, dual_role=got.dual_role)
    check(SECRETARY, required, got.secretary_pay, lambda: note)
    if got.deputy_pay is not None and floor.deputy_percent is not None:
        check(DEPUTY, _money(got.secretary_pay * floor.deputy_percent / HUNDRED), got.deputy_pay,
              lambda: f"主职实际报酬 {got.secretary_pay} 元的 {floor.deputy_percent}%")  # fmt: skip
    check(OFFICE, floor.office_funds, got.office_funds)
    check(SERVICE, floor.service_funds, got.service_funds)
    if got.members and floor.training_per_member is not None:
        check(TRAINING, floor.training_per_member, _money(got.training_funds / got.members),
              lambda: f"{got.training_funds} 元 ÷ {got.members} 名党员")  # fmt: skip
    if community and floor.workers_per_thousand is not None and got.residents:
        need = workers_required(got.residents, floor.workers_per_thousand)
        check(WORKERS, Decimal(need), Decimal(got.workers or 0),
              lambda: f"{got.residents} 名居民 × 每千人 {floor.workers_per_thousand} 人")  # fmt: skip
    return out
