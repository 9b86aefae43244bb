from dataclasses import dataclass

from django.db.models import Count

from shuzhi.ballots import rules
from shuzhi.ballots.models import Ballot, CodeUse, Comment, Meeting, RehearsalMark, TallyRow, VoterClass
from shuzhi.core.access import get_scoped_or_404
from shuzhi.core.grades import Counts, Grade
from shuzhi.cycles.models import Reporter
from shuzhi.cycles.selectors import cycles_visible_to


def agenda_reporters(meeting: Meeting) -> list[Reporter]:
    """The reporters on the ballot, in agenda order (frozen when voting opened)."""
    agenda = meeting.agenda or []
    found = Reporter.objects.filter(pk__in=agenda).select_related("organization", "secretary").in_bulk()
    return [found[pk] for pk in agenda if pk in found]


def turnout(meeting: Meeting) -> list[dict]:
    """Per class: ballots issued (codes) and cast (codes used). Nothing about what was voted.
    During a rehearsal, the test codes and their uses only; otherwise never those."""
    rehearsal = bool(meeting.rehearsal)
    cast = dict(
        CodeUse.objects.filter(meeting=meeting, code__rehearsal=rehearsal)
        .values_list("voter_class")
        .annotate(n=Count("pk"))
        .order_by()
    )
    issued = {c.pk: c.ballots for c in meeting.classes.all()}
    if rehearsal:
        issued = dict(
            meeting.codes.filter(rehearsal=True).values_list("voter_class").annotate(n=Count("pk")).order_by()
        )
    return [
        {"name": c.name, "issued": issued.get(c.pk, 0), "cast": cast.get(c.pk, 0),
         "percent": round(100 * cast.get(c.pk, 0) / issued[c.pk]) if issued.get(c.pk) else 0}
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
    counts = {
        (row.reporter_id, row.voter_class_id): Counts(row.good, row.fairly_good, row.average, row.poor)
        for row in TallyRow.objects.filter(meeting=meeting)
    }
    comments: dict[int, list[Comment]] = {}
    for comment in meeting.comments.select_related("author").order_by("is_final", "created_at"):
        comments.setdefault(comment.reporter_id, []).append(comment)
    return _result_rows(meeting, counts, comments)


def rehearsal_results(meeting: Meeting) -> tuple[list[ResultRow], list[VoterClass]]:
    """The test tally of a rehearsal whose test voting has ended: from the rehearsal's own
    ballots only (never the real ones), shown like the real results."""
    if meeting.rehearsal != Meeting.Rehearsal.CLOSED:
        return [], []
    marks = (
        RehearsalMark.objects.filter(ballot__meeting=meeting)
        .values_list("reporter_id", "ballot__voter_class_id", "grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    tally: dict[tuple[int, int], dict[str, int]] = {}
    for reporter, class_id, grade, n in marks:
        row = tally.setdefault((reporter, class_id), dict.fromkeys((g.field for g in Grade), 0))
        row[Grade(grade).field] += n
    counts = {key: Counts(**row) for key, row in tally.items()}
    return _result_rows(meeting, counts, {})


def _result_rows(
    meeting: Meeting, counts: dict[tuple[int, int], Counts], comments: dict[int, list[Comment]]
) -> tuple[list[ResultRow], list[VoterClass]]:
    classes = list(meeting.classes.all())
    class_size: dict[int, int] = {}
    for (_reporter, class_id), c in counts.items():
        class_size[class_id] = max(class_size.get(class_id, 0), c.total)
    shown = rules.shown_classes(class_size, meeting.min_class_size)
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


def meeting_suggestions(meeting: Meeting) -> list[str]:
    """The 意见建议 written on the phone ballots, once voting has closed: the texts alone, sorted
    by their wording, with nothing of the ballot they came from (no grades, no class, no order of
    casting)."""
    if not meeting.results_visible:
        return []
    texts = Ballot.objects.filter(meeting=meeting).exclude(suggestion="").values_list("suggestion", flat=True)
    return sorted(texts.order_by())
