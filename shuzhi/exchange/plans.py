"""From spreadsheet rows to an import plan, or to the complete list of what is wrong.

Pure: the service loads the reference data (organisations in scope, existing members) as plain
values and writes the plan; nothing here touches the database. Every row is checked, so that
one upload gives the whole error report, not the first mistake.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from shuzhi.exchange import rules
from shuzhi.exchange.rules import CellError
from shuzhi.exchange.sheets import CHOICE, DATE, Column
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

    def add(self, row: int, column: Column | None, letter: str, value: object, message: str) -> None:
        shown = "" if rules.is_blank(value) else str(value)
        self.items.append(RowError(row, column.header if column else "", letter, shown[:200], message))
        self.rows.add(row)

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

    def number(self, index: int) -> int:
        return self.header_row + 1 + index


def read_header(
    cells: Sequence[object], header_row: int, spec: Sequence[Column], errors: Errors
) -> dict[str, int]:
    """Find each column by its header; a missing required column is an error of the file."""
    by_header = {column.header: column for column in spec}
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = by_header.get(rules.normalise_header(cell))
        if column is None:
            continue
        if column.key in found:
            errors.add(header_row, column, rules.column_letter(index), cell, _("该列出现了两次。"))
        found[column.key] = index
    for column in spec:
        if column.required and column.key not in found:
            errors.add(header_row, column, "", "", _("缺少必填列“%(header)s”。") % {"header": column.header})
    return found


class RowReader:
    """Parse the cells of one row by the column spec, recording each bad cell."""

    def __init__(self, sheet: Sheet, spec: Sequence[Column], errors: Errors):
        self.sheet = sheet
        self.errors = errors
        self.spec = {column.key: column for column in spec}
        self.letters = {key: rules.column_letter(index) for key, index in sheet.columns.items()}
        self.cells: Sequence[object] = ()
        self.row = 0
        self.ok = True

    def start(self, index: int) -> None:
        self.cells = self.sheet.rows[index]
        self.row = self.sheet.number(index)
        self.ok = True

    def raw(self, key: str) -> object:
        position = self.sheet.columns.get(key)
        if position is None or position >= len(self.cells):
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
        """The parsed value of a cell, or None (after recording why) when it cannot be used."""
        column = self.spec[key]
        value = self.raw(key)
        if rules.is_blank(value):
            if column.required:
                self.fail(key, _("必填，不能为空。"))
            return None if column.kind != CHOICE else ""
        try:
            if column.kind == DATE:
                return rules.parse_date(value)
            if column.kind == CHOICE:
                return rules.parse_choice(value, column.choices)
            return rules.text(value, max_length=column.max_length)
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
            self.fail(key, _("必填，不能为空。"))
            return None
        return result


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
        self.by_code[org.code] = org
        self.by_parent_and_name.setdefault((org.parent_code, org.name), []).append(org)
        self.by_name.setdefault(org.name, []).append(org)

    def resolve(self, reference: str) -> OrgRef:
        """By code first; else by names from the top, e.g. '柳泉镇委员会/王庄村党支部'."""
        found = self.by_code.get(reference)
        if found is not None:
            return found
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


@dataclass(frozen=True)
class MemberRow:
    row: int
    id_hash: str
    values: (
        tuple  # name, gender, ethnicity, birth_date, education, joined_on, full_member_on, status, category
    )
    id_number: str
    phone: str
    phone_hash: str
    organization_id: int
    org_path: str


MEMBER_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "education", "joined_on", "full_member_on", "status", "category",
)  # fmt: skip


@dataclass(frozen=True)
class ExistingMember:
    id: int
    org_path: str
    organization_id: int
    values: tuple  # in MEMBER_FIELDS order
    phone_hash: str


@dataclass
class MemberPlan:
    creates: list[MemberRow] = field(default_factory=list)
    updates: list[tuple[int, MemberRow, int]] = field(default_factory=list)  # (member id, row, old org id)
    unchanged: int = 0


def read_member_rows(
    sheet: Sheet,
    spec: Sequence[Column],
    *,
    index: OrgIndex,
    org_ids: dict[str, tuple[int, str]],
    today: date,
    hash_id: Callable[[str], str],
    hash_phone: Callable[[str], str],
    errors: Errors,
    progress: Callable[[int], None] | None = None,
) -> list[MemberRow]:
    """Check every row of a roster; return the good rows (used only when no row is bad).

    `org_ids`: organisation code → (id, path) for the organisations in scope.
    """
    reader = RowReader(sheet, spec, errors)
    good: list[MemberRow] = []
    seen: dict[str, int] = {}
    org_cache: dict[str, tuple[int, str] | str] = {}
    get = reader.get
    for i in range(len(sheet.rows)):
        if progress is not None and i and i % PROGRESS_EVERY == 0:
            progress(i)
        reader.start(i)
        name = get("name")
        id_number = reader.digits("id_number", _("身份证号"))
        gender = get("gender")
        ethnicity = get("ethnicity") or "汉族"
        birth = get("birth_date")
        phone = member_rules.normalise_phone(get("phone") or "")
        education = get("education")
        joined = get("joined_on")
        full = get("full_member_on")
        status = get("status")
        category = get("category")
        place = _member_org(reader, index, org_ids, org_cache)
        if id_number:
            id_number = member_rules.normalise_id_number(id_number)
            if id_number in seen:
                reader.fail(
                    "id_number", _("与第 %(row)d 行的身份证号重复。") % {"row": seen[id_number]}, id_number
                )
            else:
                seen[id_number] = reader.row
            problems = member_rules.member_problems(
                id_number=id_number, birth_date=birth, gender=gender or "", phone=phone, joined_on=joined,
                full_member_on=full, probationary=status == "probationary", today=today,
            )  # fmt: skip
            for key, message in problems.items():
                reader.fail(key, message)
            if not reader.ok:
                continue
            if birth is None:
                birth = member_rules.birth_date_from_id(id_number)
                if joined and birth and member_rules.age_on(birth, joined) < 18:
                    reader.fail("joined_on", _("入党时应年满十八岁，请核对入党日期和身份证号。"))
                    continue
            gender = gender or member_rules.gender_from_id(id_number)
        if not reader.ok or place is None:
            continue
        good.append(
            MemberRow(
                row=reader.row,
                id_hash=hash_id(id_number),
                values=(name, gender, ethnicity, birth, education, joined, full, status, category),
                id_number=id_number,
                phone=phone,
                phone_hash=hash_phone(phone) if phone else "",
                organization_id=place[0],
                org_path=place[1],
            )
        )
    if progress is not None:
        progress(len(sheet.rows))
    return good


def _member_org(reader: RowReader, index: OrgIndex, org_ids, cache) -> tuple[int, str] | None:
    reference = reader.get("organization")
    if not reference:
        return None
    hit = cache.get(reference)
    if hit is None:
        try:
            org = index.resolve(reference)
        except CellError as error:
            hit = str(error)
        else:
            hit = org_ids.get(org.code) or _("“%(ref)s”是本文件之外尚未建立的党组织。") % {"ref": reference}
        cache[reference] = hit
    if isinstance(hit, str):
        reader.fail("organization", hit)
        return None
    return hit


def plan_members(
    rows: list[MemberRow],
    *,
    existing: dict[str, ExistingMember],
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
            errors.add(row.row, _column(spec, "id_number"), _letter(sheet, "id_number"), row.id_number,
                       _("该身份证号的党员已在您管理范围以外的党组织登记，请办理组织关系转接。"))  # fmt: skip
            continue
        if (
            before.values == row.values
            and before.phone_hash == row.phone_hash
            and before.organization_id == row.organization_id
        ):
            plan.unchanged += 1
        else:
            plan.updates.append((before.id, row, before.organization_id))
    return plan
