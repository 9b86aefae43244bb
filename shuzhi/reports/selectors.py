import difflib
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from shuzhi.core.access import get_scoped_or_404, in_subtree
from shuzhi.core.roles import Capability
from shuzhi.cycles.selectors import can_manage
from shuzhi.reports.models import Attachment, Report, ReportItem, ReportVersion


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports a user may read: those of cycles in their subtree (organisers, reviewers) and
    their own (the reporting secretary). Nothing else: a secretary never sees another unit's."""
    if not user.is_authenticated:
        return Report.objects.none()
    scope = Q(pk__in=[])
    if user.can(Capability.VIEW_CYCLES):
        scope |= in_subtree("reporter__cycle__org_path", user.organization.path)
    if user.can(Capability.WRITE_REPORT):
        scope |= Q(reporter__secretary=user)
    return Report.objects.filter(scope)


def may_write(user, report: Report) -> bool:
    """The reporting secretary writes the report; for a unit whose secretary account nobody holds
    yet, the cycle's organiser may enter it on the unit's behalf (marked and audited)."""
    reporter = report.reporter
    if reporter.secretary_id == user.pk:
        return True
    return reporter.secretary.is_unclaimed and can_manage(user, reporter.cycle)


def report_get(*, viewer, pk: int) -> Report:
    return get_scoped_or_404(
        reports_visible_to(viewer).select_related(
            "reporter__cycle__organization", "reporter__organization", "reporter__secretary"
        ),
        pk=pk,
    )


def reports_of(*, secretary) -> QuerySet[Report]:
    """The reports a secretary writes, newest cycle first."""
    return (
        Report.objects.filter(reporter__secretary=secretary)
        .select_related("reporter__cycle", "reporter__organization")
        .order_by("-reporter__cycle__year", "reporter__cycle__org_path")
    )


def report_items(report: Report) -> dict[str, list[ReportItem]]:
    grouped: dict[str, list[ReportItem]] = {kind: [] for kind in ReportItem.Kind.values}
    for item in report.items.all():
        grouped[item.kind].append(item)
    return grouped


def item_get(*, report: Report, pk: int) -> ReportItem:
    return get_scoped_or_404(report.items.all(), pk=pk)


def attachment_get(*, report: Report, pk: int) -> Attachment:
    return get_scoped_or_404(report.attachments.all(), pk=pk)


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def version_diff(older: ReportVersion | None, newer: ReportVersion) -> list[DiffLine]:
    """Line by line, what changed from one version's text to the next's."""
    before = older.text.splitlines() if older else []
    after = newer.text.splitlines()
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", line) for line in before[i1:i2]]
            continue
        lines += [DiffLine("removed", line) for line in before[i1:i2]]
        lines += [DiffLine("added", line) for line in after[j1:j2]]
    return lines
