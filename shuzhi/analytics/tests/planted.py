"""An evaluation set made from the seeds the way the held-out set is made: real-genre texts,
copies planted between them (verbatim, script-converted, lightly edited, from junk-laden
traditional sources) and negatives (texts sharing only the genre's slogans).

`make_set(seed)` returns the documents (name → text) and the planted passages in original
character offsets, end exclusive; `score` measures findings against them.
"""

import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import opencc

from shuzhi.analytics.normalise import normalise
from shuzhi.analytics.slogans import SLOGANS

SEEDS = Path(__file__).resolve().parents[2] / "testing" / "seeds"
_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+[”」』]?|\n+|$)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# a few characters a hand editing a copy swaps in
_SWAPS = "的了和与及在对把将使其各全本该此要能可更新好实强深大"
_DISCLAIMERS = (
    "導語:{title}一文來源於網友上傳,不代表本站觀點,若需要原創文章可咨詢客服老師,歡迎參考。",
    "本文系邮箱投稿，仅供学习参考，请勿照搬照抄！",
    "聲明:本文僅代表作者個人觀點,與本網無關。其原創性以及文中陳述文字和內容未經本站證實,請讀者僅作參考。",
    "閱讀推薦",
    "時間:2022-05-14 09:10:00",
    "来源：http://www.example-dangjian.cn/article/2021/1203.html",
)


@dataclass(frozen=True)
class Planted:
    doc: str
    start: int
    end: int
    source: str
    source_start: int
    source_end: int
    how: str


@cache
def _seed_sentences() -> list[list[str]]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    return [[s for s in _SENTENCE.findall(text) if s] for text in texts]


@cache
def _pinyin_table() -> dict[str, str]:
    """Character → pinyin, learnt from the annotated seed itself (市長(zhǎng) …)."""
    table = {}
    for text in (path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")):
        for char, sound in re.findall(r"([\u4e00-\u9fff])\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6})\)", text):
            table[char] = sound
    return table


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def _junky(text: str, rng: random.Random) -> str:
    """Traditional characters with pinyin after many of them, as the seeds' sites do."""
    table = _pinyin_table()
    simplified_sounds = {_converter("t2s").convert(c): s for c, s in table.items()}
    out = []
    for char in _converter("s2t").convert(text):
        out.append(char)
        sound = table.get(char) or simplified_sounds.get(_converter("t2s").convert(char))
        if sound and rng.random() < 0.6:
            out.append(f"({sound})")
    return "".join(out)


def _edit(text: str, rng: random.Random) -> str:
    """A few characters changed, added or dropped, and some punctuation changed."""
    chars = list(text)
    cjk = [i for i, c in enumerate(chars) if _CJK.match(c)]
    edits = max(1, len(cjk) // 30)
    for i in sorted(rng.sample(cjk, min(edits, len(cjk))), reverse=True):
        kind = rng.choice(("swap", "drop", "add"))
        if kind == "swap":
            chars[i] = rng.choice(_SWAPS)
        elif kind == "drop":
            del chars[i]
        else:
            chars.insert(i, rng.choice(_SWAPS))
    text = "".join(chars)
    return text.replace("，", rng.choice(("，", "、", "；", ","))).replace("“", "「").replace("”", "」")


def _slogan_sentence(rng: random.Random) -> str:
    first, second = rng.sample([s for s in SLOGANS if len(s) >= 6], 2)
    return f"{first}，{second}。"


def make_set(seed: int = 20, documents: int = 48, plants: int = 80) -> tuple[dict[str, str], list[Planted]]:
    rng = random.Random(seed)
    pool = [sentence for sentences in _seed_sentences() for sentence in sentences]
    # Disjoint slices of the seeds: own text never shared between two documents.
    size = max(8, len(pool) // documents)
    pieces: dict[str, list[list]] = {}
    for number in range(documents):
        slice_ = pool[number * size : (number + 1) * size]
        if not slice_:
            break
        body = [[text, None] for text in slice_]
        for _ in range(rng.randint(1, 3)):  # the negatives: the genre's slogans, shared by all
            body.insert(rng.randint(0, len(body)), [_slogan_sentence(rng), ("slogan", "")])
        pieces[f"d{number:02d}.txt"] = body
    names = sorted(pieces)
    # Junk-laden traditional sources, made from a few documents' text.
    for number, name in enumerate(rng.sample(names, 6)):
        title = pieces[name][0][0].strip()[:20]
        junk = [[_junky(text, rng), tag] for text, tag in pieces[name]]
        junk.insert(0, [rng.choice(_DISCLAIMERS).format(title=title) + "\n", None])
        junk.insert(
            rng.randint(1, len(junk)), ["\n" + rng.choice(_DISCLAIMERS).format(title=title) + "\n", None]
        )
        pieces[f"t{number:02d}.txt"] = junk
        # the plain document it came from is dropped, so the source is only the junk one
        del pieces[name]
    names = sorted(pieces)
    targets = [name for name in names if name.startswith("d")]
    taken: set[tuple[str, int]] = set()
    paired: set[tuple[str, str]] = set()
    plan = []
    for number in range(plants):
        source = rng.choice(names)
        target = rng.choice([name for name in targets if name != source])
        if (source, target) in paired or (target, source) in paired:
            continue  # two passages of one pair side by side would read as one
        paired.add((source, target))
        want = rng.choice((50, 60, 80, 120, 160, 220, 300, 400))
        body = pieces[source]
        start = rng.randrange(len(body))
        while start < len(body) and not normalise(body[start][0]).comparable:
            start += 1  # a copy starts with words, not with a line of site junk
        stop, length = start, 0
        while stop < len(body) and length < want:
            if body[stop][1] is not None or (source, stop) in taken:
                break
            if not normalise(body[stop][0]).comparable and stop > start:
                break
            length += len(normalise(body[stop][0]).comparable)
            stop += 1
        if length < 40:
            continue
        taken.update((source, k) for k in range(start, stop))
        text = "".join(piece[0] for piece in body[start:stop])
        if source.startswith("t"):
            how = "junk"
            copy = _converter("t2s").convert(re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)", "", text))
            if rng.random() < 0.3:
                copy = text  # pasted with the junk in it
        else:
            how = rng.choice(("verbatim", "script", "edited", "edited_script"))
            copy = text
            if how in ("script", "edited_script"):
                copy = _converter("s2t" if rng.random() < 0.7 else "t2s").convert(copy)
            if how in ("edited", "edited_script"):
                copy = _edit(copy, rng)
        tag = f"p{number}"
        for k in range(start, stop):
            body[k][1] = (tag, "source")
        # never inside a passage another document copies
        places = [
            k
            for k in range(len(pieces[target]) + 1)
            if k in (0, len(pieces[target]))
            or not (pieces[target][k - 1][1] and pieces[target][k - 1][1] == pieces[target][k][1])
        ]
        where = rng.choice(places)
        pieces[target].insert(where, [copy.strip("\n") + "\n", (tag, "copy")])
        plan.append((tag, target, source, how))
    docs, spans = {}, {}
    for name, body in pieces.items():
        at, text = 0, []
        for piece, tag in body:
            if tag is not None and tag[0] != "slogan":
                # a copied stretch starts at its first character that is not a line break
                lead = len(piece) - len(piece.lstrip("\n"))
                trail = len(piece) - len(piece.rstrip("\n"))
                start, end = at + lead, at + len(piece) - trail
                key = (tag[0], tag[1])
                if key in spans:
                    start = spans[key][1]
                spans[key] = (name, spans.get(key, (name, start))[1], end)
            text.append(piece)
            at += len(piece)
        docs[name] = "".join(text)
    truth = []
    for tag, target, source, how in plan:
        _, start, end = spans[(tag, "copy")]
        _, source_start, source_end = spans[(tag, "source")]
        truth.append(Planted(target, start, end, source, source_start, source_end, how))
    return docs, truth


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _matches(finding, planted: Planted) -> bool:
    """A finding is the planted passage if it names the same two documents (either way round)
    and covers at least half of the planted passage on both sides, and at least half of the
    finding lies in it."""
    if (finding.doc, finding.source) == (planted.doc, planted.source):
        mine, theirs = (finding.start, finding.end), (finding.source_start, finding.source_end)
    elif (finding.doc, finding.source) == (planted.source, planted.doc):
        mine, theirs = (finding.source_start, finding.source_end), (finding.start, finding.end)
    else:
        return False
    copy, source = (planted.start, planted.end), (planted.source_start, planted.source_end)
    return (
        _overlap(mine, copy) >= 0.5 * (copy[1] - copy[0])
        and _overlap(theirs, source) >= 0.5 * (source[1] - source[0])
        and _overlap(mine, copy) >= 0.5 * (mine[1] - mine[0])
    )


def score(findings, truth: list[Planted]) -> tuple[float, float, list, list]:
    """Precision, recall, the findings that match nothing planted, the planted passages missed."""
    false = [f for f in findings if not any(_matches(f, p) for p in truth)]
    missed = [p for p in truth if not any(_matches(f, p) for f in findings)]
    precision = (len(findings) - len(false)) / len(findings) if findings else 1.0
    recall = (len(truth) - len(missed)) / len(truth) if truth else 1.0
    return precision, recall, false, missed
