"""Duty reports as documents: the text of an uploaded .docx or .pdf, a report written in Word read
back into its sections, and the report and the meeting book written out in the official layout.

Pure functions over plain values (no ORM): bytes or dataclasses in, bytes, text or dataclasses
out. Files reaching here have passed `core.uploads.check_upload`; they are still only read, and
what a parser unpacks is capped, since the checks at the door can only see what a file declares.
"""

import re
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from io import BytesIO

import docx
import pdfminer.pdftypes
import pdfplumber
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from pdfminer.pdfdocument import PDFEncryptionError

from shuzhi.core import documents, uploads
from shuzhi.core.documents import NUMERALS, W

SECTIONS: tuple[tuple[str, str], ...] = (
    ("duty", "履行主体责任情况"),
    ("personal", "个人履职情况"),
    ("achievements", "成绩"),
    ("problems", "存在问题"),
    ("causes", "原因剖析"),
    ("measures", "整改措施"),
    ("last_year", "上年问题整改和承诺落实情况"),
    ("discipline", "严守政治纪律和执行民主集中制情况"),
)

# A report is a few hundred KB of text and photos; these are far above any real one.
DOCX_LIMITS = uploads.ZipLimits(unpacked_bytes=128 * uploads.MB, entries=2000)
MAX_PDF_PAGES = 500
MAX_PDF_INFLATED_BYTES = 256 * uploads.MB  # all the streams a PDF unpacks while its text is read


@dataclass
class ImportedReport:
    title: str
    sections: dict[str, str]  # section key → body text, recognised sections only
    problems: list[str]  # the items of 存在问题
    commitments: list[str]  # the items of 整改措施
    unrecognised: list[str]  # headings that named no section


@dataclass(frozen=True)
class ListItem:
    text: str
    category: str
    severity: str = ""


@dataclass(frozen=True)
class CarryOverItem:
    text: str
    kind_label: str
    answer_label: str
    explanation: str


@dataclass(kw_only=True)
class ReportDocument:
    title: str
    cycle_title: str
    year: int
    unit_name: str
    secretary_name: str
    mode_label: str
    sections: list[tuple[str, str]]  # (heading, text), in the order they are printed
    problems: list[ListItem] = field(default_factory=list)
    responsibilities: list[ListItem] = field(default_factory=list)
    commitments: list[ListItem] = field(default_factory=list)
    carried_over: list[CarryOverItem] = field(default_factory=list)
    status_label: str = ""
    extra: list["ExtraSection"] = field(default_factory=list)  # other areas' read-only sections


@dataclass(frozen=True)
class ExtraSection:
    """A read-only section another area adds (reports.hooks), printed after the report's own."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


# ---- reading a .docx ------------------------------------------------------------------------------

MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT, _CUSTOM_XML = (
    W + "p",
    W + "tbl",
    W + "tr",
    W + "tc",
    W + "sdt",
    W + "sdtContent",
    W + "customXml",
)
_T, _TAB, _BR, _CR, _NO_BREAK_HYPHEN = W + "t", W + "tab", W + "br", W + "cr", W + "noBreakHyphen"
# Not text: formatting, deleted revisions, and drawings, whose text boxes Word writes twice.
_NOT_TEXT = frozenset(
    {
        W + "pPr",
        W + "rPr",
        W + "del",
        W + "moveFrom",
        W + "drawing",
        W + "pict",
        W + "object",
        MC + "AlternateContent",
    }
)
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)


@dataclass(slots=True)
class _Para:
    text: str
    level: int = 0  # 1 or 2 when the paragraph's style or outline level makes it a heading
    listed: bool = False  # numbered or bulleted by Word, the number not being in the text
    element: object = None  # the w:p, to look at its formatting when it matters


@dataclass(slots=True)
class _Table:
    rows: list[list[str]]


def _open_docx(data: bytes):
    uploads.inspect_zip(BytesIO(data), len(data), limits=DOCX_LIMITS)
    try:
        return docx.Document(BytesIO(data))
    except Exception:  # python-docx fails in many ways (KeyError, XMLSyntaxError, ValueError…)
        raise ValidationError(
            _("Word 文件已损坏，无法读取。请在 Word 中重新保存后上传。"), code="corrupt"
        ) from None


def _blocks(document) -> list[_Para | _Table]:
    """The body's paragraphs and tables in document order."""
    levels = _style_levels(document)
    return [block for element in _children(document.element.body) for block in _block(element, levels)]


def _block(element, levels: dict[str, int]) -> Iterator[_Para | _Table]:
    if element.tag == _P:
        yield _paragraph(element, levels)
    elif element.tag == _TBL:
        yield _Table(
            rows=[
                [_cell_text(cell, levels) for cell in _children(row) if cell.tag == _TC]
                for row in _children(element)
                if row.tag == _TR
            ]
        )


def _children(element) -> Iterator:
    """Child elements, looking through the content controls and custom XML that wrap them."""
    for child in element:
        if child.tag in (_SDT, _CUSTOM_XML):
            content = child.find(_SDT_CONTENT) if child.tag == _SDT else child
            if content is not None:
                yield from _children(content)
        elif isinstance(child.tag, str):
            yield child


def _cell_text(cell, levels: dict[str, int]) -> str:
    parts = []
    for element in _children(cell):
        for block in _block(element, levels):
            if isinstance(block, _Para):
                parts.append(block.text)
            else:
                parts.extend(" ".join(row) for row in block.rows)
    return " ".join(part.strip() for part in parts if part.strip())


def _paragraph(element, levels: dict[str, int]) -> _Para:
    out: list[str] = []
    _collect_text(element, out)
    level, listed = 0, False
    properties = element.find(W + "pPr")
    if properties is not None:
        style = properties.find(W + "pStyle")
        if style is not None:
            level = levels.get(style.get(W + "val", ""), 0)
        outline = properties.find(W + "outlineLvl")
        if outline is not None and outline.get(W + "val", "").isdigit():
            level = int(outline.get(W + "val")) + 1
        listed = properties.find(W + "numPr") is not None
    return _Para(text="".join(out), level=level if level <= 2 else 0, listed=listed, element=element)


def _collect_text(element, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag == _T:
            out.append(child.text or "")
        elif tag == _TAB:
            out.append("\t")
        elif tag in (_BR, _CR):
            out.append("\n")
        elif tag == _NO_BREAK_HYPHEN:
            out.append("-")
        elif tag not in _NOT_TEXT and isinstance(tag, str):
            _collect_text(child, out)


def _style_levels(document) -> dict[str, int]:
    """Paragraph style id → heading level (1, 2…) for the styles that make headings."""
    styles, based_on = {}, {}
    for style in document.styles.element.iterchildren(W + "style"):
        if style.get(W + "type") != "paragraph":
            continue
        style_id = style.get(W + "styleId", "")
        name = style.find(W + "name")
        outline = style.find(f"{W}pPr/{W}outlineLvl")
        level = 0
        if outline is not None and outline.get(W + "val", "").isdigit() and int(outline.get(W + "val")) < 9:
            level = int(outline.get(W + "val")) + 1
        elif name is not None and (match := _HEADING_STYLE.match(name.get(W + "val", "").strip())):
            level = int(match.group(1))
        styles[style_id] = level
        parent = style.find(W + "basedOn")
        if parent is not None:
            based_on[style_id] = parent.get(W + "val", "")
    levels = {}
    for style_id, level in styles.items():
        seen, current = {style_id}, style_id
        while not level and current in based_on and based_on[current] not in seen:
            current = based_on[current]
            seen.add(current)
            level = styles.get(current, 0)
        if level:
            levels[style_id] = level
    return levels


def _is_bold(element) -> bool:
    """Whether every run of the paragraph that has text is bold."""
    runs = [run for run in element.iter(W + "r") if "".join(run.itertext()).strip()]
    return bool(runs) and all(
        (bold := run.find(f"{W}rPr/{W}b")) is not None
        and bold.get(W + "val", "true") not in ("0", "false", "off")
        for run in runs
    )


# ---- text extraction ------------------------------------------------------------------------------


def extract_text(data: bytes, kind: str) -> str:
    """The text of a .docx (paragraphs and table rows in document order, one per line, a row's
    cells separated by tabs) or of a .pdf (page by page); "" for a photo."""
    if kind == uploads.DOCX:
        lines = []
        for block in _blocks(_open_docx(data)):
            if isinstance(block, _Para):
                if block.text.strip():
                    lines.append(block.text)
            else:
                lines.extend("\t".join(row) for row in block.rows if any(cell for cell in row))
        return "\n".join(lines)
    if kind == uploads.PDF:
        return _pdf_text(data)
    if kind in (uploads.PNG, uploads.JPEG):
        return ""
    raise ValueError(f"no text to extract from a {kind!r} file")


class _InflateBudget:
    """How many more bytes this extraction may inflate. pdfminer inflates a stream with a plain
    zlib.decompress, all at once: a few KB of PDF can unpack to gigabytes."""

    def __init__(self, limit: int):
        self.left = limit
        self.exceeded = False

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            self.exceeded = True
            raise _TooMuchData


class _TooMuchData(Exception):
    pass


_budget: ContextVar[_InflateBudget | None] = ContextVar("pdf_inflate_budget", default=None)


class _Decompressor:
    def __init__(self, budget: _InflateBudget, wbits: int = zlib.MAX_WBITS):
        self._inner, self._budget = zlib.decompressobj(wbits), budget

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        piece = self._inner.decompress(data, min(max_length or self._budget.left + 1, self._budget.left + 1))
        self._budget.spend(len(piece))
        return piece

    def __getattr__(self, name):
        return getattr(self._inner, name)


class _BoundedZlib:
    """What pdfminer sees as `zlib`: the real one, but inflating within the current budget."""

    error = zlib.error

    def decompress(self, data: bytes, wbits: int = zlib.MAX_WBITS, bufsize: int = zlib.DEF_BUF_SIZE) -> bytes:
        budget = _budget.get()
        if budget is None:
            return zlib.decompress(data, wbits, bufsize)
        inflater, pieces = _Decompressor(budget, wbits), []
        while not inflater.eof:
            piece = inflater.decompress(data, uploads.MB)
            data = inflater.unconsumed_tail
            if not piece and not data:
                break
            pieces.append(piece)
        if not inflater.eof:
            raise zlib.error("incomplete or truncated stream")
        return b"".join(pieces)

    def decompressobj(self, wbits: int = zlib.MAX_WBITS, *args, **kwargs):
        budget = _budget.get()
        return zlib.decompressobj(wbits, *args, **kwargs) if budget is None else _Decompressor(budget, wbits)

    def __getattr__(self, name):
        return getattr(zlib, name)


_bounded_zlib = _BoundedZlib()
_patch_lock = threading.Lock()
_patch_users = 0


@contextmanager
def inflation_limited(limit: int) -> Iterator[_InflateBudget]:
    """Within the block, pdfminer inflates streams within `limit` bytes (this context's budget).

    pdfminer reads `zlib` from its module; it sees the bounded one only while an extraction runs
    (counted across threads: the last one out puts the real zlib back), and even then a thread
    without a budget of its own inflates as before."""
    global _patch_users
    budget = _InflateBudget(limit)
    token = _budget.set(budget)
    with _patch_lock:
        if _patch_users == 0:
            pdfminer.pdftypes.zlib = _bounded_zlib  # type: ignore[assignment]
        _patch_users += 1
    try:
        yield budget
    finally:
        with _patch_lock:
            _patch_users -= 1
            if _patch_users == 0:
                pdfminer.pdftypes.zlib = zlib
        _budget.reset(token)


def _pdf_text(data: bytes) -> str:
    with inflation_limited(MAX_PDF_INFLATED_BYTES) as budget:
        return _pdf_text_within(data, budget)


def _pdf_text_within(data: bytes, budget: _InflateBudget) -> str:
    try:
        with pdfplumber.open(BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise ValidationError(
                    _("PDF 有 %(pages)d 页，超过 %(max)d 页的上限。请只上传述职报告本身。")
                    % {"pages": len(pdf.pages), "max": MAX_PDF_PAGES},
                    code="too_long",
                )
            texts = []
            for page in pdf.pages:
                texts.append(page.extract_text() or "")
                page.close()
    except ValidationError:
        raise
    except Exception as error:  # pdfminer fails in many ways on a broken file
        if budget.exceeded:
            raise _pdf_bomb() from None
        if _caused_by(error, PDFEncryptionError):
            raise ValidationError(_("PDF 设置了打开密码，请取消密码后重新上传。"), code="encrypted") from None
        raise ValidationError(_("PDF 文件已损坏，无法读取。请重新导出后上传。"), code="corrupt") from None
    if budget.exceeded:  # caught and passed over somewhere inside pdfminer: the text is not whole
        raise _pdf_bomb()
    return "\n".join(text for text in texts if text.strip())


def _pdf_bomb() -> ValidationError:
    return ValidationError(_("文件解压后异常庞大，疑似恶意文件，已拒绝。"), code="zip_bomb")


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    stack: list[object] = [error]
    while stack:
        current = stack.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        stack.extend([current.__cause__, current.__context__, *current.args])
    return False


# ---- reading a report written in Word ------------------------------------------------------------

_H1 = re.compile(
    rf"^[\s\u3000]*(?:第[{NUMERALS}]{{1,3}}(?:部分|章|节)[\s\u3000、：:．.]*|[{NUMERALS}]{{1,3}}[\s\u3000]*[、．.])"
)
_H2 = re.compile(rf"^[\s\u3000]*[（(][\s\u3000]*[{NUMERALS}]{{1,3}}[\s\u3000]*[）)]")
_HEADING_END = re.compile(r"[。：:！？!?]")
_SENTENCE = re.compile(r"[，。；,;！？!?]")
HEADING_MAX_CHARS = 40
SHORT_HEADING_CHARS = 15  # an unnumbered line, or a （一） sub-heading, must be this short to name a section

# A few traditional characters, enough to read the headings of a report written in them.
_SIMPLIFIED = str.maketrans(
    "問題責舉紀個績體實職諾踐規劃計點進與對務況執現層當會關開為從後來專設領導黨員結構學習議縣區鄉鎮項辦處標負擔轉變狀態經驗較總這說論認識",
    "问题责举纪个绩体实职诺践规划计点进与对务况执现层当会关开为从后来专设领导党员结构学习议县区乡镇项办处标负担转变状态经验较总这说论认识",
)
# Which section a heading names. The first two win wherever they appear ("上年问题整改" is about
# last year, not this year's problems); among the rest the last-named wins, as the head of a
# Chinese noun phrase comes last ("问题产生的原因" is about causes), unless the two are joined by
# 及/和/与 ("存在问题及原因分析" is about problems, with causes as a sub-heading below).
_FIRST = (
    ("last_year", re.compile(r"上一?年度?|去年|上次述职|承诺落实|践诺")),
    ("discipline", re.compile(r"政治纪律|政治规矩|民主集中制")),
)
_NAMED = (
    ("duty", re.compile(r"主体责任|第一责任|履行.{0,12}?职责|职责履行")),
    ("personal", re.compile(r"个人履职|本人|个人.{0,6}?(?:履职|职责|作用)")),
    ("achievements", re.compile(r"成绩|成效|主要工作|做法|亮点|工作进展")),
    ("problems", re.compile(r"问题|不足|差距|短板|薄弱")),
    ("causes", re.compile(r"原因|根源")),
    ("measures", re.compile(r"整改|措施|举措|打算|下一步|思路|计划|努力方向|改进")),
)
_JOINED = re.compile(r"^(?:的)?(?:及其?|以及|和|与|、|并|暨)$")


def section_key(heading: str) -> str | None:
    """The key of the section a heading names ("二、存在的问题" → "problems"), or None."""
    keys = _section_keys(heading)
    return keys[0] if keys else None


def _section_keys(heading: str) -> list[str]:
    """The section a heading names first, then any joined to it (存在问题及原因 → problems, causes)."""
    text = re.sub(r"[\s\u3000]+", "", heading).translate(_SIMPLIFIED)
    for key, pattern in _FIRST:
        if pattern.search(text):
            return [key]
    found = sorted((m.start(), m.end(), key) for key, pattern in _NAMED for m in pattern.finditer(text))
    if not found:
        return []
    merged: list[list] = []
    for start, end, key in found:
        if merged and merged[-1][2] == key:
            merged[-1][1] = max(merged[-1][1], end)
        elif not merged or start >= merged[-1][1]:
            merged.append([start, end, key])
    chain = [merged[-1]]
    while len(merged) > len(chain):
        before = merged[-len(chain) - 1]
        if not _JOINED.match(text[before[1] : chain[0][0]]):
            break
        chain.insert(0, before)
    keys = []
    for _start, _end, key in chain:
        if key not in keys:
            keys.append(key)
    return keys


def _split_heading(text: str, marker: re.Match | None) -> tuple[str, str]:
    """A heading line's heading and, after its first 。 or ：, the start of the body."""
    rest = text[marker.end() :] if marker else text
    rest = rest.strip(" \t\u3000")
    end = _HEADING_END.search(rest)
    if end and end.start() <= HEADING_MAX_CHARS:
        return rest[: end.start()].strip(), rest[end.end() :].strip()
    return rest.strip(), ""


def _heading(block: _Para) -> tuple[int, str, str, bool]:
    """(level, heading, rest, numbered) of a paragraph: level 1 for 一、 and for a heading style,
    2 for （一） and a second-level style, 0 for body text."""
    text = block.text.strip()
    if marker := _H1.match(text):
        return (1, *_split_heading(text, marker), True)
    if marker := _H2.match(text):
        return (2, *_split_heading(text, marker), True)
    if block.level:
        return (block.level, *_split_heading(text, None), False)
    compact = re.sub(r"[\s\u3000]+", "", text).rstrip("：:")
    if (
        len(compact) <= SHORT_HEADING_CHARS
        and not _SENTENCE.search(compact)
        and (block.listed or (block.element is not None and _is_bold(block.element)))
        and _section_keys(compact)
    ):
        return 1, compact, "", False
    return 0, text, "", False


def parse_report_docx(data: bytes) -> ImportedReport:
    """Read a report written in Word in the usual layout: a title line, headings 一、二、… naming
    the sections, and numbered items under 存在问题 and 整改措施."""
    return _parse(_blocks(_open_docx(data)))


def parse_report_text(text: str) -> ImportedReport:
    """The same for plain text, such as what `extract_text` finds in a PDF."""
    return _parse([_Para(text=line) for line in text.splitlines()])


def _parse(blocks: list[_Para | _Table]) -> ImportedReport:
    title = ""
    bodies: dict[str, list[_Para | _Table]] = {}
    unrecognised: list[str] = []
    current: str | None = None
    joined: list[str] = []  # the sections the current heading names, which its sub-headings may start
    open_parent = False  # under a heading that named no section: any sub-heading may start one
    started = False
    for block in blocks:
        if isinstance(block, _Table):
            if current:
                bodies[current].append(block)
            continue
        if not block.text.strip():
            continue
        level, heading, rest, numbered = _heading(block)
        keys = _section_keys(heading) if level else []
        if not started and not title and not numbered and not (keys and len(heading) <= SHORT_HEADING_CHARS):
            title = block.text.strip()  # the first line, even when styled as a heading
            continue
        if level == 1:
            started = True
            current, joined, open_parent = (keys[0] if keys else None), keys, not keys
            if not keys:
                unrecognised.append(heading)
        elif (
            level == 2
            and keys
            and (open_parent or (len(joined) > 1 and keys[0] in joined))
            and len(re.sub(r"[\s\u3000]+", "", heading)) <= SHORT_HEADING_CHARS
        ):
            started, current = True, keys[0]
        else:
            if current:
                bodies[current].append(block)
            continue
        if current:
            bodies.setdefault(current, [])
            if rest:
                bodies[current].append(_Para(text=rest))
    return ImportedReport(
        title=title,
        sections={key: _body_text(bodies[key]) for key, _heading_text in SECTIONS if key in bodies},
        problems=_items(bodies.get("problems", []), column=_PROBLEM_COLUMN),
        commitments=_items(bodies.get("measures", []), column=_MEASURE_COLUMN),
        unrecognised=unrecognised,
    )


def _body_text(blocks: list[_Para | _Table]) -> str:
    lines = []
    for block in blocks:
        if isinstance(block, _Para):
            lines.append(block.text.strip())
        else:
            lines.extend("\t".join(row) for row in block.rows if any(row))
    return "\n".join(line for line in lines if line and line != NOT_FILLED)


# Item numbers, from the coarsest: （一） 一是 1. （1） ①. The family whose first item comes first
# in the section splits it; its numbers must run 1, 2, 3… so that "2024." or "统一是" do not count.
_ITEM_FAMILIES = (
    re.compile(rf"^[ \t\u3000]*[（(]([{NUMERALS}]{{1,3}})[）)]", re.MULTILINE),
    re.compile(rf"(?:^|(?<=[。；;！？!?，,：:\s]))([{NUMERALS}]{{1,3}})是", re.MULTILINE),
    re.compile(r"^[ \t\u3000]*([0-9０-９]{1,2})[ \t]*[.．、](?![0-9０-９])", re.MULTILINE),
    re.compile(r"^[ \t\u3000]*[（(]([0-9０-９]{1,2})[）)]", re.MULTILINE),
    re.compile(r"^[ \t\u3000]*([①-⑳])", re.MULTILINE),
)
_PROBLEM_COLUMN = re.compile(r"问题|问題|內容|内容|描述|表现")
_MEASURE_COLUMN = re.compile(r"措施|举措|舉措|承诺|承諾|内容|內容|事项|事項")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_ITEM_TRIM = " \t\u3000\n；;，,、"


def _number(numeral: str) -> int:
    """The value of an item number: 3, ３, 三, 十二 or ③."""
    if "①" <= numeral <= "⑳" and len(numeral) == 1:
        return ord(numeral) - ord("①") + 1
    if numeral.isdigit():
        return int(numeral.translate(_FULL_WIDTH_DIGITS))
    tens, ten, ones = numeral.rpartition("十")
    if not ten:
        return NUMERALS.index(numeral) + 1 if len(numeral) == 1 else 0
    return (NUMERALS.index(tens) + 1 if tens else 1) * 10 + (NUMERALS.index(ones) + 1 if ones else 0)


def _items(blocks: list[_Para | _Table], *, column: re.Pattern) -> list[str]:
    """The numbered items of a section; else its Word-numbered paragraphs; else the rows of its
    table; else its paragraphs."""
    paragraphs = [block for block in blocks if isinstance(block, _Para) and block.text.strip()]
    text = "\n".join(block.text.strip() for block in paragraphs)
    best: list[re.Match] = []
    for family in _ITEM_FAMILIES:
        kept, expected = [], 1
        for match in family.finditer(text):
            if _number(match.group(1)) == expected:
                kept.append(match)
                expected += 1
        if len(kept) >= 2 and (not best or kept[0].start() < best[0].start()):
            best = kept
    if best:
        ends = [match.start() for match in best[1:]] + [len(text)]
        items = [text[match.end() : end].strip(_ITEM_TRIM) for match, end in zip(best, ends, strict=True)]
        return [item for item in items if item]
    if any(block.listed for block in paragraphs):
        grouped: list[list[str]] = []
        for block in paragraphs:
            if block.listed:
                grouped.append([block.text.strip()])
            elif grouped:
                grouped[-1].append(block.text.strip())
        return ["\n".join(group).strip(_ITEM_TRIM) for group in grouped]
    for table in (block for block in blocks if isinstance(block, _Table)):
        if len(table.rows) < 2:
            continue
        index = next((i for i, cell in enumerate(table.rows[0]) if column.search(cell)), None)
        if index is not None:
            return [row[index].strip() for row in table.rows[1:] if len(row) > index and row[index].strip()]
    return [
        block.text.strip().strip(_ITEM_TRIM)
        for block in paragraphs
        if not block.text.strip().endswith(("：", ":"))
    ]


# ---- writing a report in the official layout -----------------------------------------------------

# (header, width in cm, centred): the widths fill the 15.6 cm between the margins
_PROBLEM_COLUMNS = (("序号", 1.2, True), ("存在问题", 9.4, False), ("类别", 2.6, True), ("程度", 2.4, True))
_RESPONSIBILITY_COLUMNS = (("序号", 1.2, True), ("责任事项", 11.6, False), ("类别", 2.8, True))
_COMMITMENT_COLUMNS = (("序号", 1.2, True), ("承诺事项", 11.6, False), ("类别", 2.8, True))
_CARRIED_COLUMNS = (
    ("序号", 1.2, True),
    ("上年问题和承诺", 5.6, False),
    ("类型", 2.0, True),
    ("落实情况", 2.4, True),
    ("说明", 4.4, False),
)
_AGENDA_COLUMNS = (("序号", 1.6, True), ("单位", 7.6, False), ("书记", 3.2, True), ("方式", 3.2, True))
NOT_FILLED = "（未填写）"  # printed under a heading whose section is empty


def render_report_docx(report: ReportDocument) -> bytes:
    """The report as a .docx in the official layout: A4, 方正小标宋 title, 黑体 headings, 仿宋 body."""
    document = documents.new_document(title=report.title, subject=report.cycle_title)
    section = document.sections[0]
    header = section.header.paragraphs[0]
    meta = "　".join(part for part in (report.cycle_title, report.mode_label, report.status_label) if part)
    documents.run(header, meta, font=documents.BODY_FONT, size=Pt(10.5), color=RGBColor(0x59, 0x59, 0x59))
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _write_report(document, report)
    return documents.save(document)


def render_meeting_book(*, title: str, subtitle: str, reports: list[ReportDocument]) -> bytes:
    """All the reports of a meeting in one .docx: a cover, the agenda, then each report from a new
    page in the same layout as `render_report_docx`."""
    document = documents.new_document(title=title, subject=subtitle)
    document.sections[0].different_first_page_header_footer = True  # no page number on the cover
    cover = documents.line(
        document, title, font=documents.TITLE_FONT, size=Pt(26), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    cover.paragraph_format.space_before = Pt(200)
    cover.paragraph_format.line_spacing = Pt(40)
    if subtitle:
        below = documents.line(
            document, subtitle, font=documents.SIGNATURE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
        )
        below.paragraph_format.space_before = Pt(28)
    agenda = documents.line(
        document, "述职顺序", font=documents.HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    agenda.paragraph_format.page_break_before = True
    agenda.paragraph_format.space_after = Pt(14)
    documents.table(
        document,
        _AGENDA_COLUMNS,
        [(str(i), r.unit_name, r.secretary_name, r.mode_label) for i, r in enumerate(reports, start=1)],
    )
    for report in reports:
        first = _write_report(document, report)
        first.paragraph_format.page_break_before = True
    return documents.save(document)


def _write_report(document, report: ReportDocument):
    """Write one report at the end of the document; return its title paragraph."""
    signature = "　".join(part for part in (report.unit_name, report.secretary_name) if part)
    title = documents.title_block(document, report.title, *([signature] if signature else []))
    # each list as a table after the section it belongs to; the header row names it
    tables = {
        "duty": (_RESPONSIBILITY_COLUMNS, [(i.text, i.category) for i in report.responsibilities]),
        "problems": (_PROBLEM_COLUMNS, [(i.text, i.category, i.severity) for i in report.problems]),
        "measures": (_COMMITMENT_COLUMNS, [(i.text, i.category) for i in report.commitments]),
        "last_year": (
            _CARRIED_COLUMNS,
            [(i.text, i.kind_label, i.answer_label, i.explanation) for i in report.carried_over],
        ),
    }
    headings = {heading: key for key, heading in SECTIONS}
    for number, (heading, text) in enumerate(report.sections, start=1):
        documents.heading(document, f"{documents.chinese_number(number)}、{heading}")
        paragraphs = [p.strip() for p in documents.clean(text).splitlines() if p.strip()]
        for paragraph in paragraphs or [NOT_FILLED]:
            documents.line(document, paragraph)
        key = headings.get(heading) or section_key(heading)
        if key in tables:
            _list_table(document, *tables.pop(key))
    for remaining in tables.values():  # a list whose section the report does not print
        _list_table(document, *remaining)
    for number, extra in enumerate(report.extra, start=len(report.sections) + 1):
        documents.heading(document, f"{documents.chinese_number(number)}、{extra.title}")
        width = documents.CONTENT_WIDTH_CM / len(extra.columns)
        documents.table(document, [(c, width, i > 0) for i, c in enumerate(extra.columns)], extra.rows)
    return title


def _list_table(document, columns, rows: list[tuple]) -> None:
    if not rows:
        return
    documents.table(document, columns, [(str(i), *row) for i, row in enumerate(rows, start=1)])
    document.add_paragraph().paragraph_format.line_spacing = Pt(14)  # air below the table
