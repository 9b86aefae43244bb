import hashlib
import json
import secrets
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shuzhi.accounts.models import User
from shuzhi.ballots import rules, selectors
from shuzhi.ballots.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Ballot,
    BallotCode,
    BallotMark,
    CodeUse,
    Comment,
    Meeting,
    PaperCount,
    PaperTally,
    RehearsalBallot,
    RehearsalMark,
    Scrutineer,
    TallyRow,
    VoterClass,
)
from shuzhi.core.errors import field_error
from shuzhi.core.grades import Counts, Grade
from shuzhi.core.protection import keyed_hash
from shuzhi.core.roles import Role
from shuzhi.core.secrecy import rewrite_allowed, rewrite_shuffled
from shuzhi.core.services import audit_record, notify
from shuzhi.cycles import rules as cycle_rules
from shuzhi.cycles.models import Cycle, Reporter
from shuzhi.orgs.services import ancestor_paths

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
    if meeting.rehearsal:
        raise ValidationError(
            _("彩排还没有清除：请先“清除彩排数据”，再修改设置、生成票码或开始正式投票。"), code="rehearsal"
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


def _scheme_class(meeting: Meeting, name: str, scheme_class: str | None) -> str:
    """The scheme class a voter class counts under: the one chosen, which the cycle's scheme must
    name; when none is chosen (None), the scheme class of the same name if there is one."""
    named = cycle_rules.scheme_classes(meeting.cycle.scheme or {})
    if scheme_class is None:
        return name if name in named else ""
    scheme_class = scheme_class.strip()
    if scheme_class and scheme_class not in named:
        raise field_error(
            "scheme_class",
            _("考核方案中没有“%(name)s”类别，可选：%(choices)s，或留空计入“其他”。")
            % {"name": scheme_class, "choices": "、".join(named) or _("（无）")},
            "unknown_scheme_class",
        )
    return scheme_class


@transaction.atomic
def voter_class_add(
    *, actor, meeting: Meeting, name: str, ballots: int, scheme_class: str | None = None
) -> VoterClass:
    """Add a kind of voter; `scheme_class` is the class of the cycle's scheme its ballots count
    under ("" for the pooled others; None: the scheme class of the same name, if any)."""
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    _check_prepared(meeting)
    if not 0 < ballots <= MAX_CODES_PER_CLASS:
        raise field_error("ballots", _("票数应为 1 到 %(max)d。") % {"max": MAX_CODES_PER_CLASS}, "range")
    name = name.strip()
    last = meeting.classes.aggregate(last=Max("position"))["last"] or 0
    voter_class = VoterClass(meeting=meeting, name=name, ballots=ballots, position=last + 1,
                             scheme_class=_scheme_class(meeting, name, scheme_class))  # fmt: skip
    voter_class.full_clean()
    voter_class.save()
    audit_record(actor=actor, action="meeting.class_add", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"class": voter_class.name, "ballots": ballots, "scheme_class": voter_class.scheme_class})  # fmt: skip
    return voter_class


@transaction.atomic
def voter_class_point(*, actor, voter_class: VoterClass, scheme_class: str) -> VoterClass:
    """Set which class of the scheme a voter class counts under ("" for the pooled others)."""
    meeting = _locked(voter_class.meeting)
    _check_owner(actor, meeting)
    _check_prepared(meeting)
    before = voter_class.scheme_class
    voter_class.scheme_class = _scheme_class(meeting, voter_class.name, scheme_class)
    voter_class.save(update_fields=["scheme_class", "updated_at"])
    audit_record(actor=actor, action="meeting.class_point", target=meeting, org_path=meeting.cycle.org_path,
                 before={"scheme_class": before}, after={"scheme_class": voter_class.scheme_class},
                 extra={"class": voter_class.name})  # fmt: skip
    return voter_class


def scheme_class_problems(meeting: Meeting, classes: Sequence[VoterClass]) -> list[str]:
    """The weighted classes of the cycle's scheme that no voter class of the meeting counts
    under: their weight would silently go to the others, so voting may not open."""
    pointed = {c.scheme_class for c in classes if c.scheme_class}
    scheme = meeting.cycle.scheme or {}
    weights = scheme.get("class_weights") or {}
    problems = []
    for name in cycle_rules.required_scheme_classes(scheme):
        if name not in pointed:
            problems.append(
                _("考核方案给“%(name)s”类别 %(weight)d%% 的权重，但本次会议没有投票人类别计入该类；"
                  "请在投票人类别中选定计入“%(name)s”的类别（例如区委常委），或修改考核方案。")
                % {"name": name, "weight": weights[name]}
            )  # fmt: skip
    return problems


@transaction.atomic
def voter_class_remove(*, actor, voter_class: VoterClass) -> None:
    meeting = _locked(voter_class.meeting)
    _check_owner(actor, meeting)
    _check_prepared(meeting)
    audit_record(actor=actor, action="meeting.class_remove", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"class": voter_class.name})  # fmt: skip
    voter_class.codes.all().delete()
    voter_class.delete()


def shuffled(items) -> list:
    """The items in a random order (the operating system's generator): slips are printed so, so
    that the order of a pile of slips says nothing about who was handed which."""
    items = list(items)
    secrets.SystemRandom().shuffle(items)
    return items


def slips_printed(*, actor, meeting: Meeting, codes: int, format: str, serial: str, rehearsal: bool) -> None:
    """Record that slips (the codes themselves) were printed or downloaded, and by whom."""
    audit_record(actor=actor, action="meeting.slips", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"codes": codes, "format": format, "serial": serial, "rehearsal": rehearsal})  # fmt: skip


def suggestions_read(*, actor, meeting: Meeting) -> list[str]:
    """The 意见建议 for those who run the meeting, once voting has closed; reading them is audited."""
    texts = selectors.meeting_suggestions(meeting)
    if meeting.results_visible:
        audit_record(actor=actor, action="meeting.suggestions_read", target=meeting,
                     org_path=meeting.cycle.org_path, extra={"suggestions": len(texts)})  # fmt: skip
    return texts


def new_code() -> str:
    """A fresh short ballot code (models.CODE_ALPHABET, CODE_LENGTH characters)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def code_normalise(typed: str) -> str:
    """A code as a person typed it (lower case, spaces, a dash, full-width letters) in the form it
    was made in; a code made before short codes is kept as typed."""
    text = unicodedata.normalize("NFKC", typed or "").strip()
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(compact) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in compact):
        return compact
    return text


def _code_new(meeting: Meeting, voter_class: VoterClass, serial: int) -> BallotCode:
    token = new_code()
    return BallotCode(meeting=meeting, voter_class=voter_class, serial=serial,
                      token_hash=keyed_hash(token, purpose=CODE_PURPOSE), token=token)  # fmt: skip


@transaction.atomic
def codes_issue(*, actor, meeting: Meeting) -> int:
    """Make the one-time codes each class still lacks (as many as its ballots); return how many."""
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    _check_prepared(meeting)
    serial = meeting.codes.aggregate(last=Max("serial"))["last"] or 0
    have = dict(
        meeting.codes.filter(voided_at__isnull=True, rehearsal=False)
        .values("voter_class")
        .annotate(n=Count("pk"))
        .values_list("voter_class", "n")
    )
    new = []
    for voter_class in meeting.classes.all():
        for _i in range(voter_class.ballots - have.get(voter_class.pk, 0)):
            serial += 1
            new.append(_code_new(meeting, voter_class, serial))
    BallotCode.objects.bulk_create(new, batch_size=1000)
    if new:
        audit_record(actor=actor, action="meeting.codes_issue", target=meeting, org_path=meeting.cycle.org_path,
                     extra={"codes": len(new)})  # fmt: skip
    return len(new)


@transaction.atomic
def code_void(*, actor, meeting: Meeting, code: str = "", serial: int | None = None) -> BallotCode:
    """Void a lost or spoiled slip, found by its short code (a slip handed back) or by the count
    number on its stub (a slip lost), and issue a new one for the same class; returns the new
    code. A slip already used to vote cannot be voided."""
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    if meeting.status not in (Meeting.Status.PREPARED, Meeting.Status.VOTING_OPEN):
        raise ValidationError(_("投票已经结束，不能再作废或补发票签。"), code="closed")
    codes = (
        BallotCode.objects.select_for_update()
        .filter(meeting=meeting, rehearsal=False)
        .select_related("voter_class")
    )
    if code.strip():
        found = codes.filter(token_hash=keyed_hash(code_normalise(code), purpose=CODE_PURPOSE)).first()
        field = "code"
    elif serial is not None:
        found = codes.filter(serial=serial).first()
        field = "serial"
    else:
        raise field_error("code", _("请填写要作废票签上的票码，或票签存根上的编号。"), "required")
    if found is None:
        raise field_error(field, _("本次会议没有这张票签，请核对票码或存根编号。"), "unknown_code")
    if found.voided_at is not None:
        raise field_error(field, _("这张票签已经作废，不必再作废。"), "voided")
    if CodeUse.objects.filter(code=found).exists():
        raise field_error(field, _("这张票签已经投过票，不能作废。"), "used")
    found.voided_at = timezone.now()
    found.save(update_fields=["voided_at"])
    last = meeting.codes.aggregate(last=Max("serial"))["last"] or 0
    replacement = _code_new(meeting, found.voter_class, last + 1)
    replacement.save()
    audit_record(actor=actor, action="meeting.code_void", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"class": found.voter_class.name, "voided_serial": found.serial,
                        "new_serial": replacement.serial})  # fmt: skip
    return replacement


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
    classes = list(
        meeting.classes.annotate(
            n=Count("codes", filter=Q(codes__voided_at__isnull=True, codes__rehearsal=False))
        )
    )
    if not classes:
        problems.append(_("还没有设置投票人类别。"))
    if any(c.n < c.ballots for c in classes):
        problems.append(_("还有类别的票码没有生成，请先生成票码。"))
    if classes:
        problems += scheme_class_problems(meeting, classes)
    if problems:
        raise ValidationError([ValidationError(p, code="not_ready") for p in problems])
    meeting.agenda = meeting_agenda(meeting.cycle)
    meeting.status, meeting.opened_at = Meeting.Status.VOTING_OPEN, timezone.now()
    meeting.save(update_fields=["agenda", "status", "opened_at", "updated_at"])
    audit_record(actor=actor, action="meeting.open", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"reporters": len(meeting.agenda), "classes": {c.name: c.ballots for c in classes},
                        "scheme_classes": {c.name: c.scheme_class or "*" for c in classes},
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
    suggestions = Ballot.objects.filter(meeting=meeting).exclude(suggestion="").count()
    audit_record(actor=actor, action=selectors.ARCHIVE_ACTION, target=meeting, org_path=meeting.cycle.org_path,
                 extra={"phone_ballots": ballots, "tally_rows": rows, "suggestions": suggestions,
                        "rewritten_in_random_order": True,
                        selectors.ARCHIVE_DIGEST_KEY: selectors.ballot_archive_sha256(meeting)})  # fmt: skip
    if suggestions:
        organisers = User.objects.filter(
            role=Role.ORGANISER, organization_id=meeting.cycle.organization_id, is_active=True
        )
        notify(recipients=list(organisers),
               text=_("“%(title)s”投票已结束，收到意见建议 %(n)d 条（与评价分开保存）。") % {"title": meeting.title, "n": suggestions},
               link=reverse("ballots:suggestions", args=[meeting.pk]))  # fmt: skip
    return meeting


# ---- the rehearsal -------------------------------------------------------------------------------

REHEARSAL_CODES = 10  # test codes per class, at most


@transaction.atomic
def rehearsal_start(*, actor, meeting: Meeting) -> int:
    """Run the meeting in test mode before the real vote: test codes for every class (at most
    REHEARSAL_CODES each), the ballot form on the cycle's reporters, test votes into tables of
    their own. Returns how many test codes were made."""
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    _check_prepared(meeting)
    classes = list(meeting.classes.all())
    if not classes:
        raise ValidationError(_("请先设置投票人类别，再开始彩排。"), code="not_ready")
    agenda = meeting_agenda(meeting.cycle)
    if not agenda:
        raise ValidationError(_("本周期还没有述职人，不能彩排。"), code="not_ready")
    serial = meeting.codes.aggregate(last=Max("serial"))["last"] or 0
    new = []
    for voter_class in classes:
        for _i in range(min(voter_class.ballots, REHEARSAL_CODES)):
            serial += 1
            code = _code_new(meeting, voter_class, serial)
            code.rehearsal = True
            new.append(code)
    BallotCode.objects.bulk_create(new)
    meeting.rehearsal, meeting.agenda = Meeting.Rehearsal.OPEN, agenda
    meeting.save(update_fields=["rehearsal", "agenda", "updated_at"])
    audit_record(actor=actor, action="meeting.rehearsal_start", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"test_codes": len(new), "reporters": len(agenda)})  # fmt: skip
    return len(new)


@transaction.atomic
def rehearsal_close(*, actor, meeting: Meeting) -> Meeting:
    """End the test voting: the test tally shows until the rehearsal is cleared."""
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    if meeting.rehearsal != Meeting.Rehearsal.OPEN:
        raise ValidationError(_("彩排投票没有在进行。"), code="not_rehearsing")
    meeting.rehearsal = Meeting.Rehearsal.CLOSED
    meeting.save(update_fields=["rehearsal", "updated_at"])
    audit_record(actor=actor, action="meeting.rehearsal_close", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"test_ballots": RehearsalBallot.objects.filter(meeting=meeting).count()})  # fmt: skip
    return meeting


@transaction.atomic
def rehearsal_clear(*, actor, meeting: Meeting) -> dict[str, int]:
    """Clear everything of the rehearsal in one step: its test ballots, the uses of the test codes
    and the test codes; the meeting is back where it was before, ready for the real vote."""
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    if not meeting.rehearsal:
        raise ValidationError(_("没有需要清除的彩排数据。"), code="not_rehearsing")
    test_codes = BallotCode.objects.filter(meeting=meeting, rehearsal=True)
    cleared = {
        "test_ballots": RehearsalBallot.objects.filter(meeting=meeting).count(),
        "test_codes_used": CodeUse.objects.filter(code__in=test_codes).count(),
        "test_codes": test_codes.count(),
    }
    RehearsalMark.objects.filter(ballot__meeting=meeting).delete()
    RehearsalBallot.objects.filter(meeting=meeting).delete()
    CodeUse.objects.filter(code__in=test_codes).delete()
    test_codes.delete()
    meeting.rehearsal, meeting.agenda = Meeting.Rehearsal.NONE, []
    meeting.save(update_fields=["rehearsal", "agenda", "updated_at"])
    audit_record(actor=actor, action="meeting.rehearsal_clear", target=meeting, org_path=meeting.cycle.org_path,
                 extra=cleared)  # fmt: skip
    return cleared


@transaction.atomic
def screen_link_set(*, actor, meeting: Meeting, active: bool) -> Meeting:
    """Make a new display link for the big screen (any earlier one stops working), or revoke it."""
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    meeting.screen_token = secrets.token_urlsafe(24) if active else ""
    meeting.save(update_fields=["screen_token", "updated_at"])
    audit_record(actor=actor, action="meeting.screen_link" if active else "meeting.screen_link_revoke",
                 target=meeting, org_path=meeting.cycle.org_path)  # fmt: skip
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
    place where the ballots' append-only trigger lets ballot rows be deleted (migration 0014),
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


CODE_MISS_PURPOSE = "ballot-code-miss"


def _miss_key(address: str) -> str:
    # the address lives only as a keyed hash in the cache, for the window: voting is anonymous
    return f"ballot-code-misses:{keyed_hash(address or '-', purpose=CODE_MISS_PURPOSE).hex()}"


def code_misses_refused(address: str) -> bool:
    """Has this address sent too many codes that match no slip lately? Asked before a code is
    looked up, so that past the limit no door tells a good code from a bad one."""
    return (cache.get(_miss_key(address)) or 0) >= settings.BALLOT_CODE_MISS_LIMIT


def code_miss_counted(address: str) -> int:
    """Count a code that matched no slip against its source address; the count lapses after the
    window (cache-based: on Redis in production, shared by every app server)."""
    key, seconds = _miss_key(address), settings.BALLOT_CODE_WINDOW_MINUTES * 60
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # lapsed between add and incr
        cache.set(key, 1, seconds)
        return 1


def code_misses_message() -> str:
    return _("票码输入错误次数过多，请 %(m)d 分钟后再试，或请会务人员核对票签。") % {
        "m": settings.BALLOT_CODE_WINDOW_MINUTES
    }


VOIDED_MESSAGE = _lazy("这张票签已作废（挂失补发），不能投票。请使用会务人员补发的新票签。")


def closed_message(meeting: Meeting, *, rehearsal: bool = False) -> str:
    if rehearsal:
        return _("这是彩排测试票：彩排投票尚未开始或已经结束。")
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
    "m.id, m.status, m.rehearsal, m.agenda, m.items, m.item_max, m.allow_suggestion, m.max_good_count, "
    "m.max_good_percent"
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
        f"SELECT {CASTING_FIELDS}, c.id AS code_pk, c.voter_class_id AS code_class_id, "  # noqa: S608
        f"c.voided_at AS code_voided_at, c.rehearsal AS code_rehearsal FROM ballots_ballotcode c "
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


def _rehearsal_store(
    *,
    meeting: Meeting,
    grades: Mapping[int, str],
    scores: Mapping[int, Sequence[object]] | None,
    suggestion: str,
) -> bool:
    """A test ballot of the rehearsal: the code marked used, the ballot in the rehearsal's own
    tables, which no real count reads."""
    try:
        with transaction.atomic():
            CodeUse.objects.create(
                code_id=meeting.code_pk, meeting=meeting, voter_class_id=meeting.code_class_id
            )
    except IntegrityError:
        return False
    ballot = RehearsalBallot.objects.create(
        meeting=meeting, voter_class_id=meeting.code_class_id, suggestion=suggestion
    )
    RehearsalMark.objects.bulk_create(
        RehearsalMark(ballot=ballot, reporter_id=r, grade=grades[r], scores=list((scores or {}).get(r, [])))
        for r in meeting.agenda
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
    if meeting.code_voided_at is not None:
        raise ValidationError(VOIDED_MESSAGE, code="voided")
    if meeting.code_rehearsal:  # a test code votes only in an open rehearsal, into its own tables
        if meeting.rehearsal != Meeting.Rehearsal.OPEN:
            raise ValidationError(closed_message(meeting, rehearsal=True), code="closed")
    elif meeting.status != Meeting.Status.VOTING_OPEN:
        raise ValidationError(closed_message(meeting), code="closed")
    scores = scores if meeting.items else None  # item scores only where the form asks for them
    problems = _ballot_problems(meeting, grades, scores, suggestion)
    if problems:
        raise ValidationError([ValidationError(p, code="invalid_ballot") for p in problems])
    store = _rehearsal_store if meeting.code_rehearsal else _ballot_store
    stored = store(meeting=meeting, grades=grades, scores=scores,
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
    _check_second_person(actor, other, entry)
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


def _check_second_person(actor, earlier_by: int | None, entry: int) -> None:
    if earlier_by is not None and earlier_by == actor.pk:
        raise ValidationError(
            _("两遍录入须由两个不同的人完成；请另一位同志录入第%(n)s遍。") % {"n": "一二"[entry - 1]},
            code="same_person",
        )


@transaction.atomic
def paper_count_enter(
    *,
    actor,
    meeting: Meeting,
    voter_class: VoterClass,
    issued: int,
    returned: int,
    valid: int,
    invalid: int,
    entry: int = 1,
) -> PaperCount:
    """One of the two entries of a class's paper ballot count (issued, returned, valid, invalid);
    the second must be by someone else, and the two must agree before the count is signed."""
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    _check_paper_stage(meeting)
    if entry not in (1, 2):
        raise field_error("entry", _("录入轮次只能是第一遍或第二遍。"), "entry")
    other = (
        PaperCount.objects.filter(voter_class=voter_class, entry=3 - entry)
        .values_list("entered_by", flat=True)
        .first()
    )
    _check_second_person(actor, other, entry)
    problems = rules.paper_count_problems(issued=issued, returned=returned, valid=valid, invalid=invalid)
    if problems:
        raise ValidationError([ValidationError(p, code="paper_count") for p in problems])
    count, _created = PaperCount.objects.update_or_create(
        voter_class=voter_class, entry=entry,
        defaults={"meeting": meeting, "issued": issued, "returned": returned, "valid": valid, "invalid": invalid,
                  "entered_by": actor},
    )  # fmt: skip
    audit_record(actor=actor, action="meeting.paper_count", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"class": voter_class.name, "entry": entry, "issued": issued, "returned": returned,
                        "valid": valid, "invalid": invalid})  # fmt: skip
    return count


@transaction.atomic
def paper_enter(
    *,
    actor,
    meeting: Meeting,
    voter_class: VoterClass,
    entry: int,
    counts: Mapping[int, Counts],
    issued: int,
    returned: int,
    valid: int,
    invalid: int,
) -> None:
    """One person's entry of a class's paper ballots, the ballot count and the grades together:
    both are kept or neither."""
    paper_count_enter(actor=actor, meeting=meeting, voter_class=voter_class, entry=entry,
                      issued=issued, returned=returned, valid=valid, invalid=invalid)  # fmt: skip
    paper_tally_enter(actor=actor, meeting=meeting, voter_class=voter_class, entry=entry, counts=counts)


def paper_entries(meeting: Meeting) -> dict[int, dict[tuple[int, int], Counts]]:
    """entry (1, 2) → (class id, reporter id) → counts."""
    entries: dict[int, dict[tuple[int, int], Counts]] = {1: {}, 2: {}}
    for row in PaperTally.objects.filter(meeting=meeting):
        entries[row.entry][(row.voter_class_id, row.reporter_id)] = Counts(
            row.good, row.fairly_good, row.average, row.poor
        )
    return entries


def paper_counts_agreed(meeting: Meeting) -> dict[int, PaperCount]:
    """class id → its paper ballot count where both entries are in and agree."""
    entries: dict[int, dict[int, PaperCount]] = defaultdict(dict)
    for count in PaperCount.objects.filter(meeting=meeting):
        entries[count.voter_class_id][count.entry] = count
    return {
        class_id: both[1]
        for class_id, both in entries.items()
        if 1 in both and 2 in both and _count_figures(both[1]) == _count_figures(both[2])
    }


def _count_figures(count: PaperCount) -> tuple[int, int, int, int]:
    return (count.issued, count.returned, count.valid, count.invalid)


def paper_problems(meeting: Meeting) -> list[str]:
    """What stops the paper count from being final: entries (of the grades, or of the ballots
    issued, returned, valid and invalid) that disagree or are missing, counts that do not add up
    to the valid ballots."""
    entries = paper_entries(meeting)
    count_entries: dict[int, dict[int, PaperCount]] = defaultdict(dict)
    for count in PaperCount.objects.filter(meeting=meeting):
        count_entries[count.voter_class_id][count.entry] = count
    classes = {c.pk: c.name for c in meeting.classes.all()}
    names = dict(Reporter.objects.filter(pk__in=meeting.agenda).values_list("pk", "organization__name"))
    problems = []
    for class_id, reporter in rules.paper_differences(entries[1], entries[2]):
        problems.append(
            _("%(cls)s · %(name)s：两遍录入不一致。")
            % {"cls": classes.get(class_id, "?"), "name": names.get(reporter, reporter)}
        )
    entered = {class_id for class_id, _r in entries[1]} | {class_id for class_id, _r in entries[2]}
    for class_id in sorted(entered | set(count_entries)):
        both = count_entries.get(class_id, {})
        cls = classes.get(class_id, "?")
        if not both:
            problems.append(_("%(cls)s：请录入纸质票的发出、收回、有效、无效票数。") % {"cls": cls})
            continue
        if len(both) < 2:
            problems.append(
                _("%(cls)s：纸质票的发出、收回、有效、无效票数还要由另一人录入第%(n)s遍。")
                % {"cls": cls, "n": "二" if 1 in both else "一"}
            )
        elif _count_figures(both[1]) != _count_figures(both[2]):
            problems.append(
                _("%(cls)s：纸质票数两遍录入不一致（第一遍 %(a)s，第二遍 %(b)s，依次为发出/收回/有效/无效）。")
                % {"cls": cls, "a": "/".join(map(str, _count_figures(both[1]))),
                   "b": "/".join(map(str, _count_figures(both[2])))}
            )  # fmt: skip
        count = both.get(1) or both.get(2)
        for reporter in meeting.agenda:
            found = entries[1].get((class_id, reporter))
            if (found.total if found else 0) != count.valid:
                problems.append(
                    _("%(cls)s · %(name)s：各等次票数之和应等于有效票 %(valid)d 张。")
                    % {"cls": cls, "name": names.get(reporter, reporter), "valid": count.valid}
                )
    return problems


SCRUTINEER_CODE_PURPOSE = "scrutineer-sign-off"
SCRUTINEER_CODE_LENGTH = 8


@transaction.atomic
def scrutineer_add(*, actor, meeting: Meeting, name: str, username: str = "") -> Scrutineer:
    """Name a 监票人; with `username`, the account from which they sign (not the organiser's own:
    the count is signed by someone other than who entered it)."""
    meeting = _locked(meeting)
    _check_owner(actor, meeting)
    if meeting.status == Meeting.Status.TALLIED:
        raise ValidationError(_("计票已确认，不能再增加监票人。"), code="tallied")
    user = None
    if username.strip():
        user = (
            User.objects.filter(username=username.strip(), is_active=True)
            .select_related("organization")
            .first()
        )
        if user is None:
            raise field_error(
                "username", _("没有用户名为“%(u)s”的在用账号。") % {"u": username.strip()}, "unknown_user"
            )
        if user.pk == actor.pk:
            raise field_error(
                "username", _("监票人不能用组织计票的本人账号签字，请填写监票人自己的账号。"), "self"
            )
        if not (
            user.organization.path.startswith(meeting.cycle.org_path)
            or meeting.cycle.org_path.startswith(user.organization.path)
        ):
            raise field_error("username", _("监票人账号应属于本级、上级或下级组织。"), "outside")
    scrutineer = Scrutineer(meeting=meeting, name=name.strip(), user=user)
    scrutineer.full_clean()
    scrutineer.save()
    audit_record(actor=actor, action="meeting.scrutineer_add", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"name": scrutineer.name, "account": user.username if user else ""})  # fmt: skip
    return scrutineer


@transaction.atomic
def scrutineer_code_issue(*, actor, scrutineer: Scrutineer) -> str:
    """A one-time sign-off code for a scrutineer without an account of their own, to hand to them
    (printed or told); returns it: only its keyed hash is kept. A new code replaces the old."""
    meeting = _locked(scrutineer.meeting)
    _check_owner(actor, meeting)
    if meeting.status == Meeting.Status.TALLIED:
        raise ValidationError(_("计票已确认，不需要再签字。"), code="tallied")
    scrutineer = Scrutineer.objects.select_for_update().get(pk=scrutineer.pk)
    code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(SCRUTINEER_CODE_LENGTH))
    scrutineer.code_hash = keyed_hash(code, purpose=SCRUTINEER_CODE_PURPOSE)
    scrutineer.save(update_fields=["code_hash", "updated_at"])
    audit_record(actor=actor, action="meeting.scrutineer_code", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"name": scrutineer.name})  # fmt: skip
    return code


def scrutineer_for_code(code: str) -> Scrutineer | None:
    """The scrutineer a one-time sign-off code was handed to, while it is unused."""
    code = "".join(ch for ch in unicodedata.normalize("NFKC", code or "").upper() if ch.isalnum())
    if len(code) != SCRUTINEER_CODE_LENGTH:
        return None
    return (
        Scrutineer.objects.select_related("meeting__cycle")
        .filter(code_hash=keyed_hash(code, purpose=SCRUTINEER_CODE_PURPOSE))
        .first()
    )


def count_sheet(meeting: Meeting) -> dict[str, Any]:
    """The 计票单 the scrutineers sign: per class the codes, phone ballots, voided slips and the
    agreed paper count; per reporter the grades of all classes together and of each class large
    enough to show (rules.shown_classes); and the digest of the original ballots' archive."""
    classes = list(meeting.classes.order_by("position", "pk"))
    used = dict(
        CodeUse.objects.filter(meeting=meeting, code__rehearsal=False)
        .values_list("voter_class")
        .annotate(n=Count("pk"))
        .order_by()
    )
    real = meeting.codes.filter(rehearsal=False)
    codes = dict(
        real.filter(voided_at__isnull=True).values_list("voter_class").annotate(n=Count("pk")).order_by()
    )
    voided = dict(
        real.filter(voided_at__isnull=False).values_list("voter_class").annotate(n=Count("pk")).order_by()
    )
    paper = paper_counts_agreed(meeting)
    counts = tally_counts(meeting)
    shown = selectors.classes_shown(  # the one rule of every page that shows class counts
        meeting, counts={key: Counts(*(row[g.field] for g in Grade)) for key, row in counts.items()}
    )
    reporters = []
    for reporter in (
        Reporter.objects.filter(pk__in=meeting.agenda).select_related("organization").in_bulk().values()
    ):
        total, by_class, phone, on_paper = Counts(), {}, 0, 0
        for voter_class in classes:
            row = counts.get((reporter.pk, voter_class.pk))
            c = Counts(*(row[g.field] for g in Grade)) if row else Counts()
            total = total + c
            phone += row["phone"] if row else 0
            on_paper += row["paper"] if row else 0
            by_class[voter_class.name] = list(c.as_tuple()) if voter_class.pk in shown else None
        reporters.append({"id": reporter.pk, "name": reporter.organization.name, "total": list(total.as_tuple()),
                          "phone": phone, "paper": on_paper, "by_class": by_class})  # fmt: skip
    order = {pk: i for i, pk in enumerate(meeting.agenda)}
    reporters.sort(key=lambda r: order.get(r["id"], 0))
    return {
        "meeting": meeting.title,
        "held_on": meeting.held_on.isoformat(),
        "closed_at": meeting.closed_at.isoformat() if meeting.closed_at else None,
        "min_class_size": meeting.min_class_size,
        "classes": [
            {
                "name": c.name,
                "codes": codes.get(c.pk, 0),
                "phone": used.get(c.pk, 0),
                "voided": voided.get(c.pk, 0),
                "paper": list(_count_figures(paper[c.pk])) if c.pk in paper else None,
            }
            for c in classes
        ],
        "reporters": reporters,
        # the digest of the ballot archive (原始票据) made at closing: the scrutineers sign it with the count
        "archive_digest": selectors.ballot_archive_digest(meeting),
    }


def count_sheet_digest(sheet: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(sheet, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _sign(scrutineer: Scrutineer, *, user, via: str) -> Scrutineer:
    meeting = _locked(scrutineer.meeting)
    scrutineer = Scrutineer.objects.select_for_update().get(pk=scrutineer.pk)
    if meeting.status != Meeting.Status.VOTING_CLOSED:
        raise ValidationError(_("投票结束后、计票确认前才能签字确认计票。"), code="not_closed")
    problems = paper_problems(meeting)
    if problems:
        raise ValidationError([ValidationError(p, code="paper") for p in problems])
    digest = count_sheet_digest(count_sheet(meeting))
    if scrutineer.signed_at and scrutineer.signed_digest == digest:  # a changed sheet is signed again
        raise ValidationError(_("监票人%(name)s已经签字。") % {"name": scrutineer.name}, code="signed")
    scrutineer.signed_at, scrutineer.signed_by, scrutineer.signed_via = timezone.now(), user, via
    scrutineer.signed_digest, scrutineer.code_hash = digest, None
    scrutineer.save(
        update_fields=["signed_at", "signed_by", "signed_via", "signed_digest", "code_hash", "updated_at"]
    )
    audit_record(actor=user, action="meeting.scrutineer_sign", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"name": scrutineer.name, "via": via, "count_sheet_digest": digest})  # fmt: skip
    return scrutineer


@transaction.atomic
def scrutineer_sign(*, actor, scrutineer: Scrutineer) -> Scrutineer:
    """The scrutineer signs the count sheet from their own account; nobody signs for them."""
    if scrutineer.user_id is None or scrutineer.user_id != actor.pk:
        raise ValidationError(
            _("只有监票人%(name)s本人才能签字：请用其本人账号登录签字，或使用发给其本人的一次性签字码。")
            % {"name": scrutineer.name},
            code="not_the_scrutineer",
        )
    return _sign(scrutineer, user=actor, via=Scrutineer.Via.ACCOUNT)


@transaction.atomic
def scrutineer_sign_with_code(*, code: str) -> Scrutineer:
    """The scrutineer signs with the one-time code handed to them (no account needed)."""
    scrutineer = scrutineer_for_code(code)
    if scrutineer is None:
        raise ValidationError(_("签字码无效或已经用过，请向会务人员核对。"), code="unknown_code")
    return _sign(scrutineer, user=None, via=Scrutineer.Via.CODE)


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
    if not problems:
        digest = count_sheet_digest(count_sheet(meeting))
        problems += [
            _("监票人%(name)s签字后计票单有改动，请其重新签字。") % {"name": s.name}
            for s in scrutineers
            if s.signed_digest != digest
        ]
    if problems:
        raise ValidationError([ValidationError(p, code="not_ready") for p in problems])
    rows = tally_rebuild(meeting=meeting)
    meeting.status = Meeting.Status.TALLIED
    meeting.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="meeting.tally", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"tally_rows": rows, "scrutineers": [s.name for s in scrutineers],
                        "count_sheet_digest": digest})  # fmt: skip
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


def committee_members(meeting: Meeting) -> list[User]:
    """Who may make a 点评 at this meeting: the active 评议人 of the cycle's organisation and the
    levels above it (the committee members), in name order."""
    return list(
        User.objects.filter(
            role=Role.REVIEWER,
            is_active=True,
            organization__path__in=ancestor_paths([meeting.cycle.org_path]),
        ).order_by("full_name", "pk")
    )


@transaction.atomic
def comment_add(
    *,
    actor,
    meeting: Meeting,
    reporter: Reporter | None = None,
    text: str,
    portfolio: str = "",
    is_final: bool = False,
    author=None,
) -> Comment:
    """A committee member's comment on a reporter, or the presiding secretary's overall comment
    on the meeting (`is_final`, no reporter). `author` is the member who made it when a clerk of
    the organisation department (`actor`) types it; a 评议人 records only their own. Refused once
    the count is confirmed."""
    meeting = _locked(meeting)
    if actor.role not in (Role.REVIEWER, Role.ORGANISER):
        raise ValidationError(_("只有评议人和组织部可以点评。"), code="not_reviewer")
    if not meeting.cycle.org_path.startswith(actor.organization.path):
        raise ValidationError(_("只能点评本级及下级组织的述职人。"), code="outside")
    if meeting.status == Meeting.Status.TALLIED:
        raise ValidationError(_("计票已确认，点评已锁定，不能再增加。"), code="locked")
    author = author or actor
    if author.pk != actor.pk:
        if actor.role != Role.ORGANISER or actor.organization_id != meeting.cycle.organization_id:
            raise field_error(
                "author", _("只能以本人名义点评；代录他人点评须由本周期组织单位的组织部办理。"), "not_clerk"
            )
        if author.pk not in {m.pk for m in committee_members(meeting)}:
            raise field_error("author", _("点评人应为本级或上级的评议人（常委）。"), "not_member")
    if is_final:
        if reporter is not None:
            raise field_error(
                "reporter", _("主持人总体点评属于整个会议，不针对某一位述职人。"), "final_has_reporter"
            )
        if meeting.comments.filter(is_final=True).exists():
            raise field_error("is_final", _("本次会议已有主持人总体点评。"), "final_exists")
    elif reporter is None:
        raise field_error("reporter", _("请选择点评的述职人。"), "required")
    elif reporter.pk not in (meeting.agenda or meeting_agenda(meeting.cycle)):
        raise ValidationError(_("该述职人不在本次会议中。"), code="not_on_agenda")
    comment = Comment(meeting=meeting, reporter=reporter, author=author, portfolio=portfolio.strip(), text=text.strip(),
                      is_final=is_final, entered_by=actor if author.pk != actor.pk else None)  # fmt: skip
    comment.full_clean()
    comment.save()
    audit_record(actor=actor, action="meeting.comment", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"reporter": reporter.organization.name if reporter else "", "final": is_final,
                        "author": author.full_name, "typed_by_clerk": author.pk != actor.pk,
                        "chars": len(comment.text)})  # fmt: skip
    return comment


@transaction.atomic
def ballot_archive_download(*, actor, meeting: Meeting, digest: str) -> tuple[bytes, str]:
    """The 原始票据 for download, audited with its digest and whether it still matches the one
    taken at closing."""
    data = selectors.ballot_archive(meeting)
    now = hashlib.sha256(data).hexdigest()
    audit_record(actor=actor, action="meeting.archive_download", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"sha256": now, "matches_closing": now == digest})  # fmt: skip
    return data, now
