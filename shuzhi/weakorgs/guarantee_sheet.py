"""Reading the villages' and communities' guarantee figures kept in Excel: one row per village or
community (名称 or 组织编码, then the figures). Reading only: the rows become values the service
writes, or row-by-row reasons in Chinese ("第 5 行 办公经费：…")."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from shuzhi.exchange import rules as cells
from shuzhi.exchange.workbook import SheetData

MAX_ROWS = 20000  # a province's villages and communities

COLUMNS = {  # key → (header, its other names)
    "name": (
        "村（社区）",
        ("村社区", "村（社区）名称", "村名", "社区", "名称", "党组织名称", "组织名称", "单位"),
    ),
    "code": ("组织编码", ("党组织编码", "编码")),
    "operating_total": ("村级组织运转经费合计", ("运转经费合计", "运转经费")),
    "secretary_pay": ("书记基本报酬", ("主职基本报酬", "书记报酬", "主职报酬")),
    "dual_role": ("一肩挑", ("书记主任一肩挑", "是否一肩挑")),
    "deputy_pay": ("副职基本报酬", ("副职报酬",)),
    "office_funds": ("办公经费", ()),
    "service_funds": ("服务群众专项经费", ("服务群众经费",)),
    "training_funds": ("党员教育培训经费", ("培训经费", "党员培训经费")),
    "members": ("党员数", ("党员人数",)),
    "residents": ("常住居民数", ("居民数", "常住人口")),
    "workers": ("社区工作者数", ("社区工作者",)),
}
MONEY = ("operating_total", "secretary_pay", "office_funds", "service_funds", "training_funds")
REQUIRED = MONEY
COUNTS = ("members", "residents", "workers")
YES = {"是", "√", "✓", "Y", "y", "yes", "1", "一肩挑"}
NO = {"否", "", "×", "N", "n", "no", "0"}
LIMIT = Decimal("100000000")


def lookup() -> dict[str, str]:
    found: dict[str, str] = {}
    for key, (header, others) in COLUMNS.items():
        for name in (header, *others):
            found.setdefault(cells.normalise_header(name), key)
    return found


@dataclass(frozen=True)
class Row:
    number: int
    org_id: int
    values: dict  # field → value, as GuaranteeFigure takes them (members None: from the roster)


def _amount(value: object) -> Decimal:
    if isinstance(value, bool):
        raise cells.CellError(_("应填写金额。"))
    raw = (
        repr(value)
        if isinstance(value, int | float)
        else str(value).strip().replace(",", "").replace("，", "")
    )
    raw = raw.removesuffix("万元").removesuffix("元").strip()
    try:
        amount = Decimal(raw).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise cells.CellError(_("“%(value)s”不是金额。") % {"value": str(value)[:20]}) from None
    if amount < 0 or amount >= LIMIT:
        raise cells.CellError(_("金额应在 0 到 1 亿之间。"))
    return amount


def _count(value: object) -> int:
    raw = (
        repr(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value).strip()
    )
    raw = raw.removesuffix("人").removesuffix("名").strip()
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise cells.CellError(_("“%(value)s”不是人数。") % {"value": str(value)[:20]}) from None
    if number != number.to_integral_value() or not 0 <= number <= 10_000_000:
        raise cells.CellError(_("人数应是不小于 0 的整数。"))
    return int(number)


def read_rows(sheet: SheetData, *, by_code: dict[str, int], by_name: dict[str, int],
              community: set[int]) -> tuple[list[Row], list[str]]:  # fmt: skip
    """The sheet's rows as values, or the reason for each bad row. `by_code`/`by_name` find the
    villages and communities of the importer's subtree (a name held twice is left out)."""
    positions: dict[str, int] = {}
    names = lookup()
    for index, cell in enumerate(sheet.header):
        for name in cells.header_names(cell):
            if name in names:
                positions.setdefault(names[name], index)
                break
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in positions]
    if "name" not in positions and "code" not in positions:
        missing.insert(0, _("村（社区）或组织编码"))
    if missing:
        return [], [_("表头缺少：%(cols)s。") % {"cols": "、".join(missing)}]
    if len(sheet.rows) > MAX_ROWS:
        return [], [_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}]
    rows, errors = [], []
    seen: dict[int, int] = {}
    for i, raw in enumerate(sheet.rows):
        number = sheet.number(i)

        def cell(key: str, raw=raw) -> object:
            index = positions.get(key)
            return raw[index] if index is not None and index < len(raw) else None

        problems = []
        raw_code = cell("code")
        if isinstance(raw_code, float) and raw_code.is_integer():  # a numeric code typed as a number
            raw_code = int(raw_code)
        code = cells.compact(str(raw_code or ""))
        name = cells.compact(str(cell("name") or ""))
        org_id = by_code.get(code) if code else by_name.get(name)
        if org_id is None:
            where, what = (_("组织编码"), code) if code else (_("村（社区）"), name)
            problems.append(_("第 %(row)d 行 %(col)s：“%(v)s”不是本单位下的村或社区（或有重名，请填写组织编码）。")
                            % {"row": number, "col": where, "v": what})  # fmt: skip
        elif org_id in seen:
            problems.append(
                _("第 %(row)d 行：与第 %(first)d 行是同一个村（社区）。")
                % {"row": number, "first": seen[org_id]}
            )
        else:
            seen[org_id] = number
        values: dict = {}
        for key in (*MONEY, "deputy_pay"):
            value = cell(key)
            if cells.is_blank(value):
                if key in REQUIRED:
                    problems.append(
                        _("第 %(row)d 行 %(col)s：应填写金额。") % {"row": number, "col": COLUMNS[key][0]}
                    )
                values[key] = None
                continue
            try:
                values[key] = _amount(value)
            except cells.CellError as error:
                problems.append(
                    _("第 %(row)d 行 %(col)s：%(why)s")
                    % {"row": number, "col": COLUMNS[key][0], "why": error}
                )
        for key in COUNTS:
            value = cell(key)
            if cells.is_blank(value):
                values[key] = None
                continue
            try:
                values[key] = _count(value)
            except cells.CellError as error:
                problems.append(
                    _("第 %(row)d 行 %(col)s：%(why)s")
                    % {"row": number, "col": COLUMNS[key][0], "why": error}
                )
        dual = cells.compact(str(cell("dual_role") or ""))
        if dual in YES:
            values["dual_role"] = True
        elif dual in NO:
            values["dual_role"] = False
        else:
            problems.append(
                _("第 %(row)d 行 一肩挑：“%(v)s”应填“是”或“否”。") % {"row": number, "v": dual[:10]}
            )
        if org_id in community and values.get("residents") is None and not problems:
            problems.append(_("第 %(row)d 行 常住居民数：社区应填写常住居民数。") % {"row": number})
        if problems:
            errors.extend(problems)
            continue
        rows.append(Row(number=number, org_id=org_id, values=values))  # type: ignore[arg-type]
    return rows, errors
