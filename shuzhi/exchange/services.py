"""Imports and exports of the organisation tree and the member roster.

An import is a job: the upload is checked and stored, a background task reads it, checks every
row, and either writes all of it in one transaction or writes nothing and leaves an error
report. The job row carries the progress, so a reloaded page picks up where it was.
"""

import functools
import gc
import hashlib
import itertools
import logging
import queue
import struct
import threading
import time
import uuid
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import IO, NamedTuple, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, Error, OperationalError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.core import dates
from shuzhi.core.access import in_subtree
from shuzhi.core.protection import keyed_hasher
from shuzhi.core.roles import Capability
from shuzhi.core.services import audit_record
from shuzhi.exchange import parallel, plans
from shuzhi.exchange.models import ExchangeJob
from shuzhi.exchange.sheets import MEMBER_COLUMNS, ORG_COLUMNS, SHEETS, header_lookup
from shuzhi.exchange.watchdog import Stopped, Watchdog
from shuzhi.exchange.workbook import SheetData, check_upload, read_sheet, write_report, write_table
from shuzhi.members import rules as member_rules
from shuzhi.members.models import ID_NUMBER_PURPOSE, PHONE_PURPOSE, Member
from shuzhi.members.selectors import MemberFilter, member_filter, member_list, organizations_in_scope
from shuzhi.members.services import org_counters_add, org_counters_rebuild
from shuzhi.orgs.models import Organization

logger = logging.getLogger(__name__)
T = TypeVar("T")

ERRORS_ON_PAGE = 200
REPORT_ERRORS = 100_000
STEP = Organization.steplen
IMPORT_CAPABILITY = {
    ExchangeJob.Kind.ORGANIZATIONS: Capability.MANAGE_ORGS,
    ExchangeJob.Kind.MEMBERS: Capability.MANAGE_MEMBERS,
}


# ---- jobs ------------------------------------------------------------------------------------


@transaction.atomic
def import_job_create(
    *, actor, kind: str, upload: IO[bytes], name: str, size: int, enqueue: bool = True
) -> ExchangeJob:
    """Check and keep an uploaded sheet, and queue it for the worker (or leave it to the caller,
    as the import commands do, which run it at once)."""
    if not actor.can(IMPORT_CAPABILITY[kind]):
        raise PermissionDenied
    check_upload(upload, size)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    job = ExchangeJob(
        direction=ExchangeJob.Direction.IMPORT,
        kind=kind,
        created_by=actor,
        organization=actor.organization,
        original_name=name[:255],
        sha256=digest.hexdigest(),
    )
    # stored under a name of ours: the person's file name is kept only as text
    job.file.save(f"{uuid.uuid4().hex}.xlsx", ContentFile(upload.read()), save=False)
    job.save()
    if enqueue:
        _enqueue(job)
    return job


@transaction.atomic
def export_job_create(*, actor, kind: str, parameters: dict) -> ExchangeJob:
    """Queue an export of the organisation subtree or of the (filtered) roster."""
    if not actor.can(Capability.EXPORT_DATA):
        raise PermissionDenied
    title = SHEETS[kind][0]
    job = ExchangeJob.objects.create(
        direction=ExchangeJob.Direction.EXPORT,
        kind=kind,
        created_by=actor,
        organization=actor.organization,
        original_name=f"{title}-{timezone.localdate():%Y%m%d}.xlsx",
        parameters=parameters,
    )
    _enqueue(job)
    return job


def _enqueue(job: ExchangeJob) -> None:
    from shuzhi.exchange.tasks import run_exchange_job

    run_exchange_job.enqueue(job.pk)


def exchange_job_run(*, job_id: int) -> ExchangeJob:
    """Run one queued job to its end, watched (see `watchdog`). Whoever claims it first runs it;
    a second call returns."""
    exchange_jobs_expire()
    job = ExchangeJob.objects.select_related("created_by", "organization").get(pk=job_id)
    first = ExchangeJob.Status.READING if job.is_import else ExchangeJob.Status.EXPORTING
    if not ExchangeJob.objects.filter(pk=job_id, status=ExchangeJob.Status.QUEUED).update(
        status=first, updated_at=timezone.now()
    ):
        return job
    job.status = first
    with Watchdog(
        job_id=job.pk, stall_seconds=settings.JOB_STALL_SECONDS, timeout_seconds=settings.JOB_TIMEOUT_SECONDS
    ) as watchdog:
        job.watchdog = watchdog
        if job.is_import:
            _run_import(job)
        else:
            _run_export(job)
    return job


def exchange_jobs_expire() -> int:
    """Fail the jobs whose worker is gone (killed, machine restarted): started, unfinished, and
    silent for longer than any live job may be. Their transactions died with their sessions."""
    silent_since = timezone.now() - timedelta(seconds=settings.JOB_STALL_SECONDS + 60)
    return (
        ExchangeJob.objects.exclude(status__in=[ExchangeJob.Status.QUEUED, *ExchangeJob.FINISHED])
        .filter(updated_at__lt=silent_since)
        .update(
            status=ExchangeJob.Status.FAILED,
            message=_("任务中断（处理进程已停止），未导入任何数据。请重新上传。"),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    )


def _failed(job: ExchangeJob, error: Exception) -> str:
    """What a person is told when the system, not the file, failed the job."""
    watchdog = getattr(job, "watchdog", None)
    if watchdog is not None and watchdog.fired:
        return watchdog.message
    if isinstance(error, parallel.CheckFailed | Stopped):
        return str(error)
    return _("处理失败，未导入任何数据。请稍后重试，或联系系统管理员。")


def _finish(job: ExchangeJob, **fields) -> None:
    """The job's last word, even when its connection was ended under it (by the watchdog)."""
    try:
        _save(job, **fields)
    except Error:
        connection.close()  # the next query opens a fresh one
        _save(job, **fields)


def _run_import(job: ExchangeJob) -> None:
    """Read, check and (when every row is right) write one import."""
    job.timings = {}
    try:
        with _timed(job, "total"):
            # millions of cell objects that live to the end: keep the collector from walking
            # them again and again, while they are made and afterwards (and from touching the
            # pages forked checkers share)
            gc.disable()
            try:
                title, spec = SHEETS[job.kind]
                members = job.kind == ExchangeJob.Kind.MEMBERS
                with _timed(job, "read"), job.file.open("rb") as stored:
                    sheet, scope = _while_reading(
                        functools.partial(
                            read_sheet, stored, lookup=header_lookup(spec), preferred_title=title
                        ),
                        functools.partial(_member_scope, job) if members else None,
                    )
                gc.freeze()
            finally:
                gc.enable()
            _progress(
                job,
                status=ExchangeJob.Status.VALIDATING,
                total_rows=len(sheet.rows),
                processed_rows=0,
                notes=list(sheet.notes),
            )
            errors = plans.Errors()
            if members:
                counts = _import_members(job, sheet, errors, scope)
            else:
                counts = _import_orgs(job, sheet, errors)
            if counts is None:
                _reject(job, sheet, errors)
                return
        created, updated, unchanged = counts
        _save(
            job,
            status=ExchangeJob.Status.SUCCEEDED,
            notes=job.notes,
            processed_rows=job.total_rows,
            created_count=created,
            updated_count=updated,
            unchanged_count=unchanged,
            timings=job.timings,
            finished_at=timezone.now(),
        )
        logger.info("import job %s: %d rows; seconds %s", job.pk, job.total_rows, job.timings)
    except ValidationError as error:
        _finish(
            job,
            status=ExchangeJob.Status.REJECTED,
            message="；".join(error.messages),
            finished_at=timezone.now(),
        )
    except Exception as error:
        logger.exception("import job %s failed%s", job.pk, _detail(error))
        _finish(
            job, status=ExchangeJob.Status.FAILED, message=_failed(job, error), finished_at=timezone.now()
        )
    finally:
        gc.unfreeze()
        _let_go(job)


def _while_reading(read: Callable[[], SheetData], work: Callable[[], T] | None) -> tuple[SheetData, T | None]:
    """read() on a thread of its own while this thread does work() (None: nothing to do).

    python-calamine lets go of the GIL while it parses the sheet, most of a read, and a core is
    otherwise idle meanwhile: what an import needs before its first row (the tree in scope, who
    is registered) is made then, on this thread, which holds the job's database connection. A
    file that cannot be read is the person's error to hear of, before any failure of work()."""
    if work is None:
        return read(), None
    read_outcome: list = []

    def reading() -> None:
        try:
            read_outcome.append(read())
        except BaseException as error:  # raised on the import's thread
            read_outcome.append(error)

    thread = threading.Thread(target=reading, name="import-read", daemon=True)
    thread.start()
    try:
        done = work()
    finally:
        thread.join()  # an error of work() goes on up only once the read has ended
        if read_outcome and isinstance(read_outcome[0], BaseException):  # none: join was interrupted
            raise read_outcome[0]
    return read_outcome[0], done


def _detail(error: Exception) -> str:
    detail = getattr(error, "detail", "")
    return f"; in a checking process:\n{detail}" if detail else ""


def _audit_import(job: ExchangeJob, counts: tuple[int, int, int]) -> None:
    created, updated, unchanged = counts
    audit_record(
        actor=job.created_by,
        action=f"{job.kind}.import",
        target=job,
        org_path=job.organization.path,
        extra={
            "file": job.original_name,
            "sha256": job.sha256,
            "rows": job.total_rows,
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
        },
    )


@contextmanager
def _timed(job: ExchangeJob, phase: str) -> Iterator[None]:
    """Add the seconds spent in a phase to job.timings (saved with the job's next progress)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        job.timings[phase] = round(job.timings.get(phase, 0) + time.perf_counter() - started, 3)


def _progress(job: ExchangeJob, **fields) -> None:
    """Save progress outside any transaction, so that the page sees it at once; a step made."""
    _save(job, **fields)
    _beat(job)


def _save(job: ExchangeJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=[*fields, "updated_at"])


def _beat(job: ExchangeJob) -> None:
    """Tell the job's watchdog that it made a step; raise Stopped if the watchdog stopped it."""
    watchdog = getattr(job, "watchdog", None)
    if watchdog is not None:
        watchdog.beat()


def _check(job: ExchangeJob) -> None:
    """Raise Stopped if the watchdog stopped the job: called before a commit."""
    watchdog = getattr(job, "watchdog", None)
    if watchdog is not None:
        watchdog.check()


@contextmanager
def _progress_apart(job: ExchangeJob) -> Iterator[Callable[..., None]]:
    """Progress of a job that is reading or writing at length, saved over a connection of its own.

    On the import's connection the page would see progress only at commit. On an export's, a
    write in the middle of its long read fails on SQLite: the read holds a snapshot, and once a
    poll has saved its session the snapshot can no longer turn into a write ("database is
    locked", at once, whatever the busy timeout). A report never holds up the job: on PostgreSQL
    it skips the job's row if something holds it, on SQLite it is dropped if the lock cannot be
    had (the next report brings the page up to date)."""
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = ExchangeJob._meta.db_table
    skip_locked = " FOR UPDATE SKIP LOCKED" if side.features.has_select_for_update_skip_locked else ""
    if side.vendor == "postgresql":
        # a report's commit need not wait for the disk (a report lost in a crash is made good
        # by the next one): waiting, it also waited for the import's own COPYs, written so far,
        # to reach the disk, and held up the taking of the next checked slice meanwhile
        with side.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")

    def report(**fields) -> None:
        for name, value in fields.items():
            setattr(job, name, value)
        fields["updated_at"] = timezone.now()
        try:
            with side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {', '.join(f'{name} = %s' for name in fields)} "  # noqa: S608
                    f"WHERE id = (SELECT id FROM {table} WHERE id = %s{skip_locked})",
                    [*fields.values(), job.pk],
                )
        except OperationalError:
            if side.vendor != "sqlite":
                raise
            logger.info("job %s: progress not saved, the database is busy", job.pk)
        _beat(job)

    try:
        yield report
    finally:
        side.close()


def _on_change(report: Callable[..., None]) -> Callable[[int], None]:
    """Report processed rows when they have moved: the checkers' counter is read every second."""
    last = -1

    def progress(done: int) -> None:
        nonlocal last
        if done != last:
            last = done
            report(processed_rows=done)

    return progress


# the columns whose cells are personal data: the job row (and so the page) keeps them masked; the
# whole value is only in the error report, a file encrypted at rest like the sheet it came from
PERSONAL_HEADERS = frozenset(
    column.header
    for column in (*ORG_COLUMNS, *MEMBER_COLUMNS)
    if column.key in ("id_number", "phone", "secretary_id")
)


def _masked_error(error: plans.RowError) -> dict:
    shown = error.__dict__.copy()
    value = shown["value"]
    if error.column in PERSONAL_HEADERS and value:
        shown["value"] = (
            value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) >= 10 else "*" * len(value)
        )
    return shown


def _reject(job: ExchangeJob, sheet: SheetData, errors: plans.Errors) -> None:
    if errors.registered_elsewhere:
        # asking whether someone is registered elsewhere is what a prober does: recorded, and the
        # record, like the message, says not where
        refused = errors.registered_elsewhere[:1000]
        audit_record(
            actor=job.created_by,
            action="members.import_refused_elsewhere",
            target=job,
            target_repr=_("导入被拒：%(n)d 行的身份证号已在范围以外登记")
            % {"n": len(errors.registered_elsewhere)},
            org_path=job.organization.path,
            extra={
                "file": job.original_name,
                "sha256": job.sha256,
                "rows": [row for row, _number in refused],
                "id_numbers": [number for _row, number in refused],
                "count": len(errors.registered_elsewhere),
            },
        )
    found = errors.sorted()
    report = ContentFile(b"")
    write_report(report, sheet=sheet, errors=found[:REPORT_ERRORS], total_errors=len(found))
    report.seek(0)
    job.report.save(f"{uuid.uuid4().hex}-errors.xlsx", report, save=False)
    _save(
        job,
        status=ExchangeJob.Status.REJECTED,
        notes=job.notes,
        processed_rows=len(sheet.rows),
        error_count=len(found),
        errors=[_masked_error(error) for error in found[:ERRORS_ON_PAGE]],
        report=job.report.name,
        message=_("发现 %(n)d 处错误（涉及 %(rows)d 行），未导入任何数据。")
        % {"n": len(found), "rows": len(errors.rows)},
        finished_at=timezone.now(),
    )


# ---- organisations ---------------------------------------------------------------------------


def _scope_orgs(root: Organization) -> list[tuple]:
    return list(
        Organization.objects.filter(in_subtree("path", root.path))
        .order_by("path")
        .values_list(
            "id", "code", "name", "kind", "level", "field", "path", "secretary_id", "secretary_since"
        )
    )


def _parent_codes(rows: list[tuple]) -> dict[str, str]:
    code_by_path = {row[6]: row[1] for row in rows}
    return {row[6]: code_by_path.get(row[6][:-STEP]) for row in rows}


def _ancestor_names(root: Organization) -> list[str]:
    paths = [root.path[:end] for end in range(STEP, len(root.path), STEP)]
    return list(Organization.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True))


def _read_header(
    job: ExchangeJob,
    data: SheetData,
    spec,
    errors: plans.Errors,
    *,
    defaults: dict[str, object] | None = None,
) -> plans.Sheet | None:
    """The sheet's columns; None when the header has errors. `defaults`: values for columns the
    sheet may lack (used only when it does, and said in the job's notes)."""
    defaults = defaults or {}
    columns = plans.read_header(
        data.header, data.header_row, spec, errors, defaults=defaults, notes=job.notes
    )
    if errors:
        return None
    return plans.Sheet(
        data.header_row,
        columns,
        data.rows,
        numbers=data.numbers,
        defaults={key: value for key, value in defaults.items() if key not in columns},
    )


def _import_orgs(job: ExchangeJob, data: SheetData, errors: plans.Errors) -> tuple[int, int, int] | None:
    """Check the tree; if every row is right, write it in one transaction. None: not written."""
    with _timed(job, "check"):
        plan = _plan_orgs(job, data, errors)
    if errors or plan is None:
        return None
    _progress(job, status=ExchangeJob.Status.WRITING, processed_rows=len(data.rows))
    with _timed(job, "write"), transaction.atomic():
        counts = _apply_orgs(job, plan)
        _audit_import(job, counts)
        _check(job)
    return counts


def _plan_orgs(job: ExchangeJob, data: SheetData, errors: plans.Errors) -> plans.OrgPlan | None:
    sheet = _read_header(job, data, ORG_COLUMNS, errors)
    if sheet is None:
        return None
    root = job.organization
    rows = _scope_orgs(root)
    parents = _parent_codes(rows)
    existing = [
        plans.ExistingOrg(id=r[0], code=r[1], name=r[2], kind=r[3], level=r[4], field=r[5], path=r[6],
                          parent_code=parents[r[6]] if r[6] != root.path else None,
                          secretary_id=r[7], secretary_since=r[8])
        for r in rows
    ]  # fmt: skip
    codes = _cells(sheet, "code")
    in_scope = {r[1] for r in rows}
    elsewhere = set(
        Organization.objects.filter(code__in=[c for c in codes if c not in in_scope]).values_list(
            "code", flat=True
        )
    )
    numbers = {member_rules.normalise_id_number(n) for n in _cells(sheet, "secretary_id")}
    hash_id = keyed_hasher(ID_NUMBER_PURPOSE)
    hashes = {hash_id(n): n for n in numbers}
    secretaries = {
        hashes[bytes(h)]: (pk, path)
        for h, pk, path in Member.objects.filter(
            in_subtree("org_path", root.path), id_number_hash__in=list(hashes)
        ).values_list("id_number_hash", "id", "org_path")
    }
    plan = plans.plan_orgs(
        sheet,
        ORG_COLUMNS,
        existing=existing,
        root_code=root.code,
        root_ancestor_names=_ancestor_names(root),
        codes_elsewhere=elsewhere,
        secretaries=secretaries,
        errors=errors,
    )
    _progress(job, processed_rows=len(sheet.rows))
    return plan


def _cells(sheet: plans.Sheet, key: str) -> set[str]:
    position = sheet.columns.get(key)
    if position is None:
        return set()
    found = set()
    for row in sheet.rows:
        if (
            position < len(row)
            and isinstance(row[position], str | int | float)
            and str(row[position]).strip()
        ):
            value = row[position]
            found.add(
                str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
            )
    return found


def _apply_orgs(job: ExchangeJob, plan: plans.OrgPlan) -> tuple[int, int, int]:
    now = timezone.now()
    if plan.updates:
        objects = Organization.objects.in_bulk([change.org.id for change in plan.updates])
        fields: set[str] = set()
        for change in plan.updates:
            org = objects[change.org.id]
            for name, value in change.values.items():
                setattr(org, name, value)
                fields.add(name)
            if change.set_secretary:
                org.secretary_id = change.secretary_id
                fields.add("secretary")
            org.updated_at = now
        Organization.objects.bulk_update(objects.values(), [*fields, "updated_at"], batch_size=1000)
    if plan.creates:
        path_of = dict(
            Organization.objects.filter(in_subtree("path", job.organization.path)).values_list("code", "path")
        )
        last_child: dict[str, int] = {}
        for path in path_of.values():
            parent = path[:-STEP]
            last_child[parent] = max(last_child.get(parent, 0), Organization._str2int(path[-STEP:]))
        new = []
        for change in plan.creates:
            parent_path = path_of[change.org.parent_code]
            number = last_child.get(parent_path, 0) + 1
            last_child[parent_path] = number
            path = Organization._get_path(parent_path, len(parent_path) // STEP + 1, number)
            path_of[change.org.code] = path
            new.append(
                Organization(
                    path=path,
                    depth=len(path) // STEP,
                    numchild=0,
                    created_at=now,
                    updated_at=now,
                    **change.values,
                )
            )
        Organization.objects.bulk_create(new, batch_size=2000)
        org_counters_rebuild(root=job.organization)
    return len(plan.creates), len(plan.updates), plan.unchanged


# ---- members ---------------------------------------------------------------------------------


class _Rollback(Exception):
    """Leave the import's transaction, undoing what it wrote: the sheet has errors."""


def _import_members(
    job: ExchangeJob, data: SheetData, errors: plans.Errors, scope: "_MemberScope"
) -> tuple[int, int, int] | None:
    """Check the roster and write it in one transaction, or write nothing. None: not written.

    On PostgreSQL the transaction opens first and each slice's new members are copied in as soon
    as the slice is checked, on a thread of their own (`_CopyBehind`), while the other processes
    check the next slices and this thread takes them: the server's part of the write (the table,
    its three indexes, the foreign key) overlaps the checking instead of following it. The first
    error stops the copying, and the transaction, which the COPYs share, is rolled back.
    """
    sheet = _read_header(job, data, MEMBER_COLUMNS, errors, defaults=_member_defaults(job, data))
    if sheet is None:
        return None
    if "organization" in sheet.defaults:
        job.notes.append(
            _("表中没有“所在党组织”列：全部党员按“%(org)s”登记（%(source)s）。")
            % {
                "org": sheet.defaults["organization"],
                "source": _("取自表头上方的填报单位") if data.unit else _("即您所在的党支部"),
            }
        )
    if "status" not in sheet.columns:
        job.notes.append(
            _("表中没有“党员状态”列：已按转正日期确定，填了转正日期的是正式党员，没填的是预备党员。")
        )
    if connection.vendor != "postgresql":
        with _timed(job, "check"):
            plan = _plan_members(job, sheet, errors, scope, report=functools.partial(_progress, job))
        if errors:
            return None
        _progress(job, status=ExchangeJob.Status.WRITING, processed_rows=len(sheet.rows))
        _let_go(job, data, sheet)
        rows = len(plan.inserts) + len(plan.creates) + len(plan.updates)
        with _timed(job, "write"), _sqlite_cache(rows), transaction.atomic():
            return _write_members(job, plan)
    try:
        with transaction.atomic(), _progress_apart(job) as report, connection.cursor() as cursor:
            # each COPY's foreign key checks then run as it ends, overlapping the checking, not
            # all at commit; set back afterwards (as Django's check_constraints() does)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # the server ends the session, and so rolls the import back, if this process stops
            # talking to it mid-transaction or one statement runs on and on
            limit = f"{settings.JOB_STALL_SECONDS}s"
            cursor.execute("SELECT set_config('idle_in_transaction_session_timeout', %s, true)", [limit])
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [limit])
            watchdog = getattr(job, "watchdog", None)
            if watchdog is not None:
                watchdog.guard(connection)
            with _timed(job, "check"):
                copy = functools.partial(_copy, cursor, Member._meta.db_table, INSERT_COLUMNS)
                plan = _plan_members(job, sheet, errors, scope, report=report, copy=copy)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            if errors:
                raise _Rollback
            report(status=ExchangeJob.Status.WRITING, processed_rows=len(sheet.rows))
            _let_go(job, data, sheet)
            with _timed(job, "write"):
                return _write_members(job, plan)
    except _Rollback:
        return None


def _let_go(job: ExchangeJob, *sheets: SheetData | plans.Sheet) -> None:
    """Free a checked sheet's rows on a thread of their own, while the database writes and
    recounts: millions of cells take a good part of a second to free, and nothing needs them
    once the plan is made (the job keeps how many there were). Without `sheets`: wait for that
    thread, so that the job ends with its memory given back."""
    freeing = getattr(job, "freeing", None)
    if not sheets:
        if freeing is not None:
            freeing.join()
        return
    held = []
    for sheet in sheets:
        held.append(sheet.rows)
        sheet.rows = []
        if isinstance(sheet, SheetData):
            held.append(sheet.values)
            sheet.values = []
    job.freeing = threading.Thread(target=held.clear, name=f"import-{job.pk}-free", daemon=True)
    job.freeing.start()


@contextmanager
def _sqlite_cache(rows: int) -> Iterator[None]:
    """A page cache that holds the member table's indexes while many rows go in: the ID hash
    index takes its rows in random order, and SQLite's default 2 MB cache sent most of those
    inserts to the disk. Set back after, so the worker does not keep the memory."""
    if rows < 10_000:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        megabytes = min(512, 64 + rows // 1000)  # 64 MB, and 1 MB more per 1,000 rows
        cursor.execute(f"PRAGMA cache_size = {-megabytes * 1024}")  # negative: in KiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _member_defaults(job: ExchangeJob, data: SheetData) -> dict[str, object]:
    """A roster of one branch often has no 所在党组织 column: its 填报单位 line names the branch,
    or the importer is that branch's own secretary."""
    if data.unit:
        return {"organization": data.unit}
    if job.organization.kind == Organization.Kind.BRANCH:
        return {"organization": job.organization.code}
    return {}


class _MemberScope(NamedTuple):
    """What a roster import knows before it reads a row: the tree in the importer's scope, and
    who is registered at all (by ID hash): rows of anyone else are new members, which can be
    written as their slice comes back; the others are planned at the end, in one lookup."""

    index: plans.OrgIndex
    org_ids: dict[str, tuple[int, str]]  # code → (id, path)
    registered: set[bytes]


def _member_scope(job: ExchangeJob) -> _MemberScope:
    """Made while the sheet is read (see _while_reading)."""
    root = job.organization
    rows = _scope_orgs(root)
    parents = _parent_codes(rows)
    index = plans.OrgIndex(
        (plans.OrgRef(r[1], r[2], r[3], r[4], id=r[0], path=r[6], parent_code=parents[r[6]]) for r in rows),
        root_code=root.code,
        root_ancestor_names=_ancestor_names(root),
    )
    with _timed(job, "lookup"):
        registered = _registered_id_hashes()
    return _MemberScope(index, {r[1]: (r[0], r[6]) for r in rows}, registered)


def _plan_members(
    job: ExchangeJob,
    sheet: plans.Sheet,
    errors: plans.Errors,
    scope: _MemberScope,
    *,
    report: Callable[..., None],
    copy: Callable[[bytes], None] | None = None,
) -> plans.MemberPlan:
    """Check every row, in slices (in forked processes for a large sheet), and plan what to
    create, update or leave alone. `copy`, if given, takes the new members of each slice (their
    binary COPY rows) as soon as the slice comes back, for as long as the sheet has shown no
    error; the rest of the plan is left to write."""
    root = job.organization
    index, org_ids, registered = scope
    today = timezone.localdate()
    kept = plans.kept_columns(sheet.columns)
    make_row = _row_maker(timezone.now(), ignore=kept, registered=registered)

    hash_id, hash_phone_form = keyed_hasher(ID_NUMBER_PURPOSE), keyed_hasher(PHONE_PURPOSE)
    phone_form = member_rules.phone_lookup_form

    def check(start: int, stop: int, progress) -> plans.CheckedSlice:
        # runs in a forked process for large sheets: pure, no database
        found, seen, tally = plans.Errors(), {}, {}
        good = plans.read_member_rows(
            sheet, MEMBER_COLUMNS, index=index, org_ids=org_ids, today=today,
            hash_id=hash_id, hash_phone=lambda phone: hash_phone_form(phone_form(phone)),
            make_row=make_row, errors=found, progress=progress, start=start, stop=stop, seen=seen,
            tally=tally,
        )  # fmt: skip
        return plans.CheckedSlice.of(found.items, seen, good, tally)

    plan = plans.MemberPlan(kept=kept)
    known: list[plans.MemberRow] = []
    first: dict[str, int] = {}

    def take(checked: plans.CheckedSlice) -> None:
        errors.extend(checked.errors)
        repeated = plans.cross_slice_duplicates(
            [checked.seen], sheet=sheet, spec=MEMBER_COLUMNS, errors=errors, first=first
        )
        if not repeated and (not registered or registered.isdisjoint(checked.hash_list())):
            # the usual case: every good row of the slice is a new member
            plan.add_tally(checked.tally)
            if copy is None:
                plan.inserts += checked.insert_list()
                return
            new, count = checked.inserts, len(checked.rows)
        else:
            plan.added = None  # not all new: recounted at the end
            good = checked.member_rows(leave_out=repeated)
            known.extend(row for row in good if row.id_hash in registered)
            creates = [row for row in good if row.id_hash not in registered]
            if copy is None:
                plan.creates += creates
                return
            new, count = b"".join(row.insert for row in creates), len(creates)  # type: ignore[misc]
        if errors:
            behind.stopped = True  # type: ignore[union-attr]  # to be rolled back: copy no more
        elif count:
            behind.put(new)  # type: ignore[union-attr]
            plan.written += count

    with _copied_behind(job, copy) as behind:
        parallel.in_slices(
            check,
            len(sheet.rows),
            on_progress=_on_change(report),
            on_result=take,
            stall_seconds=settings.JOB_STALL_SECONDS,
        )
    with _timed(job, "lookup"):
        existing = _existing_members([row.id_hash for row in known], ignore=kept) if known else {}
    part = plans.plan_members(
        known, existing=existing, scope_path=root.path, sheet=sheet, spec=MEMBER_COLUMNS, errors=errors
    )
    plan.creates += part.creates  # registered when the import began, but not any more
    plan.updates, plan.unchanged = part.updates, part.unchanged
    return plan


class _CopyBehind:
    """The checked slices' COPYs, in order, on a thread of their own, while this thread goes on
    taking the next slices from the checkers.

    Copied on this thread, each slice held it for as long as the server took to write it; the
    checkers, whose next slices then waited in their pipes, stopped too, and the server sat idle
    while the next slice was received and unpickled. Now both go on at once.

    The thread uses the import's own connection, and so its transaction: whatever happens, the
    import is still all or nothing. Nothing else uses that connection meanwhile (the progress
    goes over a connection of its own), and psycopg lets go of the GIL while it waits on the
    server. At most SLICES_WAITING slices wait for their turn: a slow server holds up the
    checking, not the memory.
    """

    SLICES_WAITING = 2

    def __init__(self, job: ExchangeJob, copy: Callable[[bytes], None]):
        self.job, self.copy = job, copy
        self.slices: queue.Queue[bytes | None] = queue.Queue(maxsize=self.SLICES_WAITING)
        self.error: BaseException | None = None  # the first COPY that failed
        self.stopped = False  # the import failed: what is left is not copied
        self.thread = threading.Thread(target=self._run, name=f"import-{job.pk}-copy", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        # takes every slice to the end, copying none once something failed: a put never waits
        # on a thread that has stopped taking
        while (rows := self.slices.get()) is not None:
            if self.error is not None or self.stopped:
                continue
            try:
                with _timed(self.job, "copy"):
                    self.copy(rows)
            except BaseException as error:  # raised on the import's thread
                self.error = error

    def put(self, rows: bytes) -> None:
        """Hand a slice's binary COPY rows over (waiting while SLICES_WAITING are already
        waiting); raise at once if a COPY has failed."""
        self.raise_error()
        self.slices.put(rows)

    def finish(self) -> None:
        """Wait for every slice handed over to be copied, and raise if one was not."""
        self._end()
        self.raise_error()

    def abandon(self) -> None:
        """The import failed on its own thread: copy nothing more, drop the slices waiting, and
        wait for a COPY under way (it ends within the statement timeout, or when the watchdog
        ends the session) so that the connection is free for the rollback."""
        self.stopped = True
        try:
            while True:
                self.slices.get_nowait()
        except queue.Empty:
            pass
        self._end()

    def _end(self) -> None:
        with _timed(self.job, "copy_wait"):
            self.slices.put(None)
            self.thread.join()

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error


@contextmanager
def _copied_behind(job: ExchangeJob, copy: Callable[[bytes], None] | None) -> Iterator[_CopyBehind | None]:
    """A _CopyBehind for the import's COPYs (none without them). On every way out its thread
    has ended before the connection is used again, and a failed COPY is raised here."""
    if copy is None:
        yield None
        return
    behind = _CopyBehind(job, copy)
    try:
        yield behind
    except BaseException:
        behind.abandon()
        raise
    behind.finish()


INSERT_COLUMNS = (
    *plans.MEMBER_FIELDS, "id_number", "id_number_hash", "phone", "phone_hash", "organization_id", "org_path",
    "created_at", "updated_at",
)  # fmt: skip
UPDATE_COLUMNS = (*plans.MEMBER_FIELDS, "phone", "phone_hash", "organization_id", "org_path", "updated_at")
# PostgreSQL's binary COPY format: cheaper to make than text (no escaping, no date or hex
# formatting) and cheaper for the server to read
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # then no flags, no header extension
_COPY_TRAILER = b"\xff\xff"
_INT2, _INT4 = struct.Struct("!h").pack, struct.Struct("!i").pack
_DATE_FIELD = struct.Struct("!ii").pack  # length 4, days since 2000-01-01
_INT8_FIELD = struct.Struct("!iq").pack  # length 8, a bigint or microseconds since 2000-01-01
_NULL_FIELD = _INT4(-1)
_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _bytes_field(data: bytes) -> bytes:
    return _INT4(len(data)) + data


class _DateFields(dict):
    """Dates as binary COPY fields (days since 2000-01-01), each made once."""

    def __init__(self, epoch: int):
        super().__init__()
        self.epoch = epoch

    def __missing__(self, value: date) -> bytes:
        field = self[value] = _DATE_FIELD(4, value.toordinal() - self.epoch)
        return field


class _TextFields(dict):
    """Text values as binary COPY fields, each made once: the choices repeat on every row."""

    def __missing__(self, value: str) -> bytes:
        field = self[value] = _bytes_field(value.encode())
        return field


def _row_maker(
    now, *, ignore: frozenset[str] = frozenset(), registered: Container[bytes] = frozenset()
) -> Callable[..., tuple]:
    """How a checked row is made ready to write, on this database: a row in PostgreSQL's binary
    COPY format, a tuple for SQLite. Made in the parallel checkers, encryption included, so that
    the writer has nothing left to do per row. The fingerprint, to compare with what is stored,
    only for a member `registered` (by ID hash): 0 for the others."""
    id_field, phone_field = Member._meta.get_field("id_number"), Member._meta.get_field("phone")
    fingerprint = plans.member_fingerprint
    if connection.vendor == "postgresql":
        seal_id, seal_phone = id_field.byte_sealer(), phone_field.byte_sealer()
        width = _INT2(len(INSERT_COLUMNS))
        epoch = _PG_EPOCH.date().toordinal()
        stamps = _INT8_FIELD(8, (now - _PG_EPOCH) // timedelta(microseconds=1)) * 2
        texts, places = _TextFields(), {}
        # the fields that repeat from row to row, each run of them made once: dates (a roster
        # has a few tens of thousands of different ones), and the choices side by side
        day_fields = _DateFields(epoch)
        day_fields[None] = _NULL_FIELD
        kinds: dict[tuple, bytes] = {}

        def binary_row(row_number, id_hash, values, number, phone, phone_hash, org_id, org_path):
            (
                name,
                gender,
                ethnicity,
                birth,
                education,
                joined,
                full,
                status,
                category,
                joined_exact,
                full_exact,
            ) = values
            place = places.get(org_id)
            if place is None:
                place = places[org_id] = _INT8_FIELD(8, org_id) + _bytes_field(org_path.encode())
            person = gender, ethnicity
            standing = status, category, joined_exact, full_exact
            head = kinds.get(person)
            if head is None:
                head = kinds[person] = texts[gender] + texts[ethnicity]
            tail = kinds.get(standing)
            if tail is None:
                tail = kinds[standing] = b"".join(map(texts.__getitem__, standing))
            name = name.encode()
            sealed_id, sealed_phone = seal_id(number.encode()), seal_phone(phone.encode())
            known = fingerprint(values, phone_hash, org_id, ignore) if id_hash in registered else 0
            return row_number, id_hash, known, b"".join((
                width, _INT4(len(name)), name, head, day_fields[birth], texts[education], day_fields[joined],
                day_fields[full], tail, _INT4(len(sealed_id)), sealed_id, _INT4(len(id_hash)), id_hash,
                _INT4(len(sealed_phone)), sealed_phone, _INT4(len(phone_hash)), phone_hash, place, stamps,
            ))  # fmt: skip

        return binary_row

    stamp = now.isoformat(sep=" ")
    seal_id, seal_phone = id_field.sealer(), phone_field.sealer()

    def tuple_row(row_number, id_hash, values, number, phone, phone_hash, org_id, org_path):
        # dates as the text SQLite stores them: cheaper to send back from a checking process
        # than date objects, and nothing left for the writer to convert
        birth, joined, full = values[3], values[5], values[6]
        written = (
            *values[:3],
            birth.isoformat(),
            values[4],
            joined.isoformat(),
            full.isoformat() if full else None,
        )
        return (
            row_number,
            id_hash,
            fingerprint(values, phone_hash, org_id, ignore) if id_hash in registered else 0,
            (*written, *values[7:], seal_id(number), id_hash, seal_phone(phone), phone_hash, org_id, org_path, stamp,
             stamp),
        )  # fmt: skip

    return tuple_row


def _update_row(insert: bytes, columns: tuple[str, ...], pk: int) -> bytes:
    """The binary COPY row of (*columns, id), from a binary row made for INSERT_COLUMNS."""
    fields, at = [], 2  # each field: its length (-1: null) and its data
    while at < len(insert):
        end = at + 4 + max(int.from_bytes(insert[at : at + 4], "big", signed=True), 0)
        fields.append(insert[at:end])
        at = end
    kept = [fields[INSERT_COLUMNS.index(column)] for column in columns]
    return b"".join([_INT2(len(kept) + 1), *kept, _INT8_FIELD(8, pk)])


def _update_columns(kept: frozenset[str]) -> tuple[str, ...]:
    """UPDATE_COLUMNS without those the sheet lacks (the phone goes with its hash)."""
    skipped = set(kept) | ({"phone_hash"} if "phone" in kept else set())
    return tuple(column for column in UPDATE_COLUMNS if column not in skipped)


def _update_values(insert: tuple, columns: tuple[str, ...]) -> list:
    """The values of `columns` in a row made for INSERT_COLUMNS."""
    return [insert[INSERT_COLUMNS.index(column)] for column in columns]


def _registered_id_hashes() -> set[bytes]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number_hash FROM {Member._meta.db_table}")  # noqa: S608
        return {bytes(digest) for (digest,) in cursor.fetchall()}


def _existing_members(
    hashes: Sequence[bytes], *, ignore: frozenset[str] = frozenset()
) -> dict[bytes, plans.ExistingMember]:
    """The members already registered under these ID numbers (by keyed hash), anywhere."""
    columns = ("id_number_hash", "id", "org_path", "organization_id", *plans.MEMBER_FIELDS, "phone_hash")
    table = Member._meta.db_table
    if connection.vendor == "postgresql":
        # the hashes go in by COPY and meet the members in a join: one round trip, no
        # 290,000-parameter statement to build
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE import_hashes (h bytea)")
            try:
                with cursor.cursor.copy("COPY import_hashes (h) FROM STDIN") as copy:
                    for start in range(0, len(hashes), 10000):
                        copy.write("".join(f"\\\\x{h.hex()}\n" for h in hashes[start : start + 10000]))
                cursor.execute(
                    f"SELECT {', '.join('m.' + c for c in columns)} FROM {table} m "  # noqa: S608
                    "JOIN import_hashes i ON m.id_number_hash = i.h"
                )
                rows = cursor.fetchall()
            finally:
                cursor.execute("DROP TABLE import_hashes")
    else:
        rows = []
        for start in range(0, len(hashes), 900):
            rows += Member.objects.filter(id_number_hash__in=hashes[start : start + 900]).values_list(
                *columns
            )
    fingerprint = plans.member_fingerprint
    return {
        bytes(digest): plans.ExistingMember(
            pk, org_path, fingerprint(tuple(values), bytes(phone_hash), org_id, ignore)
        )
        for digest, pk, org_path, org_id, *values, phone_hash in rows
    }


def _write_members(job: ExchangeJob, plan: plans.MemberPlan) -> tuple[int, int, int]:
    """Write what the plan has left to write (new members not yet written, and the updates),
    recount the tree and record the import; in the caller's transaction."""
    table = Member._meta.db_table
    columns = _update_columns(plan.kept)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if plan.inserts or plan.creates:
                inserts = itertools.chain(plan.inserts, (row.insert for row in plan.creates))
                _copy(cursor, table, INSERT_COLUMNS, b"".join(inserts))  # type: ignore[arg-type]
            if plan.updates:
                # the same column types, none of the constraints; dropped once used (and at commit,
                # whatever happens): another import may follow in the same transaction
                cursor.execute(
                    f"CREATE TEMP TABLE member_import_update ON COMMIT DROP AS "  # noqa: S608
                    f"SELECT {', '.join(columns)}, id FROM {table} WITH NO DATA"
                )
                _copy(cursor, "member_import_update", (*columns, "id"),
                      b"".join(_update_row(row.insert, columns, pk) for pk, row in plan.updates))  # type: ignore[arg-type]  # fmt: skip
                assignments = ", ".join(f"{column} = u.{column}" for column in columns)
                cursor.execute(
                    f"UPDATE {table} m SET {assignments} FROM member_import_update u WHERE m.id = u.id"  # noqa: S608
                )
                cursor.execute("DROP TABLE member_import_update")
        else:
            marks = ", ".join(["%s"] * len(INSERT_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(INSERT_COLUMNS)}) VALUES ({marks})",  # noqa: S608
                itertools.chain(plan.inserts, (row.insert for row in plan.creates)),
            )
            assignments = ", ".join(f"{column} = %s" for column in columns)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
                [(*_update_values(row.insert, columns), pk) for pk, row in plan.updates],
            )
    counts = (plan.written + len(plan.inserts) + len(plan.creates), len(plan.updates), plan.unchanged)
    if counts[0] or counts[1]:
        with _timed(job, "counters"):
            if plan.added is None or plan.updates:
                org_counters_rebuild(root=job.organization)
            else:  # every row was a new member: add them, no need to count the subtree again
                org_counters_add(root=job.organization, added=plan.added)
    _audit_import(job, counts)
    _check(job)
    return counts


def _copy(cursor, table: str, columns: Iterable[str], rows: bytes) -> None:
    """PostgreSQL COPY of rows already in its binary format, end to end in one block."""
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(_COPY_SIGNATURE)
        copy.write(rows)
        copy.write(_COPY_TRAILER)


# ---- exports ---------------------------------------------------------------------------------


def _run_export(job: ExchangeJob) -> None:
    viewer = job.created_by
    try:
        target = ContentFile(b"")
        if job.kind == ExchangeJob.Kind.MEMBERS:
            with _progress_apart(job) as report:
                count = members_export(
                    viewer=viewer,
                    filters=member_filter_from(viewer, job.parameters),
                    target=target,
                    progress=lambda done, total: report(processed_rows=done, total_rows=total),
                )
        else:
            root = Organization.objects.filter(pk=job.parameters.get("org")).first() or viewer.organization
            count = organizations_export(viewer=viewer, root=root, target=target)
        target.seek(0)
        _check(job)
        job.file.save(f"{uuid.uuid4().hex}.xlsx", target, save=False)
        _save(
            job,
            status=ExchangeJob.Status.SUCCEEDED,
            file=job.file.name,
            total_rows=count,
            processed_rows=count,
            finished_at=timezone.now(),
        )
    except PermissionDenied:
        _finish(
            job,
            status=ExchangeJob.Status.FAILED,
            message=_("无权导出该范围的数据。"),
            finished_at=timezone.now(),
        )
    except Exception:
        logger.exception("export job %s failed", job.pk)
        watchdog = getattr(job, "watchdog", None)
        message = (
            watchdog.message
            if watchdog is not None and watchdog.fired
            else _("导出失败。请稍后重试，或联系系统管理员。")
        )
        _finish(job, status=ExchangeJob.Status.FAILED, message=message, finished_at=timezone.now())


def member_filter_from(viewer, parameters: dict) -> MemberFilter:
    """Rebuild the member list's filter from a job's stored parameters, within the viewer's scope."""
    organization = None
    if parameters.get("org"):
        organization = organizations_in_scope(viewer).filter(pk=parameters["org"]).first()
        if organization is None:
            raise PermissionDenied
    return member_filter(organization=organization, data=parameters)


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


GENDERS, EDUCATIONS = _labels(Member.Gender.choices), _labels(Member.Education.choices)
STATUSES, CATEGORIES = _labels(Member.Status.choices), _labels(Member.Category.choices)
KINDS, LEVELS, FIELDS = (
    _labels(Organization.Kind.choices),
    _labels(Organization.Level.choices),
    _labels(Organization.Field.choices),
)
EXPORT_PROGRESS_EVERY = 5000


def members_export(*, viewer, filters: MemberFilter, target, progress=None) -> int:
    """The filtered roster as .xlsx, in the import layout. Whole ID numbers and phones only for
    those who may see them (then it can be edited and imported back); audited either way."""
    if not viewer.can(Capability.EXPORT_DATA):
        raise PermissionDenied
    whole = viewer.can(Capability.REVEAL_PERSONAL_DATA)
    members = member_list(viewer=viewer, filters=filters, today=timezone.localdate())
    total = members.count()
    codes = dict(
        Organization.objects.filter(in_subtree("path", viewer.organization.path)).values_list("id", "code")
    )
    mask_id, mask_phone = member_rules.mask_id_number, member_rules.mask_phone

    def rows():
        fields = ("name", "id_number", "gender", "ethnicity", "birth_date", "phone", "education", "joined_on",
                  "full_member_on", "status", "category", "organization_id", "joined_on_precision",
                  "full_member_on_precision")  # fmt: skip
        known = dates.known
        for done, (
            name,
            number,
            gender,
            ethnicity,
            birth,
            phone,
            education,
            joined,
            full,
            status,
            category,
            org,
            joined_precision,
            full_precision,
        ) in enumerate(members.values_list(*fields).iterator(chunk_size=5000), start=1):
            if progress is not None and done % EXPORT_PROGRESS_EVERY == 0:
                progress(done, total)
            yield (
                name, number if whole else mask_id(number), GENDERS.get(gender, gender), ethnicity, birth,
                (phone if whole else mask_phone(phone)) if phone else "", EDUCATIONS.get(education, education),
                known(joined, joined_precision), known(full, full_precision), STATUSES.get(status, status),
                CATEGORIES.get(category, category), codes.get(org, ""),
            )  # fmt: skip

    note = "" if whole else _("身份证号和联系电话已隐去部分数字，本文件不能再导入。")
    count = write_table(target, title=SHEETS["members"][0], columns=MEMBER_COLUMNS, rows=rows(), note=note)
    audit_record(
        actor=viewer,
        action="members.export",
        org_path=(filters.organization or viewer.organization).path,
        target_repr=_("党员名册 %(n)d 人") % {"n": count},
        extra={"rows": count, "personal_data": "whole" if whole else "masked", "filters": _describe(filters)},
    )
    return count


def organizations_export(*, viewer, root: Organization, target) -> int:
    """The subtree of `root` as .xlsx, in the import layout, parents before children."""
    if not viewer.can(Capability.EXPORT_DATA) or not root.path.startswith(viewer.organization.path):
        raise PermissionDenied
    whole = viewer.can(Capability.REVEAL_PERSONAL_DATA)
    orgs = (
        Organization.objects.filter(in_subtree("path", root.path))
        .order_by("path")
        .values_list(
            "path", "code", "name", "kind", "level", "field", "secretary__id_number", "secretary_since"
        )
    )
    code_by_path: dict[str, str] = {}
    # the top row's parent only if the exporter manages it: the sheet must import back, and an
    # organisation outside one's subtree cannot be named (a blank parent keeps the current one)
    if root.path != viewer.organization.path:
        parent = Organization.objects.filter(path=root.path[:-STEP]).values_list("code", flat=True).first()
        code_by_path[root.path[:-STEP]] = parent or ""

    def rows():
        for path, code, name, kind, level, field, secretary, since in orgs.iterator(chunk_size=2000):
            code_by_path[path] = code
            if secretary and not whole:
                secretary = member_rules.mask_id_number(secretary)
            yield (code, name, KINDS.get(kind, kind), LEVELS.get(level, level), FIELDS.get(field, field),
                   code_by_path.get(path[:-STEP], ""), secretary or "", since)  # fmt: skip

    count = write_table(target, title=SHEETS["orgs"][0], columns=ORG_COLUMNS, rows=rows())
    audit_record(
        actor=viewer,
        action="orgs.export",
        target=root,
        org_path=root.path,
        extra={"rows": count, "personal_data": "whole" if whole else "masked"},
    )
    return count


def _describe(filters: MemberFilter) -> dict[str, object]:
    described: dict[str, object] = {}
    for name, value in filters.__dict__.items():
        if value in (None, ""):
            continue
        if name == "organization":
            value = value.code
        elif name == "id_number":
            value = member_rules.mask_id_number(value)
        elif name == "id_number_hash":
            continue
        elif name == "id_number_masked":
            name = "id_number"
        described[name] = value
    return described
