import csv
import hashlib
import io
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext as _

from shuzhi.ballots import rules
from shuzhi.ballots.models import (
    Ballot,
    BallotMark,
    CodeUse,
    Comment,
    Meeting,
    RehearsalMark,
    TallyRow,
    VoterClass,
)
from shuzhi.core.access import get_scoped_or_404
from shuzhi.core.grades import Counts, Grade
from shuzhi.core.models import AuditEvent
from shuzhi.cycles.models import Cycle, Reporter
from shuzhi.cycles.selectors import can_manage, cycles_visible_to


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
    return _shown_of(meeting, counts)


def _shown_of(meeting: Meeting, counts: dict[tuple[int, int], Counts]) -> set[int]:
    """The rule of `classes_shown` on these counts (a class's size: its most ballots on a reporter)."""
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
    counts = {
        (row.reporter_id, row.voter_class_id): Counts(row.good, row.fairly_good, row.average, row.poor)
        for row in TallyRow.objects.filter(meeting=meeting)
    }
    comments: dict[int, list[Comment]] = {}
    for comment in meeting.comments.select_related("author").order_by("is_final", "created_at"):
        comments.setdefault(comment.reporter_id, []).append(comment)
    return _result_rows(meeting, counts, comments)


def screen_rows(meeting: Meeting) -> list["ResultRow"]:
    """What the big screen shows below the turnout: during a rehearsal its test tally (to try the
    screen out), otherwise the results once voting has closed, if they are announced."""
    if meeting.rehearsal:
        return rehearsal_results(meeting)[0]
    return meeting_results(meeting)[0] if meeting.announce else []


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
    shown = _shown_of(meeting, counts)  # the one rule (classes_shown)
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


# ---- the ballot archive (原始票据) ------------------------------------------------------------------

ARCHIVE_ACTION = "meeting.close"  # the audit event that carries the archive's digest
ARCHIVE_DIGEST_KEY = "ballot_archive_sha256"


def ballot_archive(meeting: Meeting) -> bytes:
    """The meeting's phone ballots as its original record (原始票据), a UTF-8 CSV: one row per
    ballot with its voter class and each reporter's grade (and item scores), in the order of the
    ballots' random ids, drawn afresh when voting closed (services._ballots_unlink): an order
    that says nothing about casting. Nothing links a row to a code. Suggestions are not on it
    (their wording could name the writer, and with them every grade). A class too small to be
    shown alone (the rule of `classes_shown`, on these ballots) is written as 其他类别, never by name. The same ballots make the
    same bytes, so the digest taken at closing (`ballot_archive_digest`) checks the file."""
    reporters = agenda_reporters(meeting)
    sizes = dict(
        Ballot.objects.filter(meeting=meeting).values_list("voter_class").annotate(n=Count("pk")).order_by()
    )
    shown = rules.shown_classes(sizes, meeting.min_class_size)  # the rule, on the ballots archived
    names = {c.pk: c.name if c.pk in shown else "其他类别（合并）" for c in meeting.classes.all()}
    items = list(meeting.items or [])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        ["序号", "投票人类别", *(r.organization.name for r in reporters),
         *(f"{r.organization.name}·{item}" for r in reporters for item in items)]
    )  # fmt: skip
    scores_column = "m.scores::text" if connection.vendor == "postgresql" else "m.scores"
    query = (
        f"SELECT m.ballot_id, b.voter_class_id, m.reporter_id, m.grade, {scores_column} "  # noqa: S608
        f"FROM {BallotMark._meta.db_table} m JOIN {Ballot._meta.db_table} b ON b.id = m.ballot_id "
        "WHERE b.meeting_id = %s ORDER BY m.ballot_id"
    )
    position = {r.pk: i for i, r in enumerate(reporters)}
    number, current, row = 0, None, None

    def flush() -> None:
        if row is not None:
            grades, scores = row[2], row[3]
            writer.writerow([row[0], row[1], *grades, *(v for values in scores for v in values)])

    with connection.cursor() as cursor:
        cursor.execute(query, [meeting.pk])
        marks = cursor.fetchall()
    for ballot, class_id, reporter, grade, scores in marks:
        if ballot != current:
            flush()
            number, current = number + 1, ballot
            row = [
                number,
                names.get(class_id, ""),
                [""] * len(reporters),
                [[""] * len(items) for _r in reporters],
            ]
        if reporter in position:
            row[2][position[reporter]] = grade
            if items:
                row[3][position[reporter]] = (list(json.loads(scores or "[]")) + [""] * len(items))[
                    : len(items)
                ]
    flush()
    return ("\ufeff" + buffer.getvalue()).encode()  # the BOM: Excel opens it as UTF-8


def ballot_archive_sha256(meeting: Meeting) -> str:
    return hashlib.sha256(ballot_archive(meeting)).hexdigest()


def ballot_archive_digest(meeting: Meeting) -> str | None:
    """The SHA-256 of the ballot archive as taken when voting closed, from the audit log (the
    closing event carries it, hash-chained); None before closing. For the tally page and the
    计票单."""
    event = (
        AuditEvent.objects.filter(
            action=ARCHIVE_ACTION, target_type=Meeting._meta.label_lower, target_id=str(meeting.pk)
        )
        .order_by("-seq")
        .values_list("changes", flat=True)
        .first()
    )
    return (event or {}).get(ARCHIVE_DIGEST_KEY)


def meetings_to_comment(viewer):
    """Meetings of the viewer's subtree whose 点评 are still open (the count not confirmed)."""
    return (
        Meeting.objects.filter(cycle__in=cycles_visible_to(viewer))
        .exclude(status=Meeting.Status.TALLIED)
        .select_related("cycle")
        .order_by("held_on", "id")
    )


def rollup_meetings(viewer, cycles: list) -> dict:
    """The roll-up's 会议 column: each cycle's meeting and where it stands (one query)."""
    from django.urls import reverse

    from shuzhi.cycles.hooks import Cell

    labels = dict(Meeting.Status.choices)
    rows = Meeting.objects.filter(cycle_id__in=[c.pk for c in cycles]).values_list("cycle_id", "pk", "status")
    return {
        cycle_id: Cell(text=str(labels[status]), link=reverse("ballots:meeting", args=[pk]), title=_("评议会议"))
        for cycle_id, pk, status in rows
    }  # fmt: skip
