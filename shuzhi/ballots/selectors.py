from dataclasses import dataclass

from django.db.models import Count

from shuzhi.ballots import rules
from shuzhi.ballots.models import CodeUse, Comment, Meeting, TallyRow, VoterClass
from shuzhi.core.access import get_scoped_or_404
from shuzhi.core.grades import Counts
from shuzhi.cycles.models import Reporter
from shuzhi.cycles.selectors import cycles_visible_to


def agenda_reporters(meeting: Meeting) -> list[Reporter]:
    """The reporters on the ballot, in agenda order (frozen when voting opened)."""
    agenda = meeting.agenda or []
    found = Reporter.objects.filter(pk__in=agenda).select_related("organization", "secretary").in_bulk()
    return [found[pk] for pk in agenda if pk in found]


def turnout(meeting: Meeting) -> list[dict]:
    """Per class: ballots issued (codes) and cast (codes used). Nothing about what was voted."""
    cast = dict(
        CodeUse.objects.filter(meeting=meeting).values_list("voter_class").annotate(n=Count("pk")).order_by()
    )
    return [
        {"name": c.name, "issued": c.ballots, "cast": cast.get(c.pk, 0),
         "percent": round(100 * cast.get(c.pk, 0) / c.ballots) if c.ballots else 0}
        for c in meeting.classes.all()
    ]  # fmt: skip


def meeting_by_screen_token(token: str) -> Meeting | None:
    if not token:
        return None
    return Meeting.objects.filter(screen_token=token).select_related("cycle").first()


def meeting_get(*, viewer, pk: int) -> Meeting:
    return get_scoped_or_404(
        Meeting.objects.filter(cycle__in=cycles_visible_to(viewer)).select_related("cycle__organization"),
        pk=pk,
    )


@dataclass
class ResultRow:
    reporter: Reporter
    total: Counts
    by_class: list[tuple[VoterClass, Counts | None]]  # None: too few ballots to show
    comments: list[Comment]


def meeting_results(meeting: Meeting) -> tuple[list[ResultRow], list[VoterClass]]:
    """Per reporter: the counts of every class together, each class's breakdown where the class
    cast enough ballots to show it, and the comments. Only after voting has closed."""
    if not meeting.results_visible:
        return [], []
    classes = list(meeting.classes.all())
    counts: dict[tuple[int, int], Counts] = {}
    class_size: dict[int, int] = {}
    for row in TallyRow.objects.filter(meeting=meeting):
        c = Counts(row.good, row.fairly_good, row.average, row.poor)
        counts[(row.reporter_id, row.voter_class_id)] = c
        class_size[row.voter_class_id] = max(class_size.get(row.voter_class_id, 0), c.total)
    shown = rules.shown_classes(class_size, meeting.min_class_size)
    comments: dict[int, list[Comment]] = {}
    for comment in meeting.comments.select_related("author").order_by("is_final", "created_at"):
        comments.setdefault(comment.reporter_id, []).append(comment)
    rows = []
    for reporter in agenda_reporters(meeting):
        total = Counts()
        by_class = []
        for voter_class in classes:
            c = counts.get((reporter.pk, voter_class.pk), Counts())
            total = total + c
            by_class.append((voter_class, c if voter_class.pk in shown else None))
        rows.append(ResultRow(reporter, total, by_class, comments.get(reporter.pk, [])))
    return rows, classes
