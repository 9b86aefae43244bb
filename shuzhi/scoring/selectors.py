from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shuzhi.core import facts
from shuzhi.core.access import get_scoped_or_404
from shuzhi.core.roles import Capability
from shuzhi.cycles.models import Cycle
from shuzhi.cycles.selectors import cycles_visible_to
from shuzhi.scoring.models import Assessment, ComponentScore, Result

SORTS = {
    "rank": ("group", "rank"),
    "-score": ("-score", "rank"),
    "score": ("score", "rank"),
    "name": ("reporter__organization__name",),
}


def results_of(*, cycle: Cycle, group: str = "", grade: str = "", sort: str = "rank") -> QuerySet[Result]:
    results = Result.objects.filter(assessment__cycle=cycle).select_related(
        "reporter__organization", "reporter__secretary"
    )
    if group:
        results = results.filter(group=group)
    if grade:
        results = results.filter(grade=grade)
    return results.order_by(*SORTS.get(sort, SORTS["rank"]))


def result_get(*, viewer, pk: int) -> Result:
    """A result the viewer may see: in their subtree's cycles, or their own as reporter."""
    if viewer.can(Capability.VIEW_CYCLES):
        visible = Result.objects.filter(assessment__cycle__in=cycles_visible_to(viewer))
    else:  # a reporter sees their own result once it is published, never another's
        visible = Result.objects.filter(reporter__secretary=viewer).exclude(
            assessment__status=Assessment.Status.COMPUTED
        )
    return get_scoped_or_404(
        visible.select_related(
            "assessment__cycle__organization", "reporter__organization", "reporter__secretary"
        ),
        pk=pk,
    )


def scheme_fact_uses(cycle: Cycle) -> list[dict[str, str]]:
    """Which components and vetoes of the cycle's scheme the platform's facts decide."""
    uses = []
    for component in cycle.scheme.get("components", []):
        if component.get("source") == "fact":
            source = facts.get(component["fact"])
            uses.append({"what": _("考核项目"), "name": component["name"],
                         "source": str(source.label) if source else component["fact"]})  # fmt: skip
    for name, rule in cycle.scheme.get("vetoes", {}).items():
        if rule.get("fact"):
            source = facts.get(rule["fact"])
            uses.append({"what": _("否决情形"), "name": name,
                         "source": str(source.label) if source else rule["fact"]})  # fmt: skip
    return uses


def entered_scores_rows(*, cycle: Cycle, components: list[str]) -> list[tuple]:
    """One row per reporter (by group and position): unit, code and each entered component's
    score so far ("" where none)."""
    scores = {
        (s.reporter_id, s.component): s.score for s in ComponentScore.objects.filter(reporter__cycle=cycle)
    }
    return [
        (r.organization.name, r.organization.code, *(scores.get((r.pk, c), "") for c in components))
        for r in cycle.reporters.select_related("organization").order_by("group", "position")
    ]
