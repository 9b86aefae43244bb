"""Text extraction from a duty report in Word: a report of about 30 pages (15,000 Chinese
characters in the eight sections, split into runs as Word writes them, and a few tables), built
from the seed texts.

Figures: `reports.documents.extract_text` (the zip checks, python-docx opening the package, the
walk over the body), best and median of 5 runs; python-docx's plain `Document(...)` open of the
same file measured in the same run as the baseline; and `parse_report_docx` on the same file.

    python benchmarks/docx_extract.py
"""

import math
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FILES = ROOT / "var" / "bench"
SEEDS = ROOT / "shuzhi" / "testing" / "seeds"
TARGET_CHARS = 15_000
RUN_CHARS = 12  # Word splits a paragraph into runs at every edit, spell-check mark and format change
RUNS = 5


def seed_paragraphs() -> list[str]:
    """Paragraphs of the simplified seed texts, without their own numbered headings."""
    paragraphs = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if "黨" in text or " ， " in text:  # traditional or word-segmented: not how a report is written
            continue
        for line in text.splitlines():
            line = line.strip()
            if len(line) >= 40 and not re.match(
                r"^[一二三四五六七八九十]+、|^[（(][一二三四五六七八九十]+[）)]", line
            ):
                paragraphs.append(line)
    return paragraphs


def build_file() -> tuple[Path, int, float]:
    """Write the report; return its path, its characters in paragraphs, and its pages as printed
    in the official layout (三号 仿宋 on 28 pt lines: 22 lines of 28 characters on a page of A4)."""
    import docx
    from docx.shared import Pt

    from shuzhi.reports.documents import SECTIONS

    path = FILES / "report-30-pages.docx"
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(16)
    document.add_paragraph("中共云州市某某区委员会书记2024年度抓基层党建工作述职报告")
    paragraphs, used, chars, lines = seed_paragraphs(), 0, 0, 1
    per_section = TARGET_CHARS // len(SECTIONS)
    for number, (key, heading) in enumerate(SECTIONS, start=1):
        document.add_paragraph(f"{'一二三四五六七八'[number - 1]}、{heading}")
        written, lines = 0, lines + 1
        while written < per_section:
            text = paragraphs[used % len(paragraphs)][: per_section - written]
            used += 1
            paragraph = document.add_paragraph()
            for start in range(0, len(text), RUN_CHARS):
                run = paragraph.add_run(text[start : start + RUN_CHARS])
                run.bold = start == 0 and key == "problems"
            written += len(text)
            lines += math.ceil((len(text) + 2) / 28)  # two characters of first-line indent
        chars += written
        if key in ("duty", "problems", "measures", "last_year"):
            table = document.add_table(rows=11, cols=4)
            for row_index, row in enumerate(table.rows):
                for col, cell in enumerate(row.cells):
                    cell.text = (
                        ("序号", "事项", "类别", "时限")[col]
                        if row_index == 0
                        else f"第{row_index}项内容{col}"
                    )
            lines += 11 * 20 / 28 + 1  # rows on 20 pt lines, and a line of air below
    FILES.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path, chars, lines / 22


def timed(function, data: bytes) -> list[float]:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        function(data)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    from io import BytesIO

    import docx

    from shuzhi.reports.documents import extract_text, parse_report_docx

    path, chars, pages = build_file()
    data = path.read_bytes()
    extract_text(data, "docx")  # imports and caches warmed, as in a running server
    text = extract_text(data, "docx")
    opened = timed(lambda content: docx.Document(BytesIO(content)), data)
    extracted = timed(lambda content: extract_text(content, "docx"), data)
    parsed = timed(parse_report_docx, data)
    print(
        f"{path.name}: {len(data) / 1024:.0f} KB, {chars} characters in paragraphs and 4 tables, about "
        f"{pages:.0f} pages in the official layout; {len(text)} characters extracted"
    )
    for label, times in (
        ("python-docx Document() open (baseline)", opened),
        ("extract_text", extracted),
        ("parse_report_docx", parsed),
    ):
        print(
            f"{label:40s} best {min(times) * 1000:7.1f} ms   median {statistics.median(times) * 1000:7.1f} ms"
        )
    ratio = statistics.median(extracted) / statistics.median(opened)
    print(f"extract_text / plain open: {ratio:.2f} x")
    print(f"BENCH docx_extract_s {statistics.median(extracted):.4f} s")


if __name__ == "__main__":
    main()
