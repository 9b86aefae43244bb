"""From spreadsheet rows to an import plan, or to the complete list of what is wrong.

Pure: the service loads the reference data (organisations in scope, existing members) as plain
values and writes the plan; nothing here touches the database. Every row is checked, so that
one upload gives the whole error report, not the first mistake.
"""

import itertools
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import NamedTuple

from django.utils.translation import gettext as _

from shuzhi.core import dates
from shuzhi.core.protection import KEYED_HASH_BYTES
from shuzhi.exchange import rules
from shuzhi.exchange.rules import CellError
from shuzhi.exchange.sheets import CHOICE, DATE, NAME, Column, header_lookup
from shuzhi.members import rules as member_rules
from shuzhi.orgs import rules as org_rules

PROGRESS_EVERY = 5000


@dataclass(frozen=True)
class RowError:
    row: int  # the row number Excel shows (the header is usually row 1)
    column: str  # the header, or "" when the whole row or file is meant
    letter: str
    value: str
    message: str


class Errors:
    def __init__(self):
        self.items: list[RowError] = []
        self.rows: set[int] = set()
        # rows refused because their ID number is registered outside the importer's subtree:
        # (row, masked number), for the audit log (the page says only "outside your scope")
        self.registered_elsewhere: list[tuple[int, str]] = []

    def add(self, row: int, column: Column | None, letter: str, value: object, message: str) -> None:
        shown = "" if rules.is_blank(value) else str(value)
        self.items.append(RowError(row, column.header if column else "", letter, shown[:200], message))
        self.rows.add(row)

    def extend(self, items: Iterable[RowError]) -> None:
        for error in items:
            self.items.append(error)
            self.rows.add(error.row)

    def __bool__(self) -> bool:
        return bool(self.items)

    def sorted(self) -> list[RowError]:
        return sorted(self.items, key=lambda e: (e.row, e.letter))


@dataclass
class Sheet:
    """Data rows of a sheet and where each known column is."""

    header_row: int  # Excel row number of the header
    columns: dict[str, int]  # column key → index in the row
    rows: Sequence[Sequence[object]]
    numbers: Sequence[int] | None = None  # Excel row number of each row, when rows were skipped
    # column key → the value of every row, for a column the sheet lacks but whose value is known
    # (the organisation named by a 填报单位 line above the header)
    defaults: dict[str, object] = field(default_factory=dict)

    def number(self, index: int) -> int:
        return self.numbers[index] if self.numbers is not None else self.header_row + 1 + index

    def index(self, number: int) -> int:
        """The index in `rows` of the row Excel numbers `number`."""
        if self.numbers is None:
            return number - self.header_row - 1
        return bisect_left(self.numbers, number)


def read_header(
    cells: Sequence[object],
    header_row: int,
    spec: Sequence[Column],
    errors: Errors,
    *,
    defaults: Iterable[str] = (),
    notes: list[str] | None = None,
) -> dict[str, int]:
    """Find each column by its header or one of its other names; a missing required column is
    an error of the file, unless its values can be had elsewhere (`defaults`, or the column it
    is inferred from). The same header twice is an error; another name of a column already
    found is passed over (a roster with 联系电话 and 手机 reads 联系电话), and said in `notes`."""
    lookup = header_lookup(spec)
    by_key = {column.key: column for column in spec}
    found: dict[str, int] = {}
    exact: dict[str, str] = {}
    for index, cell in enumerate(cells):
        key = next((lookup[name] for name in rules.header_names(cell) if name in lookup), None)
        if key is None:
            continue
        column, name = by_key[key], rules.normalise_header(cell)
        if key in found:
            if name == exact[key]:
                errors.add(header_row, column, rules.column_letter(index), cell, _("该列出现了两次。"))
            elif notes is not None:
                notes.append(
                    _("“%(this)s”列与“%(first)s”列是同一项，按“%(first)s”列读取。")
                    % {"this": name, "first": exact[key]}
                )
            continue
        found[key] = index
        exact[key] = name
    defaults = set(defaults)
    for column in spec:
        if not column.required or column.key in found or column.key in defaults:
            continue
        if column.inferred_from and column.inferred_from in found:
            continue
        errors.add(header_row, column, "", "", _("缺少必填列“%(header)s”。") % {"header": column.header})
    return found


class RowReader:
    """Parse the cells of one row by the column spec, recording each bad cell.

    Each column gets a parser made once per import, with a fast path for the usual cell (a
    string, a date) and the general rules behind it: a roster has hundreds of thousands of rows.
    """

    def __init__(self, sheet: Sheet, spec: Sequence[Column], errors: Errors):
        self.sheet = sheet
        self.errors = errors
        self.spec = {column.key: column for column in spec}
        self.positions = {column.key: sheet.columns.get(column.key) for column in spec}
        self.letters = {key: rules.column_letter(index) for key, index in sheet.columns.items()}
        required = _("必填，不能为空。")
        self.parsers = {column.key: _parser(column, required) for column in spec}
        self.required_message = required
        self.cells: Sequence[object] = ()
        self.row = 0
        self.ok = True

    def start(self, index: int) -> None:
        self.cells = self.sheet.rows[index]
        self.row = self.sheet.number(index)
        self.ok = True

    def raw(self, key: str) -> object:
        position = self.positions[key]
        if position is None:
            return self.sheet.defaults.get(key, "")
        if position >= len(self.cells):
            return ""
        return self.cells[position]

    def fail(self, key: str, message: str, value: object = None) -> None:
        self.ok = False
        self.errors.add(
            self.row,
            self.spec[key],
            self.letters.get(key, ""),
            self.raw(key) if value is None else value,
            message,
        )

    def get(self, key: str):
        """The parsed value of a cell ("" or None when empty), or None after recording why not."""
        try:
            return self.parsers[key](self.raw(key))
        except CellError as error:
            self.fail(key, str(error))
            return None

    def digits(self, key: str, what: str) -> str | None:
        value = self.raw(key)
        try:
            result = rules.digits_text(value, what=what)
        except CellError as error:
            self.fail(key, str(error))
            return None
        if not result and self.spec[key].required:
            self.fail(key, self.required_message)
            return None
        return result


def _parser(column: Column, required_message: str) -> Callable[[object], object]:
    required, max_length, choices = column.required, column.max_length, column.choices
    empty = "" if column.kind == CHOICE else None

    def blank() -> object:
        if required:
            raise CellError(required_message)
        return empty

    if column.kind == DATE:

        def parse_date(value: object) -> object:
            kind = value.__class__
            if kind is date:
                return value
            if kind is datetime:
                return value.date()  # type: ignore[attr-defined]
            if rules.is_blank(value):
                return blank()
            return rules.parse_date(value)

        return parse_date

    if column.kind == CHOICE:

        def parse_choice(value: object) -> object:
            if value.__class__ is str:
                hit = choices.get(value)  # type: ignore[arg-type]
                if hit is not None:
                    return hit
            if rules.is_blank(value):
                return blank()
            return rules.parse_choice(value, choices)

        return parse_choice

    if column.kind == NAME:

        def parse_name(value: object) -> object:
            if value.__class__ is str:
                text = value.strip()  # type: ignore[attr-defined]
                if " " in text or "\u3000" in text or "\xa0" in text or "\t" in text:
                    text = rules.compact(text)
                if text and text[0] != "'" and (max_length is None or len(text) <= max_length):
                    return text
            if rules.is_blank(value):
                return blank()
            return rules.text(
                rules.compact(value) if isinstance(value, str) else value, max_length=max_length
            )

        return parse_name

    def parse_text(value: object) -> object:
        if value.__class__ is str:
            text = value.strip()  # type: ignore[attr-defined]
            if text and text[0] != "'" and (max_length is None or len(text) <= max_length):
                return text
        if rules.is_blank(value):
            return blank()
        return rules.text(value, max_length=max_length)

    return parse_text


# ---- organisations ---------------------------------------------------------------------------


@dataclass
class OrgRef:
    """An organisation as the plan sees it: one in the database (id set) or one the file adds."""

    code: str
    name: str
    kind: str
    level: str
    id: int | None = None
    path: str = ""
    parent_code: str | None = None
    row: int = 0  # the file row that adds or changes it
    children: list["OrgRef"] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.id is None


class OrgIndex:
    """Organisations in the importer's scope, found by code or by a path of names."""

    def __init__(self, orgs: Iterable[OrgRef], *, root_code: str, root_ancestor_names: Sequence[str] = ()):
        self._by_folded_name: dict[str, list[OrgRef]] | None = None
        self.by_code: dict[str, OrgRef] = {}
        self.by_parent_and_name: dict[tuple[str | None, str], list[OrgRef]] = {}
        self.by_name: dict[str, list[OrgRef]] = {}
        self.root_code = root_code
        self.root_ancestor_names = list(root_ancestor_names)
        for org in orgs:
            self.add(org)
        for org in self.by_code.values():
            if org.parent_code in self.by_code:
                self.by_code[org.parent_code].children.append(org)

    def add(self, org: OrgRef) -> None:
        self._by_folded_name = None
        self.by_code[org.code] = org
        self.by_parent_and_name.setdefault((org.parent_code, org.name), []).append(org)
        self.by_name.setdefault(org.name, []).append(org)

    def resolve(self, reference: str) -> OrgRef:
        """By code first; else by names from the top, e.g. '柳泉镇委员会/王庄村党支部'; a name
        written with spaces or full-width letters, or with or without 中共 before it, is the
        same name when only one organisation has it."""
        found = self.by_code.get(reference)
        if found is not None:
            return found
        try:
            return self._by_names(reference)
        except CellError:
            folded = self._folded().get(_bare(reference))
            if folded is not None and len(folded) == 1:
                return folded[0]
            raise

    def _folded(self) -> dict[str, list["OrgRef"]]:
        if self._by_folded_name is None:
            self._by_folded_name = {}
            for org in self.by_code.values():
                self._by_folded_name.setdefault(_bare(org.name), []).append(org)
                self._by_folded_name.setdefault(_bare(org.code), []).append(org)
        return self._by_folded_name

    def _by_names(self, reference: str) -> "OrgRef":
        names = rules.split_org_path(reference)
        if not names:
            raise CellError(_("请填写组织编码或名称路径。"))
        # a path written from the city down may start above the importer's own organisation
        ancestors = self.root_ancestor_names
        if len(names) > len(ancestors) and names[: len(ancestors)] == ancestors:
            names = names[len(ancestors) :]
        candidates = self.by_name.get(names[0], [])
        for name in names[1:]:
            candidates = [
                child
                for parent in candidates
                for child in self.by_parent_and_name.get((parent.code, name), [])
            ]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise CellError(
                _("找不到“%(ref)s”：没有这个编码或名称路径的党组织，或它不在您的管理范围内。")
                % {"ref": reference}
            )
        raise CellError(
            _("“%(ref)s”对应 %(n)d 个党组织，请改填组织编码。") % {"ref": reference, "n": len(candidates)}
        )


def _bare(name: str) -> str:
    """A name as compared when nothing else matched: no spaces, half-width, no leading 中共."""
    return rules.fold(name).removeprefix("中共")


@dataclass
class OrgChange:
    org: OrgRef
    values: dict[str, object]  # field → new value (only what changes, for an update)
    secretary_id: int | None = None
    set_secretary: bool = False


@dataclass
class OrgPlan:
    creates: list[OrgChange] = field(default_factory=list)  # parents before children
    updates: list[OrgChange] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True)
class ExistingOrg:
    """What the database holds of an organisation in scope, for change detection."""

    id: int
    code: str
    name: str
    kind: str
    level: str
    field: str
    path: str
    parent_code: str | None
    secretary_id: int | None
    secretary_since: date | None


def plan_orgs(
    sheet: Sheet,
    spec: Sequence[Column],
    *,
    existing: Sequence[ExistingOrg],
    root_code: str,
    root_ancestor_names: Sequence[str] = (),
    codes_elsewhere: set[str],
    secretaries: dict[str, tuple[int, str]],
    errors: Errors,
) -> OrgPlan:
    """Check every row of an organisation sheet against the tree in scope.

    `codes_elsewhere`: codes in the file that exist outside the importer's scope.
    `secretaries`: normalised ID number → (member id, member's org path) for the file's numbers.
    """
    current = {org.code: org for org in existing}
    index = OrgIndex(
        (
            OrgRef(o.code, o.name, o.kind, o.level, id=o.id, path=o.path, parent_code=o.parent_code)
            for o in existing
        ),
        root_code=root_code,
        root_ancestor_names=root_ancestor_names,
    )
    reader = RowReader(sheet, spec, errors)
    parsed: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for i in range(len(sheet.rows)):
        reader.start(i)
        values = {
            key: reader.get(key)
            for key in ("code", "name", "kind", "level", "field", "parent", "secretary_since")
        }
        values["secretary_id"] = reader.digits("secretary_id", _("书记身份证号"))
        if isinstance(values["secretary_since"], dates.MonthDate):
            reader.fail("secretary_since", _("书记任职日期请写到日，如 2021-07-01。"))
        code = values["code"]
        if code:
            if code in seen:
                reader.fail("code", _("与第 %(row)d 行的组织编码重复。") % {"row": seen[code]})
            elif code in codes_elsewhere:
                reader.fail("code", _("组织编码“%(code)s”已被您管理范围以外的组织使用。") % {"code": code})
            else:
                seen[code] = reader.row
            if not org_rules.CODE_PATTERN.match(code):
                reader.fail("code", _("组织编码只能包含字母、数字、下划线和连字符。"))
        if reader.ok:
            parsed.append((reader.row, values))

    # organisations the file adds take their place in the index, parents resolved below
    rows_by_code: dict[str, tuple[int, dict]] = {}
    for row, values in parsed:
        rows_by_code[values["code"]] = (row, values)
        if values["code"] not in current:
            index.by_code[values["code"]] = OrgRef(
                values["code"], values["name"], values["kind"], values["level"], row=row
            )

    parent_of: dict[str, OrgRef | None] = {}
    pending = list(parsed)
    while pending:
        progress, still = False, []
        for row, values in pending:
            code, reference = values["code"], values["parent"]
            if not reference:
                parent_of[code] = None
                progress = True
                continue
            try:
                parent = index.resolve(reference)
            except CellError:
                still.append((row, values))
                continue
            if parent.is_new and parent.code not in parent_of and parent.code != code:
                still.append((row, values))  # its own parent is not placed yet
                continue
            parent_of[code] = parent
            org = index.by_code[code]
            if org.is_new:
                org.parent_code = parent.code
                parent.children.append(org)
                index.by_parent_and_name.setdefault((parent.code, org.name), []).append(org)
                index.by_name.setdefault(org.name, []).append(org)
            progress = True
        pending = still
        if not progress:
            break
    for row, values in pending:
        try:
            index.resolve(values["parent"])
            message = _("上级组织的上级关系无法确定（可能循环引用）。")
        except CellError as error:
            message = str(error)
        errors.add(row, _column(spec, "parent"), _letter(sheet, "parent"), values["parent"], message)

    plan = OrgPlan()
    final = {code: (values["kind"], values["level"]) for code, (_row, values) in rows_by_code.items()}
    for code, parent in parent_of.items():
        row, values = rows_by_code[code]
        before = current.get(code)
        if parent is not None and parent.code == code:
            errors.add(
                row,
                _column(spec, "parent"),
                _letter(sheet, "parent"),
                values["parent"],
                _("上级组织不能是本组织。"),
            )
            continue
        if before is None and parent is None:
            if code != root_code:
                errors.add(
                    row, _column(spec, "parent"), _letter(sheet, "parent"), "", _("新建组织须填写上级组织。")
                )
            continue
        if before is not None and parent is not None and before.parent_code != parent.code:
            errors.add(
                row, _column(spec, "parent"), _letter(sheet, "parent"), values["parent"],
                _("不能通过导入改变隶属关系（现上级组织编码为 %(code)s）。") % {"code": before.parent_code or "—"},
            )  # fmt: skip
            continue
        if (
            before is not None
            and code == root_code
            and (values["kind"], values["level"]) != (before.kind, before.level)
        ):
            errors.add(
                row,
                _column(spec, "level"),
                _letter(sheet, "level"),
                values["level"],
                _("不能通过导入改变本单位的类别或层级。"),
            )
            continue
        parent_code = parent.code if parent is not None else (before.parent_code if before else None)
        if parent_code is not None and parent_code in index.by_code:
            parent_kind, parent_level = final.get(
                parent_code, (index.by_code[parent_code].kind, index.by_code[parent_code].level)
            )
            if not org_rules.kind_may_have_children(parent_kind):
                errors.add(row, _column(spec, "parent"), _letter(sheet, "parent"), values["parent"] or parent_code,
                           _("上级组织是党支部，下面不能再设党组织。"))  # fmt: skip
                continue
            if not org_rules.level_may_contain(parent_level, values["level"]):
                errors.add(row, _column(spec, "level"), _letter(sheet, "level"), _label(spec, "level", values["level"]),
                           _("上级组织的层级下不能设“%(level)s”层级的党组织。") % {"level": _label(spec, "level", values["level"])})  # fmt: skip
                continue
        if not _children_still_fit(index.by_code.get(code), values, final, errors, row, spec, sheet):
            continue
        change = _org_change(before, values, row, index)
        wants_secretary = values["secretary_id"] or values["secretary_since"]
        if wants_secretary and not _secretary(change, before, values, secretaries, errors, row, spec, sheet):
            continue
        if before is None:
            change.org.parent_code = parent_code
            plan.creates.append(change)
        elif change.values or change.set_secretary:
            plan.updates.append(change)
        else:
            plan.unchanged += 1
    plan.creates.sort(key=lambda change: _depth(change.org, index))
    return plan


def _depth(org: OrgRef, index: OrgIndex) -> int:
    depth, code, seen = 0, org.parent_code, set()
    while code is not None and code in index.by_code and code not in seen:
        seen.add(code)
        depth += 1
        code = index.by_code[code].parent_code
    return depth


def _children_still_fit(org: OrgRef | None, values, final, errors, row, spec, sheet) -> bool:
    """An organisation changed by the file must still be able to hold its children."""
    if org is None or not org.children:
        return True
    if not org_rules.kind_may_have_children(values["kind"]):
        errors.add(row, _column(spec, "kind"), _letter(sheet, "kind"), _label(spec, "kind", values["kind"]),
                   _("该组织下设有党组织，不能改为党支部。"))  # fmt: skip
        return False
    for child in org.children:
        child_level = final.get(child.code, (child.kind, child.level))[1]
        if not org_rules.level_may_contain(values["level"], child_level):
            errors.add(row, _column(spec, "level"), _letter(sheet, "level"), _label(spec, "level", values["level"]),
                       _("该组织下设有“%(child)s”，不能改为此层级。") % {"child": child.name})  # fmt: skip
            return False
    return True


def _org_change(before: ExistingOrg | None, values: dict, row: int, index: OrgIndex) -> OrgChange:
    fields = {name: values[name] for name in ("name", "kind", "level", "field")}
    if before is None:
        return OrgChange(org=index.by_code[values["code"]], values={"code": values["code"], **fields})
    changed = {name: value for name, value in fields.items() if getattr(before, name) != value}
    ref = index.by_code[values["code"]]
    ref.row = row
    return OrgChange(org=ref, values=changed)


def _secretary(change, before, values, secretaries, errors, row, spec, sheet) -> bool:
    number = member_rules.normalise_id_number(values["secretary_id"] or "")
    if not number:
        if (
            values["secretary_since"]
            and before is not None
            and before.secretary_since != values["secretary_since"]
        ):
            change.values["secretary_since"] = values["secretary_since"]
        return True
    if before is None:
        errors.add(row, _column(spec, "secretary_id"), _letter(sheet, "secretary_id"), number,
                   _("新建的组织还没有党员；请先导入党员名册，再填写书记。"))  # fmt: skip
        return False
    found = secretaries.get(number)
    if found is None or not found[1].startswith(before.path):
        errors.add(row, _column(spec, "secretary_id"), _letter(sheet, "secretary_id"), number,
                   _("本组织及下级组织中没有该身份证号的党员。"))  # fmt: skip
        return False
    if found[0] != before.secretary_id:
        change.secretary_id, change.set_secretary = found[0], True
    if values["secretary_since"] and values["secretary_since"] != before.secretary_since:
        change.values["secretary_since"] = values["secretary_since"]
    return True


def _column(spec: Sequence[Column], key: str) -> Column:
    return next(column for column in spec if column.key == key)


def _letter(sheet: Sheet, key: str) -> str:
    position = sheet.columns.get(key)
    return rules.column_letter(position) if position is not None else ""


def _label(spec: Sequence[Column], key: str, value: str) -> str:
    for label, stored in _column(spec, key).choices.items():
        if stored == value and not label.isascii():
            return label
    return value


# ---- members ---------------------------------------------------------------------------------


class MemberRow(NamedTuple):
    """A checked roster row, ready to write: what `make_row` made of it."""

    row: int
    id_hash: bytes
    fingerprint: int  # member_fingerprint of what the row says, to spot unchanged members
    insert: object  # what the writer needs to add this member (a binary COPY row, or a tuple)


class CheckedSlice(NamedTuple):
    """What checking a slice of the roster found, as it travels back from a forked checker:
    column by column, in arrays and byte strings, which cross between the processes at the speed
    of a copy (a tuple or a bytes object per row is pickled and unpickled one at a time)."""

    errors: list[RowError]
    seen: dict[str, int]  # every ID number read, at its first row (see cross_slice_duplicates)
    rows: array  # the good rows' numbers
    id_hashes: bytes  # their ID hashes, KEYED_HASH_BYTES each, end to end
    fingerprints: array  # member_fingerprint, or 0 for one not registered (nothing to compare)
    inserts: tuple[object, ...] | bytes  # a tuple per row (SQLite), or the binary COPY rows end to end
    ends: array  # with binary COPY rows: where each ends in `inserts`
    tally: dict[tuple[int, bool], int]  # the good rows by (organisation id, probationary)

    @classmethod
    def of(
        cls,
        errors: list[RowError],
        seen: dict[str, int],
        good: Sequence[tuple],
        tally: dict[tuple[int, bool], int],
    ) -> "CheckedSlice":
        """From the good rows as make_row made them: (row, ID hash, fingerprint, insert)."""
        rows, hashes, fingerprints, inserts = zip(*good, strict=True) if good else ((), (), (), ())
        ends = array("q")
        if inserts and inserts[0].__class__ is bytes:
            ends.extend(itertools.accumulate(map(len, inserts)))
            inserts = b"".join(inserts)  # type: ignore[arg-type]
        return cls(
            errors, seen, array("q", rows), b"".join(hashes), array("q", fingerprints), inserts, ends, tally
        )

    def hash_list(self) -> list[bytes]:
        hashes = self.id_hashes
        return [hashes[at : at + KEYED_HASH_BYTES] for at in range(0, len(hashes), KEYED_HASH_BYTES)]

    def insert_list(self) -> Sequence[object]:
        if not self.ends:
            return self.inserts  # type: ignore[return-value]  # tuples, or no row at all
        block = self.inserts
        return [block[start:end] for start, end in itertools.pairwise(itertools.chain((0,), self.ends))]

    def member_rows(self, leave_out: set[int]) -> list[MemberRow]:
        """The good rows as MemberRows, less those numbered in `leave_out`."""
        return [
            MemberRow(*row)
            for row in zip(self.rows, self.hash_list(), self.fingerprints, self.insert_list(), strict=True)
            if row[0] not in leave_out
        ]


# optional columns a roster may leave out: existing members then keep what they have there
KEEPABLE_COLUMNS = ("ethnicity", "phone", "full_member_on")


def member_fingerprint(
    values: tuple, phone_hash: bytes, organization_id: int, ignore: frozenset[str] = frozenset()
) -> int:
    """Equal for equal contents within one run (the processes of one import share hash()).

    `ignore`: columns the sheet does not have; they do not count as a difference."""
    if ignore:
        values = tuple(
            None if name in ignore else value for name, value in zip(MEMBER_FIELDS, values, strict=True)
        )
        phone_hash = b"" if "phone" in ignore else phone_hash
    return hash((values, phone_hash, organization_id))


MEMBER_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "education", "joined_on", "full_member_on", "status", "category",
    "joined_on_precision", "full_member_on_precision",
)  # fmt: skip


def kept_columns(columns: Iterable[str]) -> frozenset[str]:
    """The KEEPABLE_COLUMNS a sheet with these columns lacks, with the fields that go with them."""
    kept = {key for key in KEEPABLE_COLUMNS if key not in set(columns)}
    if "full_member_on" in kept:
        kept.add("full_member_on_precision")
    return frozenset(kept)


@dataclass(frozen=True)
class ExistingMember:
    id: int
    org_path: str
    fingerprint: int


@dataclass
class MemberPlan:
    creates: list[MemberRow] = field(default_factory=list)
    updates: list[tuple[int, MemberRow]] = field(default_factory=list)  # (member id, row)
    unchanged: int = 0
    written: int = 0  # new members already written as their slice came back, not in `creates`
    # new members to write, known new without a lookup (their ID number was not registered when
    # the import began): only what the writer needs of each, not in `creates` (on SQLite, whose
    # slices are written at the end, 290,000 MemberRows less to make)
    inserts: list[object] = field(default_factory=list)
    # columns the sheet lacks (of KEEPABLE_COLUMNS): updates leave them as they are
    kept: frozenset[str] = frozenset()
    # what the new members add to each organisation: id → [members, probationary]; None when
    # some rows were not plainly new (their counters are then recounted)
    added: dict[int, list[int]] | None = field(default_factory=dict)

    def add_tally(self, tally: dict[tuple[int, bool], int]) -> None:
        if self.added is not None:
            for (org_id, probationary), count in tally.items():
                counts = self.added.setdefault(org_id, [0, 0])
                counts[0] += count
                counts[1] += count if probationary else 0


class ColumnReader:
    """Parse a slice of rows one column at a time: map() over the column's parser, and the
    careful cell-by-cell path only for a column that has a bad cell."""

    def __init__(
        self,
        sheet: Sheet,
        spec: Sequence[Column],
        errors: Errors,
        start: int,
        rows: Sequence[Sequence[object]],
    ):
        self.sheet, self.errors, self.start, self.rows = sheet, errors, start, rows
        self.reader = RowReader(sheet, spec, errors)  # for its parsers, letters and messages
        self.bad: set[int] = set()  # slice indexes of rows with a bad cell

    def raw(self, key: str) -> list[object]:
        position = self.reader.positions[key]
        if position is None:
            return [self.sheet.defaults.get(key, "")] * len(self.rows)
        try:
            return list(map(itemgetter(position), self.rows))
        except IndexError:  # a short row
            return [row[position] if position < len(row) else "" for row in self.rows]

    def column(self, key: str, parse: Callable[[object], object] | None = None) -> list[object]:
        raw = self.raw(key)
        if parse is None:
            parse = self.reader.parsers[key]
            # the usual column, settled without a call per cell: every cell a date (what a
            # date parser returns as it is), or every cell one of a choice column's words
            column = self.reader.spec[key]
            if column.kind == DATE and set(map(type, raw)) == {date}:
                return raw
            if column.kind == CHOICE:
                values = list(map(column.choices.get, raw))
                if None not in values:
                    return values
        try:
            return list(map(parse, raw))
        except CellError:
            pass
        values: list[object] = []
        for index, value in enumerate(raw):
            try:
                values.append(parse(value))
            except CellError as error:
                values.append(None)
                self.fail(index, key, str(error), value)
        return values

    def fail(self, index: int, key: str, message: str, value: object = None) -> None:
        self.bad.add(index)
        if value is None:
            position = self.reader.positions[key]
            row = self.rows[index]
            if position is None:
                value = self.sheet.defaults.get(key, "")
            else:
                value = row[position] if position < len(row) else ""
        self.errors.add(
            self.sheet.number(self.start + index),
            self.reader.spec[key],
            self.reader.letters.get(key, ""),
            value,
            message,
        )


def read_member_rows(
    sheet: Sheet,
    spec: Sequence[Column],
    *,
    index: OrgIndex,
    org_ids: dict[str, tuple[int, str]],
    today: date,
    hash_id: Callable[[str], bytes],
    hash_phone: Callable[[str], bytes],
    make_row: Callable[..., tuple],
    errors: Errors,
    progress: Callable[[int], None] | None = None,
    start: int = 0,
    stop: int | None = None,
    seen: dict[str, int] | None = None,
    tally: dict[tuple[int, bool], int] | None = None,
) -> list[tuple]:
    """Check the roster rows start..stop; return the good ones, as make_row(row number, ID hash,
    values in MEMBER_FIELDS order, ID number, phone, phone hash, organisation id, org path)
    makes them (a tuple in MemberRow's order). Used only when no row at all is bad.

    `org_ids`: organisation code → (id, path) for the organisations in scope. Duplicates are
    found within these rows; `cross_slice_duplicates` finds them across slices, from `seen`
    (filled here with every ID number read and its first row). `tally`, if given, counts the
    good rows by (organisation id, probationary).
    """
    stop = len(sheet.rows) if stop is None else stop
    rows = sheet.rows[start:stop]
    reader = ColumnReader(sheet, spec, errors, start, rows)
    names = reader.column("name")
    id_label = _("身份证号")

    def id_number(value: object) -> str:
        if value.__class__ is str:  # the usual cell, in a column formatted as text: no more to do
            text = value.strip()  # type: ignore[attr-defined]
            if text and text[0].isdigit():
                return text
        return rules.digits_text(value, what=id_label)

    ids = reader.column("id_number", id_number)
    genders = reader.column("gender")
    ethnicities = reader.column("ethnicity")
    births = reader.column("birth_date")
    phones = reader.column("phone")
    educations = reader.column("education")
    joineds = reader.column("joined_on")
    fulls = reader.column("full_member_on")
    if "status" in sheet.columns:
        statuses = reader.column("status")
    else:  # inferred: a member with a 转正日期 is a full member, one without is probationary
        statuses = ["full" if full else "probationary" for full in fulls]
    categories = reader.column("category")
    places = reader.column("organization")
    if progress is not None:
        progress(len(rows) // 3)
    resolved: dict[object, tuple[int, str] | str] = {}
    for reference in set(places):
        if reference:
            try:
                org = index.resolve(reference)  # type: ignore[arg-type]
            except CellError as error:
                resolved[reference] = str(error)
            else:
                resolved[reference] = org_ids.get(org.code) or _(
                    "“%(ref)s”是本文件之外尚未建立的党组织。"
                ) % {"ref": reference}
    required = reader.reader.required_message
    normalise_id, normalise_phone = member_rules.normalise_id_number, member_rules.normalise_phone
    problems_of, birth_of, gender_of = (
        member_rules.member_problems,
        member_rules.birth_date_from_id,
        member_rules.gender_from_id,
    )
    plain, precision, latest, day, whole = dates.plain, dates.precision, dates.latest, date, dates.DAY
    fail, bad = reader.fail, reader.bad
    seen = {} if seen is None else seen
    good: list[tuple] = []
    numbers = (
        sheet.numbers[start:stop]
        if sheet.numbers is not None
        else range(sheet.header_row + 1 + start, sheet.header_row + 1 + stop)
    )
    columns = zip(numbers, names, ids, genders, ethnicities, births, phones, educations, joineds, fulls, statuses,
                  categories, places, strict=True)  # fmt: skip
    for i, (row_number, name, number, gender, ethnicity, birth, phone, education, joined, full, status, category,
            reference) in enumerate(columns):  # fmt: skip
        if progress is not None and i and i % PROGRESS_EVERY == 0:
            progress(len(rows) // 3 + i * 2 // 3)
        if not number:
            if i not in bad:
                fail(i, "id_number", required, "")
            continue
        if not (number.isdigit() and number.isascii()):  # type: ignore[union-attr]
            number = normalise_id(number)  # type: ignore[arg-type]
        first = seen.setdefault(number, row_number)
        if first != row_number:
            fail(i, "id_number", _("与第 %(row)d 行的身份证号重复。") % {"row": first}, number)
        place = resolved.get(reference) if reference else None
        if place.__class__ is str:
            fail(i, "organization", place, reference)  # type: ignore[arg-type]
        if not phone:
            phone = ""
        elif not phone.isdigit():  # type: ignore[union-attr]
            phone = normalise_phone(phone)  # type: ignore[arg-type]
        gender = gender or ""
        found = problems_of(
            id_number=number, birth_date=birth, gender=gender, phone=phone, joined_on=joined,  # type: ignore[arg-type]
            full_member_on=full, probationary=status == "probationary", today=today,  # type: ignore[arg-type]
        )  # fmt: skip
        if found:
            for key, message in found.items():
                fail(i, key, message, number if key == "id_number" else None)
            continue
        if place is None or i in bad:
            continue
        if birth is None or birth.__class__ is not day:  # none, or only its month: the ID's
            birth = birth_of(number)
            if joined and birth and member_rules.age_on(birth, latest(joined)) < 18:  # type: ignore[arg-type]
                fail(i, "joined_on", _("入党时应年满十八岁，请核对入党日期和身份证号。"), joined)
                continue
        # a date known to its day (the usual) is stored as it is, at the precision of a day
        if joined.__class__ is day:
            joined_plain, joined_precision = joined, whole
        else:
            joined_plain, joined_precision = plain(joined), precision(joined)
        if full is None or full.__class__ is day:
            full_plain, full_precision = full, whole
        else:
            full_plain, full_precision = plain(full), precision(full)
        values = (name, gender or gender_of(number), ethnicity or "汉族", birth, education, joined_plain, full_plain,
                  status, category, joined_precision, full_precision)  # fmt: skip
        good.append(
            make_row(
                row_number,
                hash_id(number),
                values,
                number,
                phone,
                hash_phone(phone) if phone else b"",
                *place,
            )
        )
        if tally is not None:
            key = place[0], status == "probationary"
            tally[key] = tally.get(key, 0) + 1
    if progress is not None:
        progress(len(rows))
    return good


def cross_slice_duplicates(
    seen_per_slice: Sequence[dict[str, int]],
    *,
    sheet: Sheet,
    spec: Sequence[Column],
    errors: Errors,
    first: dict[str, int] | None = None,
) -> set[int]:
    """A person repeated in different slices (each slice found its own repeats): report each
    later row, and return those rows' numbers. `seen_per_slice` holds, per slice in order, every
    ID number the slice read with its first row, whether or not that row passed.

    `first`: to take the slices a few at a time, the same dict each time (it keeps each ID
    number's first row across the calls)."""
    first = {} if first is None else first
    repeated: set[int] = set()
    for seen in seen_per_slice:
        if first.keys().isdisjoint(seen):  # the usual slice: no one in it was seen before
            first.update(seen)
            continue
        for number, row in seen.items():
            earlier = first.setdefault(number, row)
            if earlier != row:
                errors.add(row, _column(spec, "id_number"), _letter(sheet, "id_number"), _cell(sheet, row, "id_number"),
                           _("与第 %(row)d 行的身份证号重复。") % {"row": earlier})  # fmt: skip
                repeated.add(row)
    return repeated


def _cell(sheet: Sheet, row_number: int, key: str) -> object:
    position = sheet.columns.get(key)
    cells = sheet.rows[sheet.index(row_number)]
    return cells[position] if position is not None and position < len(cells) else ""


def plan_members(
    rows: list[MemberRow],
    *,
    existing: dict[bytes, ExistingMember],
    scope_path: str,
    sheet: Sheet,
    spec: Sequence[Column],
    errors: Errors,
) -> MemberPlan:
    """Decide create, update or leave alone for each good row, by the ID number's keyed hash."""
    plan = MemberPlan()
    for row in rows:
        before = existing.get(row.id_hash)
        if before is None:
            plan.creates.append(row)
            continue
        if not before.org_path.startswith(scope_path):
            errors.add(row.row, _column(spec, "id_number"), _letter(sheet, "id_number"), _cell(sheet, row.row, "id_number"),
                       _("该身份证号的党员已在您管理范围以外的党组织登记，请办理组织关系转接。"))  # fmt: skip
            number = member_rules.normalise_id_number(str(_cell(sheet, row.row, "id_number") or ""))
            errors.registered_elsewhere.append((row.row, member_rules.mask_id_number(number)))
            continue
        if before.fingerprint == row.fingerprint:
            plan.unchanged += 1
        else:
            plan.updates.append((before.id, row))
    return plan
