"""Reads of 基本保障: the floors in force, each village's and community's figures and shortfalls,
and the compliance table per county or township. Bulk: a few queries for a whole city."""

from collections import defaultdict
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db.models import Q, QuerySet

from shuzhi.core.access import in_subtree
from shuzhi.orgs.models import Organization
from shuzhi.orgs.services import ancestor_paths
from shuzhi.weakorgs import guarantee_rules as g
from shuzhi.weakorgs.models import GuaranteeFigure, GuaranteeFloor, TalkDraft

UNIT_FIELDS = (Organization.Field.RURAL, Organization.Field.COMMUNITY)
FLOOR_LEVELS = (Organization.Level.PROVINCE, Organization.Level.CITY)


@dataclass(frozen=True)
class Unit:
    """A village or community: the top village-level organisation of its field."""

    id: int
    path: str
    name: str
    field: str
    members: int


def units_under(path: str) -> list[Unit]:
    """Every village and community under `path`, once: a branch under a village committee is
    part of its village, not a village of its own."""
    rows = (
        Organization.objects.filter(in_subtree("path", path), level=Organization.Level.VILLAGE, field__in=UNIT_FIELDS)
        .order_by("path")
        .values_list("id", "path", "name", "field", "total_members")
    )  # fmt: skip
    out: list[Unit] = []
    top = None
    for pk, p, name, f, members in rows.iterator(chunk_size=10000):
        if top is not None and p.startswith(top):
            continue
        top = p
        out.append(Unit(id=pk, path=p, name=name, field=f, members=members))
    return out


def floor_of(row: GuaranteeFloor) -> g.Floor:
    return g.Floor(**{name: getattr(row, name) for name in g.FLOOR_FIELDS})


class Floors:
    """The year's floors, found for any path by its ancestors (nearest level wins per norm)."""

    def __init__(self, year: int):
        self.rows = {
            row.org_path: row for row in GuaranteeFloor.objects.filter(year=year).order_by("org_path")
        }
        self.lengths = sorted({len(p) for p in self.rows})
        self._cache: dict[str, g.Floor | None] = {}

    def chain(self, path: str) -> list[GuaranteeFloor]:
        return [self.rows[path[:n]] for n in self.lengths if n <= len(path) and path[:n] in self.rows]

    def for_path(self, path: str) -> g.Floor | None:
        # villages share their county's chain: cache on the deepest floor-holding prefix
        chain = self.chain(path)
        key = chain[-1].org_path if chain else ""
        if key not in self._cache:
            self._cache[key] = g.merge([floor_of(row) for row in chain])
        return self._cache[key]


def figures_of(got: GuaranteeFigure) -> g.Figures:
    return g.Figures(
        operating_total=got.operating_total, secretary_pay=got.secretary_pay, office_funds=got.office_funds,
        service_funds=got.service_funds, training_funds=got.training_funds, members=got.members,
        dual_role=got.dual_role, deputy_pay=got.deputy_pay, residents=got.residents, workers=got.workers,
    )  # fmt: skip


FIGURE_VALUES = tuple(f.name for f in fields(g.Figures))


@dataclass
class Judged:
    unit: Unit
    figure_id: int | None  # None: not reported
    shortfalls: list[g.Shortfall]
    has_floor: bool

    @property
    def reported(self) -> bool:
        return self.figure_id is not None

    @property
    def met(self) -> bool:
        """Meets every floor: reported, a floor applies, and nothing falls short."""
        return self.reported and self.has_floor and not self.shortfalls


def judge(path: str, year: int) -> list[Judged]:
    """Every village and community under `path` judged against the floors in force: three queries."""
    units = units_under(path)
    floors = Floors(year)
    # plain tuples, not model instances: a city's few thousand rows in a page's time budget
    rows = (
        GuaranteeFigure.objects.filter(in_subtree("org_path", path), year=year)
        .order_by()
        .values_list("organization_id", "id", *FIGURE_VALUES)
    )
    got = {
        org_id: (pk, g.Figures(**dict(zip(FIGURE_VALUES, values, strict=True))))
        for org_id, pk, *values in rows
    }
    out = []
    for unit in units:
        floor = floors.for_path(unit.path)
        pk, figures = got.get(unit.id, (None, None))
        short = []
        if figures is not None and floor is not None:
            short = g.shortfalls(floor, figures, community=unit.field == Organization.Field.COMMUNITY)
        out.append(Judged(unit=unit, figure_id=pk, shortfalls=short, has_floor=floor is not None))
    return out


@dataclass
class AreaRow:
    """One county (or township) of the compliance table."""

    org: Organization
    units: int = 0
    reported: int = 0
    met: int = 0
    short: int = 0  # reported and falling short of at least one norm
    by_norm: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    talk: TalkDraft | None = None

    @property
    def unreported(self) -> int:
        return self.units - self.reported

    @property
    def rate(self) -> Decimal | None:
        return None if not self.units else (Decimal(self.met) * 100 / self.units).quantize(Decimal("0.1"))

    def norm_counts(self) -> list[int]:
        return [self.by_norm.get(key, 0) for key in g.NORMS]


def children(org: Organization) -> list[Organization]:
    return list(
        Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)
        .select_related("secretary")
        .order_by("path")
    )


def table(org: Organization, year: int) -> tuple[list[AreaRow], list[Judged]]:
    """The compliance table of `org`'s children (counties under a city, townships under a
    county) and every village and community judged."""
    judged = judge(org.path, year)
    rows = [AreaRow(org=child) for child in children(org)]
    by_prefix = {row.org.path: row for row in rows}
    steplen = Organization.steplen
    talks = {
        t.organization_id: t
        for t in TalkDraft.objects.filter(year=year, organization__in=[r.org for r in rows])
    }
    for row in rows:
        row.talk = talks.get(row.org.pk)
    for item in judged:
        row = by_prefix.get(item.unit.path[: len(org.path) + steplen])
        if row is None:
            continue
        row.units += 1
        row.reported += item.reported
        row.met += item.met
        row.short += bool(item.shortfalls)
        for s in item.shortfalls:
            row.by_norm[s.norm] += 1
    return [row for row in rows if row.units], judged


def chart(rows: list[AreaRow]) -> dict:
    return {
        "areas": [row.org.name for row in rows],
        "met": [row.met for row in rows],
        "short": [row.short for row in rows],
        "unreported": [row.unreported for row in rows],
    }


def floors_visible_to(org: Organization) -> QuerySet[GuaranteeFloor]:
    """Floors of the viewer's own level and the levels above it (what its villages are held to),
    and of any level below it."""
    return GuaranteeFloor.objects.filter(
        in_subtree("org_path", org.path) | Q(org_path__in=ancestor_paths([org.path]))
    ).select_related("organization", "updated_by")


def figures_visible(path: str, year: int) -> QuerySet[GuaranteeFigure]:
    return GuaranteeFigure.objects.filter(in_subtree("org_path", path), year=year)
