"""A unit's results across the years, and those of the secretaries who reported for it, for the
history page. Only published results; a secretary's results in other units only where those
units are in the viewer's subtree."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery

from shuzhi.core.access import in_subtree
from shuzhi.core.grades import GRADES
from shuzhi.core.roles import Capability
from shuzhi.orgs.models import Organization
from shuzhi.scoring.models import Assessment, Result


@dataclass(frozen=True)
class Row:
    pk: int
    year: int
    cycle: str
    organiser: str
    unit: str
    secretary: str
    secretary_id: int
    score: Decimal
    grade: str
    rank: int
    group: str
    group_size: int
    linked: bool  # the viewer may open the result's explanation


def _published(viewer, results: QuerySet[Result]) -> list[Row]:
    sizes = (
        Result.objects.filter(assessment=OuterRef("assessment"), group=OuterRef("group"))
        .order_by()
        .values("assessment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        results.exclude(assessment__status=Assessment.Status.COMPUTED)
        .select_related("assessment__cycle__organization", "reporter__organization", "reporter__secretary")
        .annotate(group_size=Subquery(sizes))
        .order_by("assessment__cycle__year", "assessment__cycle__org_path", "pk")
    )
    sees_cycles = viewer.can(Capability.VIEW_CYCLES)
    base = viewer.organization.path
    return [
        Row(pk=r.pk, year=r.assessment.cycle.year, cycle=r.assessment.cycle.title,
            organiser=r.assessment.cycle.organization.name, unit=r.reporter.organization.name,
            secretary=r.reporter.secretary.full_name, secretary_id=r.reporter.secretary_id, score=r.score,
            grade=r.grade, rank=r.rank, group=r.group, group_size=r.group_size,
            linked=(sees_cycles and r.assessment.cycle.org_path.startswith(base))
            or r.reporter.secretary_id == viewer.pk)
        for r in rows
    ]  # fmt: skip


def unit_history(*, viewer, organization: Organization) -> list[Row]:
    """The unit's published results, oldest year first (the organisation is already scoped)."""
    return _published(viewer, Result.objects.filter(reporter__organization=organization))


def secretary_history(*, viewer, secretary_ids: list[int]) -> list[tuple[str, list[Row]]]:
    """Each secretary's published results in units of the viewer's subtree, by name."""
    if not secretary_ids:
        return []
    rows = _published(
        viewer,
        Result.objects.filter(reporter__secretary__in=secretary_ids).filter(
            in_subtree("reporter__organization__path", viewer.organization.path)
        ),
    )
    by_secretary: dict[int, list[Row]] = {}
    for row in rows:
        by_secretary.setdefault(row.secretary_id, []).append(row)
    return sorted(((rows[0].secretary, rows) for rows in by_secretary.values()), key=lambda item: item[0])


def chart_data(unit: str, unit_rows: list[Row], secretaries: list[tuple[str, list[Row]]]) -> dict[str, Any]:
    """What history.js draws: the years, then one line for the unit and one per secretary who also
    reported elsewhere, each point with its score and grade (None where the line has no result
    that year)."""
    years = sorted({row.year for row in unit_rows} | {row.year for _n, rows in secretaries for row in rows})

    def points(rows: list[Row]) -> list[dict[str, Any] | None]:
        by_year = {row.year: row for row in rows}  # two cycles in one year: the later one
        return [
            {"score": float(by_year[y].score), "grade": by_year[y].grade, "cycle": by_year[y].cycle}
            if y in by_year
            else None
            for y in years
        ]

    series = [{"name": unit, "kind": "unit", "points": points(unit_rows)}]
    in_unit = {row.pk for row in unit_rows}
    series += [
        {"name": f"{name}（书记）", "kind": "secretary", "points": points(rows)}
        for name, rows in secretaries
        if any(row.pk not in in_unit for row in rows)  # else the same line as the unit's
    ]
    return {"years": [f"{y}年" for y in years], "grades": list(GRADES), "series": series}
