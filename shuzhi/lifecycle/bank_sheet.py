"""Reading a question bank kept in Excel: one row per question (题型, 题干, 选项A…选项F, 答案, 分值).
Reading only: the rows become values the service writes, or row-by-row reasons in Chinese that
name the row and the column."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from shuzhi.exchange import rules as cells
from shuzhi.exchange.workbook import SheetData
from shuzhi.lifecycle import rules

MAX_ROWS = 2000
OPTION_KEYS = tuple(f"option_{letter}" for letter in rules.LETTERS[: rules.MAX_OPTIONS])
COLUMNS = {  # key → (header, its other names)
    "kind": ("题型", ("题目类型", "类型")),
    "text": ("题干", ("题目", "试题", "题目内容")),
    **{key: (f"选项{letter}", (letter, f"{letter}选项", f"选项 {letter}"))
       for key, letter in zip(OPTION_KEYS, rules.LETTERS, strict=False)},
    "answer": ("答案", ("正确答案", "参考答案")),
    "points": ("分值", ("分数", "每题分值")),
}  # fmt: skip
REQUIRED = ("kind", "text", "answer")
TEMPLATE_ROWS = [
    ("单选题", "党的最高领导机关是？", "党的全国代表大会和它所产生的中央委员会", "中央纪律检查委员会", "国务院", "全国人民代表大会", "A", 2),
    ("多选题", "发展党员工作应当遵循的方针是？", "坚持标准", "保证质量", "改善结构", "慎重发展", "ABCD", 3),
    ("判断题", "预备党员的预备期为一年。", "", "", "", "", "对", 1),
]  # fmt: skip


def lookup() -> dict[str, str]:
    found: dict[str, str] = {}
    for key, (header, others) in COLUMNS.items():
        for name in (header, *others):
            found.setdefault(cells.normalise_header(name), key)
    return found


@dataclass(frozen=True)
class Row:
    number: int
    kind: str
    text: str
    options: tuple[str, ...]
    answer: str
    points: int


def _points(value: object) -> int:
    if cells.is_blank(value):
        return 1
    if isinstance(value, bool):
        raise cells.CellError(_("应为 1 到 100 的整数。"))
    try:
        number = float(str(value).strip().removesuffix("分"))
    except ValueError:
        raise cells.CellError(_("“%(v)s”不是分数，应为 1 到 100 的整数。") % {"v": str(value)[:20]}) from None
    if not number.is_integer() or not 1 <= number <= 100:
        raise cells.CellError(_("应为 1 到 100 的整数。"))
    return int(number)


def read_rows(sheet: SheetData) -> tuple[list[Row], list[str]]:
    """The sheet's questions as values, or the reason for each bad cell ("第 5 行 答案（H 列）：…")."""
    positions: dict[str, int] = {}
    names = lookup()
    for index, cell in enumerate(sheet.header):
        for name in cells.header_names(cell):
            if name in names:
                positions.setdefault(names[name], index)
                break
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in positions]
    if missing:
        return [], [_("表头缺少：%(cols)s。请下载模板，按模板的列填写。") % {"cols": "、".join(missing)}]
    if len(sheet.rows) > MAX_ROWS:
        return [], [_("一次最多导入 %(n)d 道题。") % {"n": MAX_ROWS}]
    rows: list[Row] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(sheet.rows):
        number = sheet.number(i)

        def cell(key: str, raw=raw) -> object:
            index = positions.get(key)
            return raw[index] if index is not None and index < len(raw) else None

        def where(key: str, number=number) -> str:
            index = positions.get(key)
            letter = cells.column_letter(index) if index is not None else ""
            return _("第 %(row)d 行 %(col)s（%(letter)s 列）") % {
                "row": number,
                "col": COLUMNS[key][0],
                "letter": letter,
            }

        problems: list[str] = []
        kind_text = cells.compact(str(cell("kind") or ""))
        kind = rules.KIND_WORDS.get(kind_text, "")
        if not kind:
            problems.append(
                _("%(where)s：“%(v)s”不是单选题、多选题或判断题。")
                % {"where": where("kind"), "v": kind_text[:10]}
            )
        values: dict[str, object] = {}
        for key, limit in (("text", 500), *((k, 200) for k in OPTION_KEYS)):
            try:
                values[key] = cells.text(cell(key), max_length=limit)
            except cells.CellError as error:
                problems.append(_("%(where)s：%(why)s") % {"where": where(key), "why": error})
                values[key] = ""
        filled = [str(values[k]) for k in OPTION_KEYS]
        while filled and not filled[-1]:
            filled.pop()
        if kind in (rules.SINGLE, rules.MULTIPLE) and "" in filled:
            gap = rules.LETTERS[filled.index("")]
            problems.append(
                _("%(where)s：选项应从 A 起连续填写，不能空着。") % {"where": where(f"option_{gap}")}
            )
        options = tuple(rules.JUDGE_OPTIONS) if kind == rules.JUDGE else tuple(filled)
        answer_text = str(cell("answer") if cell("answer") is not None else "").strip()
        answer = rules.normalise_answer(kind, answer_text) if kind else ""
        try:
            points = _points(cell("points")) if "points" in positions else 1
        except cells.CellError as error:
            problems.append(_("%(where)s：%(why)s") % {"where": where("points"), "why": error})
            points = 1
        if kind:
            found = rules.question_problems(
                kind=kind, text=str(values["text"]), options=options, answer=answer
            )
            column = {"kind": "kind", "text": "text", "options": "option_A", "answer": "answer"}
            for field, why in found.items():
                if field == "answer" and answer_text and not answer:
                    why = _("“%(v)s”不是有效的答案。%(why)s") % {"v": answer_text[:10], "why": why}
                problems.append(_("%(where)s：%(why)s") % {"where": where(column[field]), "why": why})
        text = str(values["text"])
        if text and text in seen:
            problems.append(
                _("%(where)s：与第 %(first)d 行的题干相同。") % {"where": where("text"), "first": seen[text]}
            )
        seen.setdefault(text, number)
        if problems:
            errors.extend(problems)
            continue
        rows.append(Row(number=number, kind=kind, text=text, options=options, answer=answer, points=points))
    if not rows and not errors:
        errors.append(_("表中没有试题。"))
    return rows, errors
