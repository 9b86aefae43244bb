from dataclasses import dataclass

from django.db.models import Count

from shuzhi.ballots import rules
from shuzhi.ballots.models import CodeUse, Comment, Meeting, TallyRow, VoterClass
from shuzhi.core.access import get_scoped_or_404
from shuzhi.core.grades import Counts
from shuzhi.cycles.models import Cycle, Reporter
from shuzhi.cycles.selectors import can_manage, cycles_visible_to


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


def meeting_get(*, viewer, pk: int) -> Meeting:
    return get_scoped_or_404(
        Meeting.objects.filter(cycle__in=cycles_visible_to(viewer)).select_related("cycle__organization"),
        pk=pk,
    )


def classes_shown(meeting: Meeting, *, counts: dict[tuple[int, int], Counts] | None = None) -> set[int]:
    """The voter classes whose own counts may be shown: THE rule for every page, export and
    document that shows counts per class (the meeting page, the result's explanation, the
    计票单). A class shows only with at least the meeting's `min_class_size` ballots, and one small
    class is never left alone to be worked out from the total (rules.shown_classes). Before
    voting closes, none. `counts`: (reporter id, class id) → counts, if the caller has read them."""
    if not meeting.results_visible:
        return set()
    if counts is None:
        counts = {
            (row.reporter_id, row.voter_class_id): Counts(row.good, row.fairly_good, row.average, row.poor)
            for row in TallyRow.objects.filter(meeting=meeting)
        }
    sizes: dict[int, int] = {}
    for (_reporter, class_id), c in counts.items():
        sizes[class_id] = max(sizes.get(class_id, 0), c.total)
    return rules.shown_classes(sizes, meeting.min_class_size)


def class_names_shown(meeting: Meeting) -> set[str]:
    """The names of the classes `classes_shown` lets be shown (scheme weights name classes)."""
    shown = classes_shown(meeting)
    return {c.name for c in meeting.classes.all() if c.pk in shown}


def tally_open_to(viewer, meeting: Meeting) -> bool:
    """Whether the viewer may see the meeting's counts (page, screen, 计票单, exports): those who
    run the cycle once voting has closed; everyone who sees the meeting once the counts were
    announced in the room (`announce`) or the cycle's results are published."""
    if not meeting.results_visible:
        return False
    if can_manage(viewer, meeting.cycle) or meeting.announce:
        return True
    return meeting.cycle.status in (Cycle.Status.PUBLISHED, Cycle.Status.ARCHIVED)


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
    for row in TallyRow.objects.filter(meeting=meeting):
        counts[(row.reporter_id, row.voter_class_id)] = Counts(
            row.good, row.fairly_good, row.average, row.poor
        )
    shown = classes_shown(meeting, counts=counts)
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
