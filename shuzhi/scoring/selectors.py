from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shuzhi.ballots.models import Meeting
from shuzhi.ballots.selectors import class_names_shown
from shuzhi.core import facts
from shuzhi.core.access import get_scoped_or_404
from shuzhi.core.grades import Grade
from shuzhi.core.roles import Capability, Role
from shuzhi.cycles.models import Cycle
from shuzhi.cycles.selectors import can_manage, cycles_visible_to
from shuzhi.scoring.documents import SHOWN
from shuzhi.scoring.models import Assessment, ComponentScore, Objection, Result

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


def results_open_to(viewer, cycle: Cycle, assessment: Assessment | None = None) -> bool:
    """THE gate of results (every page, export, document and partial that shows them): before
    publication, only those who run the cycle (its organisation's 组织部) see them; afterwards,
    whoever may see the cycle."""
    if can_manage(viewer, cycle):
        return True
    if assessment is None:
        assessment = Assessment.objects.filter(cycle=cycle).first()
    return assessment is not None and assessment.status in SHOWN


def result_get(*, viewer, pk: int) -> Result:
    """A result the viewer may see: in their subtree's cycles once published (before, only those
    who run the cycle), or their own as reporter once published."""
    if viewer.can(Capability.VIEW_CYCLES):
        visible = Result.objects.filter(assessment__cycle__in=cycles_visible_to(viewer))
        running = (
            Q(assessment__cycle__organization_id=viewer.organization_id)
            if viewer.role == Role.ORGANISER
            else Q(pk__in=[])
        )
        visible = visible.filter(running | Q(assessment__status__in=SHOWN))
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


def explanation_shown(result: Result) -> dict:
    """The result's explanation as it may be shown: the ballot parts of voter classes too small to
    be shown alone (ballots.selectors.classes_shown, the meeting page's rule) keep their weight
    but lose their counts and their converted score, which would give the counts away."""
    explanation = dict(result.explanation)
    parts = explanation.get("class_parts") or []
    if not parts:
        return explanation
    meeting = Meeting.objects.filter(cycle_id=result.assessment.cycle_id).first()
    shown = class_names_shown(meeting) if meeting else set()
    minimum = meeting.min_class_size if meeting else 0
    explanation["class_parts"] = [
        part if set(part.get("classes") or [part["name"]]) <= shown
        else {**part, "counts": None, "score": None, "hidden": True, "minimum": minimum}
        for part in parts
    ]  # fmt: skip
    return explanation


def objections_waiting(cycle: Cycle) -> int:
    """Objections raised during the cycle's 公示 and not yet answered."""
    return Objection.objects.filter(result__assessment__cycle=cycle, answered_at__isnull=True).count()


def published_result_of(secretary) -> Result | None:
    """The secretary's newest result once published (公示 or final), never before."""
    return (
        Result.objects.filter(
            reporter__secretary=secretary,
            assessment__status__in=(Assessment.Status.PUBLISHED, Assessment.Status.FINAL),
        )
        .select_related("assessment__cycle")
        .order_by("-assessment__cycle__year")
        .first()
    )


def rollup_grades(viewer, cycles: list) -> dict:
    """The roll-up's 等次 column: each cycle's results by grade, where the viewer may see them
    (published, or the cycle is the viewer's own: `results_open_to` for all at once; one query)."""
    from django.db.models import Count
    from django.urls import reverse

    from shuzhi.cycles.hooks import Cell

    own = [c.pk for c in cycles if can_manage(viewer, c)]
    rows = (
        Result.objects.filter(assessment__cycle_id__in=[c.pk for c in cycles])
        .filter(Q(assessment__status__in=SHOWN) | Q(assessment__cycle_id__in=own))
        .values_list("assessment__cycle_id", "grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = {}
    for cycle_id, grade, n in rows:
        counts.setdefault(cycle_id, {})[grade] = n
    return {
        cycle_id: Cell(
            text=" ".join(f"{grade}{found.get(grade, 0)}" for grade in Grade.values),
            link=reverse("scoring:index", args=[cycle_id]),
            title=_("等次分布"),
        )
        for cycle_id, found in counts.items()
    }
