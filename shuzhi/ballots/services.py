import json
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.ballots import rules, selectors
from shuzhi.ballots.models import (
    Ballot,
    BallotCode,
    BallotMark,
    CodeUse,
    Comment,
    Meeting,
    PaperCount,
    PaperTally,
    Scrutineer,
    TallyRow,
    VoterClass,
)
from shuzhi.core.errors import field_error
from shuzhi.core.grades import Counts, Grade
from shuzhi.core.protection import keyed_hash
from shuzhi.core.roles import Role
from shuzhi.core.secrecy import rewrite_allowed, rewrite_shuffled
from shuzhi.core.services import audit_record
from shuzhi.cycles.models import Cycle, Reporter

CODE_PURPOSE = "ballot-code"
MAX_CODES_PER_CLASS = 5000
SETTINGS = ("title", "held_on", "items", "item_max", "allow_suggestion", "max_good_count", "max_good_percent",
            "min_class_size", "announce")  # fmt: skip


def _check_owner(actor, meeting_or_cycle) -> None:
    cycle = meeting_or_cycle if isinstance(meeting_or_cycle, Cycle) else meeting_or_cycle.cycle
    if actor.role != Role.ORGANISER or actor.organization_id != cycle.organization_id:
        raise ValidationError(_("只有本周期组织单位的组织部账号可以管理评议会议。"), code="not_owner")


def _check_prepared(meeting: Meeting) -> None:
    if meeting.is_frozen:
        raise ValidationError(
            _("投票已开始，测评表、测评对象和投票人类别已锁定，不能再修改。"), code="frozen"
        )


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("cycle").get(pk=meeting.pk)


def _settings_problems(values: Mapping[str, Any]) -> None:
    if values.get("max_good_percent") is not None and not 0 < values["max_good_percent"] <= 100:
        raise field_error("max_good_percent", _("“好”的最高比例应为 1 到 100。"), "range")
    items = values.get("items") or []
    if len(set(items)) != len(items):
        raise field_error("items", _("测评项目名称不能重复。"), "duplicate")
    if len(items) > 30:
        raise field_error("items", _("测评项目最多 30 项。"), "too_many")


@transaction.atomic
def meeting_create(*, actor, cycle: Cycle, **values: Any) -> Meeting:
    _check_owner(actor, cycle)
    if cycle.status not in (Cycle.Status.REPORTS_OPEN, Cycle.Status.MEETING):
        raise ValidationError(_("请在周期开始撰写报告之后、考核评定之前安排评议会议。"), code="cycle_state")
    if Meeting.objects.filter(cycle=cycle).exists():
        raise ValidationError(_("本周期已有评议会议。"), code="exists")
    _settings_problems(values)
    meeting = Meeting(cycle=cycle, **{k: v for k, v in values.items() if k in SETTINGS})
    meeting.full_clean()
    meeting.save()
    audit_record(actor=actor, action="meeting.create", target=meeting, org_path=cycle.org_path,
                 after={k: getattr(meeting, k) for k in SETTINGS})  # fmt: skip
    return meeting


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, **values: Any) -> Meeting:
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    _check_prepared(meeting)
    _settings_problems(values)
    before = {k: getattr(meeting, k) for k in SETTINGS}
    for name, value in values.items():
        if name in SETTINGS:
            setattr(meeting, name, value)
    meeting.full_clean()
    meeting.save()
    audit_record(actor=actor, action="meeting.update", target=meeting, org_path=meeting.cycle.org_path,
                 before=before, after={k: getattr(meeting, k) for k in SETTINGS})  # fmt: skip
    return meeting


@transaction.atomic
def voter_class_add(*, actor, meeting: Meeting, name: str, ballots: int) -> VoterClass:
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    _check_prepared(meeting)
    if not 0 < ballots <= MAX_CODES_PER_CLASS:
        raise field_error("ballots", _("票数应为 1 到 %(max)d。") % {"max": MAX_CODES_PER_CLASS}, "range")
    last = meeting.classes.aggregate(last=Max("position"))["last"] or 0
    voter_class = VoterClass(meeting=meeting, name=name.strip(), ballots=ballots, position=last + 1)
    voter_class.full_clean()
    voter_class.save()
    audit_record(actor=actor, action="meeting.class_add", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"class": voter_class.name, "ballots": ballots})  # fmt: skip
    return voter_class


@transaction.atomic
def voter_class_remove(*, actor, voter_class: VoterClass) -> None:
    meeting = _locked(voter_class.meeting)
    _check_owner(actor, meeting)
    _check_prepared(meeting)
    audit_record(actor=actor, action="meeting.class_remove", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"class": voter_class.name})  # fmt: skip
    voter_class.codes.all().delete()
    voter_class.delete()


@transaction.atomic
def codes_issue(*, actor, meeting: Meeting) -> int:
    """Make the one-time codes each class still lacks (as many as its ballots); return how many."""
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    _check_prepared(meeting)
    serial = meeting.codes.aggregate(last=Max("serial"))["last"] or 0
    have = dict(meeting.codes.values("voter_class").annotate(n=Count("pk")).values_list("voter_class", "n"))
    new = []
    for voter_class in meeting.classes.all():
        for _i in range(voter_class.ballots - have.get(voter_class.pk, 0)):
            serial += 1
            token = secrets.token_urlsafe(12)  # 96 bits: not guessable, short enough for a QR slip
            new.append(BallotCode(meeting=meeting, voter_class=voter_class, serial=serial,
                                  token_hash=keyed_hash(token, purpose=CODE_PURPOSE), token=token))  # fmt: skip
    BallotCode.objects.bulk_create(new, batch_size=1000)
    if new:
        audit_record(actor=actor, action="meeting.codes_issue", target=meeting, org_path=meeting.cycle.org_path,
                     extra={"codes": len(new)})  # fmt: skip
    return len(new)


def meeting_agenda(cycle: Cycle) -> list[int]:
    """Every reporter of the cycle: on-site ones in their order, then the written ones."""
    reporters = cycle.reporters.order_by("mode", "position", "id").values_list("pk", flat=True)
    return list(reporters)


@transaction.atomic
def voting_open(*, actor, meeting: Meeting) -> Meeting:
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    _check_prepared(meeting)
    problems = []
    if meeting.cycle.status != Cycle.Status.MEETING:
        problems.append(_("请先把周期推进到“评议会议”阶段。"))
    classes = list(meeting.classes.annotate(n=Count("codes")))
    if not classes:
        problems.append(_("还没有设置投票人类别。"))
    if any(c.n < c.ballots for c in classes):
        problems.append(_("还有类别的票码没有生成，请先生成票码。"))
    if problems:
        raise ValidationError([ValidationError(p, code="not_ready") for p in problems])
    meeting.agenda = meeting_agenda(meeting.cycle)
    meeting.status, meeting.opened_at = Meeting.Status.VOTING_OPEN, timezone.now()
    meeting.save(update_fields=["agenda", "status", "opened_at", "updated_at"])
    audit_record(actor=actor, action="meeting.open", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"reporters": len(meeting.agenda), "classes": {c.name: c.ballots for c in classes},
                        "items": meeting.items, "max_good_count": meeting.max_good_count,
                        "max_good_percent": meeting.max_good_percent})  # fmt: skip
    return meeting


@transaction.atomic
def voting_close(*, actor, meeting: Meeting) -> Meeting:
    """Close voting; the phone ballots are counted at once. Waits for ballots being cast."""
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    if meeting.status != Meeting.Status.VOTING_OPEN:
        raise ValidationError(_("只有投票中的会议可以结束投票。"), code="not_open")
    meeting.status, meeting.closed_at = Meeting.Status.VOTING_CLOSED, timezone.now()
    meeting.save(update_fields=["status", "closed_at", "updated_at"])
    ballots = _ballots_unlink(meeting)
    rows = tally_rebuild(meeting=meeting)
    audit_record(actor=actor, action=selectors.ARCHIVE_ACTION, target=meeting, org_path=meeting.cycle.org_path,
                 extra={"phone_ballots": ballots, "tally_rows": rows, "rewritten_in_random_order": True,
                        selectors.ARCHIVE_DIGEST_KEY: selectors.ballot_archive_sha256(meeting)})  # fmt: skip
    return meeting


def _ballots_unlink(meeting: Meeting) -> int:
    """Forget the order of casting, the one thing that still pairs a used code with its ballot.

    While the vote is open, each phone ballot is stored in one transaction with its used code:
    the two rows are separate and share no column, but the storage pairs them anyway (the same
    writing transaction and neighbouring positions on PostgreSQL, the same rank of the hidden
    rowid on SQLite). At closing, in the closing transaction, the meeting's used codes and its
    ballots with their marks are written again in two independent random orders, with fresh
    random ballot and mark ids (core.secrecy.rewrite_shuffled): afterwards every one of them
    has the closing transaction as its writer and a position that says nothing. This is the only
    place where the ballots' append-only trigger lets ballot rows be deleted (migration 0005),
    and it is audited as part of `meeting.close`. Returns the number of phone ballots.

    What remains is said in the README: someone watching the live database during the vote."""
    with rewrite_allowed(f"ballots.meeting:{meeting.pk}"):
        rewrite_shuffled(CodeUse.objects.filter(meeting=meeting), at=meeting.closed_at)
        return rewrite_shuffled(
            Ballot.objects.filter(meeting=meeting), children=[(BallotMark, "ballot")], at=meeting.closed_at
        )


# ---- casting -----------------------------------------------------------------------------------


def code_lookup(token: str) -> BallotCode | None:
    """The code with its meeting and class, found by its keyed hash. The sealed copy of the code
    (kept for printing slips again) is not read."""
    if not token or len(token) > 64:
        return None
    found = (
        BallotCode.objects.select_related("meeting", "voter_class")
        .defer("token")
        .filter(token_hash=keyed_hash(token, purpose=CODE_PURPOSE))
        .order_by()[:1]
    )
    return next(iter(found), None)


def closed_message(meeting: Meeting) -> str:
    if meeting.status == Meeting.Status.PREPARED:
        return _("投票尚未开始，请等待主持人宣布开始投票后再提交。")
    return _("投票已经结束，不能再提交。")


# On PostgreSQL the used-code row, the ballot and its marks go in with one statement: a ballot of 30
# reporters costs one round trip instead of a savepoint and three inserts, whose Python side (31
# model instances) was most of the cost of casting. A code already used inserts nothing at all:
# ON CONFLICT on the used-code table's primary key, the constraint that makes a code count once
# (a second casting of the same code waits there until the first commits or rolls back). The
# ballot and the marks get random ids from the server, and nothing from the code.
STORE_BALLOT = """
WITH used AS (
    INSERT INTO ballots_codeuse (code_id, meeting_id, voter_class_id)
    VALUES (%(code)s, %(meeting)s, %(voter_class)s)
    ON CONFLICT (code_id) DO NOTHING
    RETURNING meeting_id, voter_class_id
), ballot AS (
    INSERT INTO ballots_ballot (id, meeting_id, voter_class_id, suggestion)
    SELECT gen_random_uuid(), meeting_id, voter_class_id, %(suggestion)s FROM used
    RETURNING id
), marks AS (
    INSERT INTO ballots_ballotmark (id, ballot_id, reporter_id, grade, scores)
    SELECT gen_random_uuid(), ballot.id, mark.reporter, mark.grade, mark.scores
    FROM ballot, jsonb_to_recordset(%(marks)s::jsonb) AS mark(reporter bigint, grade varchar, scores jsonb)
)
SELECT count(*) FROM used
"""
CASTING_FIELDS = (
    "m.id, m.status, m.agenda, m.items, m.item_max, m.allow_suggestion, m.max_good_count, m.max_good_percent"
)


def _meeting_for_casting(token: str) -> Meeting | None:
    """The code's meeting, its status and ballot rules, with the code as `code_pk` and
    `code_class_id`: one query, inside the casting transaction. On PostgreSQL the meeting row is
    locked FOR SHARE: ballots go in side by side, and closing, which locks it for update, waits
    until they are in. SQLite serialises writing transactions from their BEGIN on."""
    if not token or len(token) > 64:
        return None
    lock = " FOR SHARE OF m" if connection.vendor == "postgresql" else ""
    query = (
        f"SELECT {CASTING_FIELDS}, c.id AS code_pk, c.voter_class_id AS code_class_id FROM ballots_ballotcode c "  # noqa: S608
        f"JOIN ballots_meeting m ON m.id = c.meeting_id WHERE c.token_hash = %s{lock}"
    )
    return next(iter(Meeting.objects.raw(query, [keyed_hash(token, purpose=CODE_PURPOSE)])), None)


def _ballot_problems(
    meeting: Meeting,
    grades: Mapping[int, str],
    scores: Mapping[int, Sequence[object]] | None,
    suggestion: str,
) -> list[str]:
    def check(names: Mapping[int, str]) -> list[str]:
        return rules.ballot_problems(
            grades, agenda=meeting.agenda, names=names, max_good_count=meeting.max_good_count,
            max_good_percent=meeting.max_good_percent, items=len(meeting.items), item_max=meeting.item_max,
            scores=scores,
        )  # fmt: skip

    problems = check({})
    if problems:  # name the reporters in the messages: one more query, only for a ballot sent back
        problems = check(
            dict(Reporter.objects.filter(pk__in=meeting.agenda).values_list("pk", "organization__name"))
        )
    if meeting.allow_suggestion and len(suggestion) > 500:
        problems.append(_("意见建议请控制在 500 字以内。"))
    return problems


def _ballot_store(
    *,
    meeting: Meeting,
    grades: Mapping[int, str],
    scores: Mapping[int, Sequence[object]] | None,
    suggestion: str,
) -> bool:
    """Mark the code used and store the ballot; False, and no row, if the code was used already."""
    marks = [
        {"reporter": reporter, "grade": grades[reporter], "scores": list((scores or {}).get(reporter, []))}
        for reporter in meeting.agenda
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(STORE_BALLOT, {"code": meeting.code_pk, "meeting": meeting.pk, "voter_class": meeting.code_class_id,
                                          "suggestion": suggestion, "marks": json.dumps(marks)})  # fmt: skip
            return cursor.fetchone()[0] == 1
    try:
        with transaction.atomic():
            CodeUse.objects.create(
                code_id=meeting.code_pk, meeting=meeting, voter_class_id=meeting.code_class_id
            )
    except IntegrityError:
        return False
    ballot = Ballot.objects.create(
        meeting=meeting, voter_class_id=meeting.code_class_id, suggestion=suggestion
    )
    BallotMark.objects.bulk_create(
        BallotMark(ballot=ballot, reporter_id=mark["reporter"], grade=mark["grade"], scores=mark["scores"])
        for mark in marks
    )
    return True


@transaction.atomic
def ballot_cast(
    *,
    token: str,
    meeting_id: int | None = None,
    grades: Mapping[int, str],
    scores: Mapping[int, Sequence[object]] | None = None,
    suggestion: str = "",
) -> None:
    """Record one phone ballot: the code is marked used and the ballot stored, apart, in one
    transaction. Any refusal raises ValidationError and leaves no row at all."""
    meeting = _meeting_for_casting(token)
    if meeting is None:
        raise ValidationError(_("二维码无效，请核对后重新扫码。"), code="unknown_code")
    if meeting_id is not None and meeting_id != meeting.pk:
        raise ValidationError(_("该二维码不属于本次会议。"), code="wrong_meeting")
    if meeting.status != Meeting.Status.VOTING_OPEN:
        raise ValidationError(closed_message(meeting), code="closed")
    scores = scores if meeting.items else None  # item scores only where the form asks for them
    problems = _ballot_problems(meeting, grades, scores, suggestion)
    if problems:
        raise ValidationError([ValidationError(p, code="invalid_ballot") for p in problems])
    stored = _ballot_store(meeting=meeting, grades=grades, scores=scores,
                           suggestion=suggestion.strip() if meeting.allow_suggestion else "")  # fmt: skip
    if not stored:
        raise ValidationError(_("该二维码已经投过票，每个二维码只能投一次。"), code="used")


# ---- paper ballots -------------------------------------------------------------------------------


def _check_paper_stage(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.VOTING_CLOSED:
        raise ValidationError(_("纸质票在投票结束后、计票确认前录入。"), code="paper_stage")


@transaction.atomic
def paper_tally_enter(
    *, actor, meeting: Meeting, voter_class: VoterClass, entry: int, counts: Mapping[int, Counts]
) -> None:
    """One of the two entries of a class's paper count; the second must be by someone else."""
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    _check_paper_stage(meeting)
    if entry not in (1, 2):
        raise field_error("entry", _("录入轮次只能是第一遍或第二遍。"), "entry")
    other = (
        PaperTally.objects.filter(meeting=meeting, voter_class=voter_class, entry=3 - entry)
        .values_list("entered_by", flat=True)
        .first()
    )
    if other is not None and other == actor.pk:
        raise ValidationError(
            _("两遍录入须由两个不同的人完成；请另一位同志录入第%(n)s遍。") % {"n": "一二"[entry - 1]},
            code="same_person",
        )
    unknown = set(counts) - set(meeting.agenda)
    if unknown:
        raise ValidationError(_("录入了不属于本次会议的测评对象。"), code="unknown_reporter")
    PaperTally.objects.filter(meeting=meeting, voter_class=voter_class, entry=entry).delete()
    PaperTally.objects.bulk_create(
        PaperTally(meeting=meeting, voter_class=voter_class, reporter_id=reporter, entry=entry, entered_by=actor,
                   good=c.good, fairly_good=c.fairly_good, average=c.average, poor=c.poor)
        for reporter, c in counts.items()
    )  # fmt: skip
    audit_record(actor=actor, action="meeting.paper_entry", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"class": voter_class.name, "entry": entry,
                        "counts": {str(r): [c.good, c.fairly_good, c.average, c.poor] for r, c in counts.items()}})  # fmt: skip


@transaction.atomic
def paper_count_enter(
    *, actor, meeting: Meeting, voter_class: VoterClass, issued: int, returned: int, valid: int, invalid: int
) -> PaperCount:
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    _check_paper_stage(meeting)
    problems = rules.paper_count_problems(issued=issued, returned=returned, valid=valid, invalid=invalid)
    if problems:
        raise ValidationError([ValidationError(p, code="paper_count") for p in problems])
    count, _created = PaperCount.objects.update_or_create(
        voter_class=voter_class,
        defaults={"meeting": meeting, "issued": issued, "returned": returned, "valid": valid, "invalid": invalid,
                  "entered_by": actor},
    )  # fmt: skip
    audit_record(actor=actor, action="meeting.paper_count", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"class": voter_class.name, "issued": issued, "returned": returned, "valid": valid, "invalid": invalid})  # fmt: skip
    return count


def paper_entries(meeting: Meeting) -> dict[int, dict[tuple[int, int], Counts]]:
    """entry (1, 2) → (class id, reporter id) → counts."""
    entries: dict[int, dict[tuple[int, int], Counts]] = {1: {}, 2: {}}
    for row in PaperTally.objects.filter(meeting=meeting):
        entries[row.entry][(row.voter_class_id, row.reporter_id)] = Counts(
            row.good, row.fairly_good, row.average, row.poor
        )
    return entries


def paper_problems(meeting: Meeting) -> list[str]:
    """What stops the paper count from being final: entries that disagree or are missing, counts
    that do not add up to the valid ballots."""
    entries = paper_entries(meeting)
    counts = {c.voter_class_id: c for c in PaperCount.objects.filter(meeting=meeting)}
    classes = {c.pk: c.name for c in meeting.classes.all()}
    names = dict(Reporter.objects.filter(pk__in=meeting.agenda).values_list("pk", "organization__name"))
    problems = []
    for class_id, reporter in rules.paper_differences(entries[1], entries[2]):
        problems.append(
            _("%(cls)s · %(name)s：两遍录入不一致。")
            % {"cls": classes.get(class_id, "?"), "name": names.get(reporter, reporter)}
        )
    entered = {class_id for class_id, _r in entries[1]} | {class_id for class_id, _r in entries[2]}
    for class_id in entered | set(counts):
        count = counts.get(class_id)
        if count is None:
            problems.append(
                _("%(cls)s：请录入纸质票的发出、收回、有效、无效票数。") % {"cls": classes.get(class_id, "?")}
            )
            continue
        for reporter in meeting.agenda:
            found = entries[1].get((class_id, reporter))
            if (found.total if found else 0) != count.valid:
                problems.append(
                    _("%(cls)s · %(name)s：各等次票数之和应等于有效票 %(valid)d 张。")
                    % {
                        "cls": classes.get(class_id, "?"),
                        "name": names.get(reporter, reporter),
                        "valid": count.valid,
                    }
                )
    return problems


@transaction.atomic
def scrutineer_add(*, actor, meeting: Meeting, name: str) -> Scrutineer:
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    if meeting.status == Meeting.Status.TALLIED:
        raise ValidationError(_("计票已确认，不能再增加监票人。"), code="tallied")
    scrutineer = Scrutineer(meeting=meeting, name=name.strip())
    scrutineer.full_clean()
    scrutineer.save()
    audit_record(
        actor=actor,
        action="meeting.scrutineer_add",
        target=meeting,
        org_path=meeting.cycle.org_path,
        extra={"name": scrutineer.name},
    )
    return scrutineer


@transaction.atomic
def scrutineer_sign(*, actor, scrutineer: Scrutineer) -> Scrutineer:
    """The scrutineer has checked the count and signs (recorded by the account that entered it)."""
    meeting = _locked(scrutineer.meeting)
    _check_owner(actor, meeting)
    if meeting.status != Meeting.Status.VOTING_CLOSED:
        raise ValidationError(_("投票结束后才能签字确认计票。"), code="not_closed")
    problems = paper_problems(meeting)
    if problems:
        raise ValidationError([ValidationError(p, code="paper") for p in problems])
    scrutineer.signed_at, scrutineer.signed_by = timezone.now(), actor
    scrutineer.save(update_fields=["signed_at", "signed_by", "updated_at"])
    audit_record(
        actor=actor,
        action="meeting.scrutineer_sign",
        target=meeting,
        org_path=meeting.cycle.org_path,
        extra={"name": scrutineer.name},
    )
    return scrutineer


@transaction.atomic
def meeting_tally(*, actor, meeting: Meeting) -> Meeting:
    """Make the count final: phone and paper together, every scrutineer signed."""
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    if meeting.status != Meeting.Status.VOTING_CLOSED:
        raise ValidationError(_("只有投票已结束的会议可以确认计票。"), code="not_closed")
    problems = paper_problems(meeting)
    scrutineers = list(meeting.scrutineers.all())
    if not scrutineers:
        problems.append(_("请先确定监票人。"))
    problems += [
        _("监票人%(name)s还没有签字确认。") % {"name": s.name} for s in scrutineers if not s.signed_at
    ]
    if problems:
        raise ValidationError([ValidationError(p, code="not_ready") for p in problems])
    rows = tally_rebuild(meeting=meeting)
    meeting.status = Meeting.Status.TALLIED
    meeting.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="meeting.tally", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"tally_rows": rows, "scrutineers": [s.name for s in scrutineers]})  # fmt: skip
    return meeting


def tally_counts(meeting: Meeting) -> dict[tuple[int, int], dict[str, int]]:
    """(reporter id, class id) → counts of each grade, and how many came by phone and on paper:
    the phone ballots in one GROUP BY, plus the paper counts whose two entries agree."""
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys((*(g.field for g in Grade), "phone", "paper"), 0)
    )
    marks = (
        BallotMark.objects.filter(ballot__meeting=meeting)
        .values_list("reporter_id", "ballot__voter_class_id", "grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    for reporter, class_id, grade, n in marks:
        row = counts[(reporter, class_id)]
        row[Grade(grade).field] += n
        row["phone"] += n
    entries = paper_entries(meeting)
    for (class_id, reporter), paper in entries[1].items():
        if entries[2].get((class_id, reporter)) != paper:
            continue  # only agreed counts; meeting_tally refuses while any disagree
        row = counts[(reporter, class_id)]
        for grade in Grade:
            row[grade.field] += paper[grade]
        row["paper"] += paper.total
    return counts


def tally_rebuild(*, meeting: Meeting) -> int:
    """Store the count per reporter and class (TallyRow), phone and paper together."""
    counts = tally_counts(meeting)
    TallyRow.objects.filter(meeting=meeting).delete()
    TallyRow.objects.bulk_create(
        TallyRow(meeting=meeting, reporter_id=reporter, voter_class_id=class_id, **values)
        for (reporter, class_id), values in counts.items()
    )
    return len(counts)


# ---- 点评 ----------------------------------------------------------------------------------------


@transaction.atomic
def comment_add(
    *, actor, meeting: Meeting, reporter: Reporter, text: str, portfolio: str = "", is_final: bool = False
) -> Comment:
    """A committee member's comment on a reporter, or the final one (organiser or reviewer)."""
    if actor.role not in (Role.REVIEWER, Role.ORGANISER):
        raise ValidationError(_("只有评议人和组织部可以点评。"), code="not_reviewer")
    if not meeting.cycle.org_path.startswith(actor.organization.path):
        raise ValidationError(_("只能点评本级及下级组织的述职人。"), code="outside")
    if reporter.pk not in (meeting.agenda or meeting_agenda(meeting.cycle)):
        raise ValidationError(_("该述职人不在本次会议中。"), code="not_on_agenda")
    comment = Comment(
        meeting=meeting,
        reporter=reporter,
        author=actor,
        portfolio=portfolio.strip(),
        text=text.strip(),
        is_final=is_final,
    )
    comment.full_clean()
    comment.save()
    audit_record(actor=actor, action="meeting.comment", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"reporter": reporter.organization.name, "final": is_final, "chars": len(comment.text)})  # fmt: skip
    return comment
