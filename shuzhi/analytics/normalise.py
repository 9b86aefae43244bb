"""Text made comparable: traditional → simplified, full-width → half-width, web junk left out,
with a map back to the original so every finding is shown on the text as it was written.

Two projections of one text:
- `folded`: the original with each character converted (OpenCC t2s, full-width ASCII to
  half-width, ASCII lower case). OpenCC's t2s keeps one character for one almost always; where it
  does not, the text is converted piece by piece so `folded[i]` still stands for `original[i]`.
- `comparable`: only the letters, digits and Chinese characters of `folded` outside junk (pinyin
  annotations such as `(zhǎng)`, site disclaimers, URLs, e-mail addresses). Punctuation and
  whitespace are dropped, so changed punctuation and word-segmented text compare equal. It maps
  back through runs: `comparable[c]` is `original[to_original(c)]`.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

import opencc

# Full-width ASCII (！ to ～) and the ideographic space become their half-width forms; ASCII
# letters become lower case. Chinese punctuation (，。、) stays: it is the text's own.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
_FOLD.update({code: code + 32 for code in range(ord("A"), ord("Z") + 1)})
_FOLD.update({code: code - 0xFEE0 + 32 for code in range(0xFF21, 0xFF3B)})  # Ａ to a at once

# What counts for comparison: CJK ideographs (base block and extension A), ASCII digits and letters.
_KEPT = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")

# Pinyin with tone marks in parentheses right after a character, as some sites annotate every
# word: 市長(zhǎng). Plain letters in parentheses are left alone unless they look like pinyin
# syllables after a Chinese character ("(de)"): a report rarely writes Latin in brackets there.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN = re.compile(
    rf"(?<=[\u3400-\u9fff])(?:[(（]\s*[a-z{_TONED}]{{1,6}}(?:\s+[a-z{_TONED}]{{1,6}}){{0,3}}\s*[)）])+"
)
_URL = re.compile(r"(?:https?://|www\.)[0-9a-z._~:/?#@!$&'*+,;=%-]+|[0-9a-z._%+-]+@[0-9a-z.-]+\.[a-z]{2,}")
# A sentence of site furniture: disclaimers, "导语" headers, page navigation, posting times. Only
# the sentence goes, not the paragraph it sits in. Matched on the folded text with the pinyin
# taken out, so one pattern covers both scripts.
_JUNK_SENTENCES = re.compile(
    r"(?:^|(?<=[。！!]))[^\n。！!]{0,300}?(?:本站|本网|网友上传|仅供学习参考|仅供参考|请勿照搬|仅代表作者|"
    r"转载请|版权归|侵权请|欢迎您|欢迎参考|原创文章|客服|阅读推荐|新闻爆料|责任编辑|来源[:：]|声明[:：]|"
    r"上一篇|下一篇|返回顶部|扫一扫|分享到)[^\n。！!]{0,300}[。！!]*|^\s*时间[:：]\s*\d{4}-\d{1,2}-\d{1,2}[^\n]*$",
    re.MULTILINE,
)
_SPACES = re.compile(r"\s+")


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """`text` in simplified characters, one character for one (see the module's docstring)."""
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase became longer or shorter: convert line by line, and a line that still changes
    # length character by character (losing only the phrase context of that line).
    pieces = []
    for line in text.splitlines(keepends=True):
        out = _converter().convert(line)
        if len(out) != len(line):
            out = "".join(
                c if len(c) == 1 else ch for ch, c in ((ch, _converter().convert(ch)) for ch in line)
            )
        pieces.append(out)
    return "".join(pieces)


def fold(text: str) -> str:
    return to_simplified(text).translate(_FOLD)


def junk_spans(folded: str) -> list[tuple[int, int]]:
    """Where in `folded` the web junk is, as sorted, non-overlapping (start, end) spans."""
    pinyin = [m.span() for m in _PINYIN.finditer(folded)]
    # Lines are judged with the pinyin taken out, so that 网(wǎng)友上传 reads 网友上传.
    pieces = _clean_ranges(len(folded), pinyin)
    stripped = "".join(folded[a:b] for a, b in pieces)
    starts, total = [], 0
    for a, b in pieces:
        starts.append(total)
        total += b - a

    def back(index: int) -> int:
        piece = bisect_right(starts, index) - 1
        return pieces[piece][0] + index - starts[piece]

    spans = list(pinyin)
    for m in _JUNK_SENTENCES.finditer(stripped):
        if m.end() > m.start():
            spans.append((back(m.start()), back(m.end() - 1) + 1))
    spans += [m.span() for m in _URL.finditer(folded)]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _clean_ranges(length: int, junk: list[tuple[int, int]]) -> list[tuple[int, int]]:
    ranges, at = [], 0
    for start, end in junk:
        if start > at:
            ranges.append((at, start))
        at = end
    if at < length:
        ranges.append((at, length))
    return ranges


@dataclass(frozen=True)
class Normalised:
    original: str
    folded: str
    junk: tuple[tuple[int, int], ...]
    comparable: str
    # run i of `comparable` starts at run_starts[i] and stands for original[run_origins[i]:…]
    run_starts: tuple[int, ...]
    run_origins: tuple[int, ...]

    def to_original(self, index: int) -> int:
        """The original offset of `comparable[index]`."""
        run = bisect_right(self.run_starts, index) - 1
        return self.run_origins[run] + index - self.run_starts[run]

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of `comparable[start:end]` (end exclusive, end > start)."""
        return self.to_original(start), self.to_original(end - 1) + 1

    def to_comparable(self, offset: int) -> int:
        """The first comparable index at or after the original `offset`."""
        run = bisect_right(self.run_origins, offset) - 1
        if run < 0:
            return 0
        inside = offset - self.run_origins[run]
        run_length = (
            self.run_starts[run + 1] if run + 1 < len(self.run_starts) else len(self.comparable)
        ) - (self.run_starts[run])
        if inside < run_length:
            return self.run_starts[run] + inside
        return self.run_starts[run] + run_length

    @property
    def text(self) -> str:
        """The readable normalised text: folded, junk left out, whitespace folded to one space."""
        return _SPACES.sub(
            " ", "".join(self.folded[a:b] for a, b in _clean_ranges(len(self.folded), list(self.junk)))
        ).strip()


def normalise(original: str) -> Normalised:
    folded = fold(original)
    junk = junk_spans(folded)
    parts, starts, origins, length = [], [], [], 0
    for a, b in _clean_ranges(len(folded), junk):
        for match in _KEPT.finditer(folded, a, b):
            parts.append(match.group())
            starts.append(length)
            origins.append(match.start())
            length += match.end() - match.start()
    return Normalised(
        original=original,
        folded=folded,
        junk=tuple(junk),
        comparable="".join(parts),
        run_starts=tuple(starts),
        run_origins=tuple(origins),
    )
