"""Imports and exports of the organisation tree and the member roster.

An import is a job: the upload is checked and stored, a background task reads it, checks every
row, and either writes all of it in one transaction or writes nothing and leaves an error
report. The job row carries the progress, so a reloaded page picks up where it was.
"""

import gc
import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.accounts.roles import Capability
from shuzhi.core.access import in_subtree
from shuzhi.core.protection import keyed_hash
from shuzhi.core.services import audit_record
from shuzhi.exchange import parallel, plans
from shuzhi.exchange.models import ExchangeJob
from shuzhi.exchange.sheets import MEMBER_COLUMNS, ORG_COLUMNS, SHEETS
from shuzhi.exchange.workbook import SheetData, check_upload, read_sheet, write_report, write_table
from shuzhi.members import rules as member_rules
from shuzhi.members.models import ID_NUMBER_PURPOSE, PHONE_PURPOSE, Member
from shuzhi.members.selectors import MemberFilter, member_filter, member_list, organizations_in_scope
from shuzhi.members.services import org_counters_rebuild
from shuzhi.orgs.models import Organization

logger = logging.getLogger(__name__)

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
    """Run one queued job to its end. Whoever claims it first runs it; a second call returns."""
    job = ExchangeJob.objects.select_related("created_by", "organization").get(pk=job_id)
    first = ExchangeJob.Status.READING if job.is_import else ExchangeJob.Status.EXPORTING
    if not ExchangeJob.objects.filter(pk=job_id, status=ExchangeJob.Status.QUEUED).update(status=first):
        return job
    job.status = first
    if job.is_import:
        _run_import(job)
    else:
        _run_export(job)
    return job


def _run_import(job: ExchangeJob) -> None:
    """Read, check and (when every row is right) write one import."""
    job.timings = {}
    try:
        with _timed(job, "total"):
            with _timed(job, "read"):
                sheet = read_sheet(job.file.path, preferred_title=SHEETS[job.kind][0])
            # millions of cell objects that live to the end: keep the collector from walking
            # them again and again (and from touching the pages forked checkers share)
            gc.freeze()
            _progress(job, status=ExchangeJob.Status.VALIDATING, total_rows=len(sheet.rows), processed_rows=0)
            errors = plans.Errors()
            planner = _plan_orgs if job.kind == ExchangeJob.Kind.ORGANIZATIONS else _plan_members
            with _timed(job, "check"):
                plan = planner(job, sheet, errors)
            if errors:
                _reject(job, sheet, errors)
                return
            _progress(job, status=ExchangeJob.Status.WRITING, processed_rows=len(sheet.rows))
            with _timed(job, "write"), transaction.atomic():
                applier = _apply_orgs if job.kind == ExchangeJob.Kind.ORGANIZATIONS else _apply_members
                created, updated, unchanged = applier(job, plan)
                audit_record(
                    actor=job.created_by,
                    action=f"{job.kind}.import",
                    target=job,
                    org_path=job.organization.path,
                    extra={
                        "file": job.original_name,
                        "sha256": job.sha256,
                        "rows": len(sheet.rows),
                        "created": created,
                        "updated": updated,
                        "unchanged": unchanged,
                    },
                )
        _progress(
            job,
            status=ExchangeJob.Status.SUCCEEDED,
            created_count=created,
            updated_count=updated,
            unchanged_count=unchanged,
            timings=job.timings,
            finished_at=timezone.now(),
        )
        logger.info("import job %s: %d rows; seconds %s", job.pk, len(sheet.rows), job.timings)
    except ValidationError as error:
        _progress(
            job,
            status=ExchangeJob.Status.REJECTED,
            message="；".join(error.messages),
            finished_at=timezone.now(),
        )
    except Exception as error:
        logger.exception("import job %s failed", job.pk)
        _progress(
            job,
            status=ExchangeJob.Status.FAILED,
            message=_("处理失败，未导入任何数据（%(kind)s）。请稍后重试，或联系系统管理员。")
            % {"kind": type(error).__name__},
            finished_at=timezone.now(),
        )
    finally:
        gc.unfreeze()


@contextmanager
def _timed(job: ExchangeJob, phase: str) -> Iterator[None]:
    """Add the seconds spent in a phase to job.timings (saved with the job's next progress)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        job.timings[phase] = round(job.timings.get(phase, 0) + time.perf_counter() - started, 3)


def _progress(job: ExchangeJob, **fields) -> None:
    """Save progress outside any transaction, so that the page sees it at once."""
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=[*fields, "updated_at"])


def _reject(job: ExchangeJob, sheet: SheetData, errors: plans.Errors) -> None:
    found = errors.sorted()
    report = ContentFile(b"")
    write_report(report, sheet=sheet, errors=found[:REPORT_ERRORS], total_errors=len(found))
    report.seek(0)
    job.report.save(f"{uuid.uuid4().hex}-errors.xlsx", report, save=False)
    _progress(
        job,
        status=ExchangeJob.Status.REJECTED,
        error_count=len(found),
        errors=[error.__dict__ for error in found[:ERRORS_ON_PAGE]],
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


def _read_header(sheet: SheetData, spec, errors: plans.Errors) -> plans.Sheet | None:
    columns = plans.read_header(sheet.header, sheet.header_row, spec, errors)
    return None if errors else plans.Sheet(sheet.header_row, columns, sheet.rows)


def _plan_orgs(job: ExchangeJob, data: SheetData, errors: plans.Errors) -> plans.OrgPlan | None:
    sheet = _read_header(data, ORG_COLUMNS, errors)
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
    hashes = {keyed_hash(n, purpose=ID_NUMBER_PURPOSE): n for n in numbers}
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


def _plan_members(job: ExchangeJob, data: SheetData, errors: plans.Errors) -> plans.MemberPlan | None:
    sheet = _read_header(data, MEMBER_COLUMNS, errors)
    if sheet is None:
        return None
    root = job.organization
    rows = _scope_orgs(root)
    parents = _parent_codes(rows)
    index = plans.OrgIndex(
        (plans.OrgRef(r[1], r[2], r[3], r[4], id=r[0], path=r[6], parent_code=parents[r[6]]) for r in rows),
        root_code=root.code,
        root_ancestor_names=_ancestor_names(root),
    )
    org_ids = {r[1]: (r[0], r[6]) for r in rows}
    today = timezone.localdate()
    kept = frozenset(key for key in plans.KEEPABLE_COLUMNS if key not in sheet.columns)
    make_row = _row_maker(timezone.now(), ignore=kept)

    def check(start: int, stop: int, progress) -> tuple[list[tuple], list[plans.RowError], dict[str, int]]:
        # runs in a forked process for large sheets: pure, no database
        found, seen = plans.Errors(), {}
        good = plans.read_member_rows(
            sheet, MEMBER_COLUMNS, index=index, org_ids=org_ids, today=today,
            hash_id=lambda number: keyed_hash(number, purpose=ID_NUMBER_PURPOSE),
            hash_phone=lambda phone: keyed_hash(member_rules.phone_lookup_form(phone), purpose=PHONE_PURPOSE),
            make_row=make_row, errors=found, progress=progress, start=start, stop=stop, seen=seen,
        )  # fmt: skip
        return good, found.items, seen

    with _timed(job, "check_rows"):
        slices = parallel.in_slices(
            check, len(sheet.rows), on_progress=lambda done: _progress(job, processed_rows=done)
        )
    for _good, found, _seen in slices:
        for error in found:
            errors.items.append(error)
            errors.rows.add(error.row)
    repeated = plans.cross_slice_duplicates(
        [seen for *_rest, seen in slices], sheet=sheet, spec=MEMBER_COLUMNS, errors=errors
    )
    good = [
        plans.MemberRow._make(row) for rows, _found, _seen in slices for row in rows if row[0] not in repeated
    ]
    with _timed(job, "lookup"):
        existing = _existing_members([row.id_hash for row in good], ignore=kept)
    plan = plans.plan_members(
        good, existing=existing, scope_path=root.path, sheet=sheet, spec=MEMBER_COLUMNS, errors=errors
    )
    plan.kept = kept
    return plan


INSERT_COLUMNS = (
    *plans.MEMBER_FIELDS, "id_number", "id_number_hash", "phone", "phone_hash", "organization_id", "org_path",
    "created_at", "updated_at",
)  # fmt: skip
UPDATE_COLUMNS = (*plans.MEMBER_FIELDS, "phone", "phone_hash", "organization_id", "org_path", "updated_at")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: object) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _row_maker(now, *, ignore: frozenset[str] = frozenset()) -> Callable[..., tuple]:
    """How a checked row is made ready to write, on this database: finished COPY lines for
    PostgreSQL (made in the parallel checkers, so the writer only streams them), tuples for
    SQLite. Encryption happens here too, for the same reason."""
    seal_id = Member._meta.get_field("id_number").seal
    seal_phone = Member._meta.get_field("phone").seal
    fingerprint = plans.member_fingerprint
    if connection.vendor == "postgresql":
        text, stamp = _copy_text, now.isoformat()

        def copy_row(row_number, id_hash, values, number, phone, phone_hash, org_id, org_path):
            return (
                row_number,
                id_hash,
                fingerprint(values, phone_hash, org_id, ignore),
                "\t".join(map(text, values))
                + f"\t{seal_id(number)}\t{text(id_hash)}\t{seal_phone(phone)}\t{text(phone_hash)}\t{org_id}\t{org_path}\t{stamp}\t{stamp}",
            )

        return copy_row

    def tuple_row(row_number, id_hash, values, number, phone, phone_hash, org_id, org_path):
        return (
            row_number,
            id_hash,
            fingerprint(values, phone_hash, org_id, ignore),
            (*values, seal_id(number), id_hash, seal_phone(phone), phone_hash, org_id, org_path, now, now),
        )

    return tuple_row


def _update_columns(kept: frozenset[str]) -> tuple[str, ...]:
    """UPDATE_COLUMNS without those the sheet lacks (the phone goes with its hash)."""
    skipped = set(kept) | ({"phone_hash"} if "phone" in kept else set())
    return tuple(column for column in UPDATE_COLUMNS if column not in skipped)


def _update_values(insert, columns: tuple[str, ...]) -> list:
    """The values of `columns` in a row made for INSERT_COLUMNS (a COPY line or a tuple)."""
    fields = insert.split("\t") if isinstance(insert, str) else insert
    return [fields[INSERT_COLUMNS.index(column)] for column in columns]


def _existing_members(
    hashes: list[bytes], *, ignore: frozenset[str] = frozenset()
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


def _apply_members(job: ExchangeJob, plan: plans.MemberPlan) -> tuple[int, int, int]:
    table = Member._meta.db_table
    columns = _update_columns(plan.kept)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy_lines(cursor, table, INSERT_COLUMNS, (row.insert for row in plan.creates))
            if plan.updates:
                # the same column types, none of the constraints; dropped at commit
                cursor.execute(
                    f"CREATE TEMP TABLE member_import_update ON COMMIT DROP AS "  # noqa: S608
                    f"SELECT {', '.join(columns)}, id FROM {table} WITH NO DATA"
                )
                lines = (
                    "\t".join([*_update_values(row.insert, columns), str(pk)]) for pk, row in plan.updates
                )
                _copy_lines(cursor, "member_import_update", (*columns, "id"), lines)
                assignments = ", ".join(f"{column} = u.{column}" for column in columns)
                cursor.execute(
                    f"UPDATE {table} m SET {assignments} FROM member_import_update u WHERE m.id = u.id"  # noqa: S608
                )
        else:
            marks = ", ".join(["%s"] * len(INSERT_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(INSERT_COLUMNS)}) VALUES ({marks})",  # noqa: S608
                [row.insert for row in plan.creates],
            )
            assignments = ", ".join(f"{column} = %s" for column in columns)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
                [(*_update_values(row.insert, columns), pk) for pk, row in plan.updates],
            )
    if plan.creates or plan.updates:
        with _timed(job, "counters"):
            org_counters_rebuild(root=job.organization)
    return len(plan.creates), len(plan.updates), plan.unchanged


def _copy_lines(cursor, table: str, columns: Iterable[str], lines: Iterable[str], batch: int = 5000) -> None:
    """PostgreSQL COPY of lines already in its text format, written in large blocks."""
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        block: list[str] = []
        for line in lines:
            block.append(line)
            if len(block) >= batch:
                copy.write("\n".join(block) + "\n")
                block.clear()
        if block:
            copy.write("\n".join(block) + "\n")


# ---- exports ---------------------------------------------------------------------------------


def _run_export(job: ExchangeJob) -> None:
    viewer = job.created_by
    try:
        target = ContentFile(b"")
        if job.kind == ExchangeJob.Kind.MEMBERS:
            count = members_export(viewer=viewer, filters=member_filter_from(viewer, job.parameters), target=target,
                                   progress=lambda done, total: _progress(job, processed_rows=done, total_rows=total))  # fmt: skip
        else:
            root = Organization.objects.filter(pk=job.parameters.get("org")).first() or viewer.organization
            count = organizations_export(viewer=viewer, root=root, target=target)
        target.seek(0)
        job.file.save(f"{uuid.uuid4().hex}.xlsx", target, save=False)
        _progress(
            job,
            status=ExchangeJob.Status.SUCCEEDED,
            file=job.file.name,
            total_rows=count,
            processed_rows=count,
            finished_at=timezone.now(),
        )
    except PermissionDenied:
        _progress(
            job,
            status=ExchangeJob.Status.FAILED,
            message=_("无权导出该范围的数据。"),
            finished_at=timezone.now(),
        )
    except Exception as error:
        logger.exception("export job %s failed", job.pk)
        _progress(
            job,
            status=ExchangeJob.Status.FAILED,
            message=_("导出失败（%(kind)s）。请稍后重试，或联系系统管理员。")
            % {"kind": type(error).__name__},
            finished_at=timezone.now(),
        )


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
                  "full_member_on", "status", "category", "organization_id")  # fmt: skip
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
        ) in enumerate(members.values_list(*fields).iterator(chunk_size=5000), start=1):
            if progress is not None and done % EXPORT_PROGRESS_EVERY == 0:
                progress(done, total)
            yield (
                name, number if whole else mask_id(number), GENDERS.get(gender, gender), ethnicity, birth,
                (phone if whole else mask_phone(phone)) if phone else "", EDUCATIONS.get(education, education),
                joined, full, STATUSES.get(status, status), CATEGORIES.get(category, category), codes.get(org, ""),
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
        described[name] = value
    return described
