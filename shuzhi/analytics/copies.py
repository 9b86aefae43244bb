"""Copied passages between texts: fingerprints to find candidates, alignment to find the passage.

Pure functions over normalised text (no database). The pages, the checks of a cycle and the
`find_copies` command all call `compare`, so what the evaluation measures is what people see.

1. Fingerprints (winnowing, Schleimer et al. 2003): hash every K-character window of the
   comparable text and keep, in each run of W windows, the smallest hash. Two texts that share a
   run of K + W - 1 comparable characters always share at least one fingerprint, whatever else
   they contain, so a passage of a few dozen characters is always seen. Whole-document MinHash
   (datasketch) cannot promise that: a 150-character passage inside two 3,000-character reports
   moves their Jaccard similarity by under 0.03, far below any LSH threshold that is not
   swamped by the genre's shared phrasing (see tests/test_copies.py).
2. Hits: the fingerprints two texts share, as pairs of positions. Hits on one diagonal, near
   each other, form a cluster. A cluster of fewer than MIN_HITS hits is not aligned: a passage
   of MIN_LENGTH characters shares several fingerprints, while a shared phrase of the genre (a
   section heading and a unit's name) shares one or two. Over the 40 planted evaluation sets
   (1,584 passages) precision and recall stay 1.000 at 3 (at 4 one passage is lost); in the city
   benchmark's cycle the planted copies found stay 501 of 542 while the findings outside them
   go from 543 to 352, and the alignment's work halves.
3. Alignment: around each cluster, exact matches of at least SEED characters are chained along
   the diagonal, allowing small gaps (a few changed, added or dropped characters). A chain is a
   passage if, leaving out the stop-listed slogans, MIN_LENGTH characters or more are shared and
   the chain is at least MIN_CLOSENESS alike.

Script changes, punctuation, spacing and web junk are gone before any of this (`normalise`).
"""

import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from shuzhi.analytics.normalise import Normalised, normalise
from shuzhi.analytics.slogans import SLOGANS

K = 8  # characters per fingerprinted window
W = 8  # windows per winnowing window: any shared run of K + W - 1 = 15 characters is seen
SEED = 5  # shortest exact match the alignment chains
MAX_GAP = 16  # most characters between two chained matches, on either side
MAX_SKEW = 6  # most characters one side may gain on the other between two matches
MIN_LENGTH = 32  # shared characters a passage needs (tuned on the seeds)
MIN_OWN = 20  # of which outside stop-listed slogans: two slogans side by side are no copy
MIN_CLOSENESS = 0.75  # matched characters / passage length
# A fingerprint in more than this share of a corpus, and in more than COMMON_FLOOR texts, is the
# genre's: it finds no candidates. A passage copied into more texts than that goes unseen.
COMMON_DOCUMENTS = 0.3
COMMON_FLOOR = 100
PAD = 48  # characters aligned around a cluster of hits
MIN_HITS = 3  # shared fingerprints near each other on one diagonal that are worth aligning


def _hashes(comparable: str) -> list[int]:
    data = comparable.encode("utf-32-le")
    width = 4 * K
    return [zlib.crc32(data[i : i + width]) for i in range(0, len(data) - width + 4, 4)]


def fingerprints(comparable: str, mask: bytes | None = None) -> list[tuple[int, int]]:
    """The winnowed (hash, position) pairs of `comparable`, in order of position.

    Windows lying wholly inside a slogan (`mask`) are not fingerprinted: a slogan shared by two
    reports must not make them a candidate pair.
    """
    hashes = _hashes(comparable)
    if not hashes:
        return []
    if mask is not None:
        inside = _inside_slogans(mask)
        hashes = [0xFFFFFFFF if inside[i] else h for i, h in enumerate(hashes)]
    chosen: list[tuple[int, int]] = []
    if len(hashes) <= W:
        low = min(hashes)
        at = len(hashes) - 1 - hashes[::-1].index(low)
        return [] if low == 0xFFFFFFFF else [(low, at)]
    at = -1
    for start in range(len(hashes) - W + 1):
        end = start + W - 1
        if at < start:
            window = hashes[start : end + 1]
            low = min(window)
            at = end - window[::-1].index(low)
        elif hashes[end] <= hashes[at]:
            at = end
        else:
            continue
        if hashes[at] != 0xFFFFFFFF and (not chosen or chosen[-1][1] != at):
            chosen.append((hashes[at], at))
    return chosen


def _inside_slogans(mask: bytes) -> list[bool]:
    """For each K-window: does it lie wholly inside slogans?"""
    run, inside = 0, []
    runs = []
    for flag in mask:
        run = run + 1 if flag else 0
        runs.append(run)
    for i in range(len(mask) - K + 1):
        inside.append(runs[i + K - 1] >= K)
    return inside


@cache
def _slogan_forms() -> tuple[str, ...]:
    forms = {normalise(slogan).comparable for slogan in SLOGANS}
    return tuple(sorted((form for form in forms if form), key=len, reverse=True))


def slogan_mask(comparable: str) -> bytes:
    """1 for each comparable character inside a stop-listed slogan."""
    mask = bytearray(len(comparable))
    for form in _slogan_forms():
        start = comparable.find(form)
        while start >= 0:
            mask[start : start + len(form)] = b"\x01" * len(form)
            start = comparable.find(form, start + 1)
    return bytes(mask)


@dataclass
class Text:
    """A text prepared for comparison: its normalised form, slogan mask and fingerprints."""

    name: str
    normalised: Normalised
    mask: bytes
    prints: list[tuple[int, int]]
    # made once, when the text is first compared: where each fingerprint is
    _where: dict[int, list[int]] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def comparable(self) -> str:
        return self.normalised.comparable

    @property
    def where(self) -> dict[int, list[int]]:
        """The positions of each fingerprint."""
        if self._where is None:
            where: dict[int, list[int]] = defaultdict(list)
            for h, position in self.prints:
                where[h].append(position)
            self._where = dict(where)
        return self._where


def prepare(name: str, text: str) -> Text:
    normalised = normalise(text)
    mask = slogan_mask(normalised.comparable)
    return Text(name, normalised, mask, fingerprints(normalised.comparable, mask))


@dataclass(frozen=True)
class Passage:
    """A passage of one text found in another, in comparable offsets (see `to_original`)."""

    start: int
    end: int
    source_start: int
    source_end: int
    matched: int  # characters in exact matches
    closeness: float  # matched / the longer side's length

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass
class _Match:
    i: int
    j: int
    length: int
    score: float = 0.0
    back: int = -1
    used: bool = field(default=False)


def _matches(a: Text, b: str, a0: int, a1: int, b0: int, b1: int, diagonal: int, band: int) -> list[_Match]:
    """Maximal exact matches of SEED characters or more between a[a0:a1] and b[b0:b1] whose
    diagonal (j - i) lies within `band` of `diagonal`. Looked up in the SEED-grams of a[a0:a1]
    only: a checked report has a few windows to align, and a table of its whole text cost more
    than they did."""
    sa = a.comparable
    grams: dict[str, list[int]] = {}
    for i in range(a0, a1 - SEED + 1):
        gram = sa[i : i + SEED]
        at = grams.get(gram)
        if at is None:
            grams[gram] = [i]
        else:
            at.append(i)
    get = grams.get
    found = []
    # the loop runs for every character of every window aligned: builtins kept out of it
    for j in range(b0, b1 - SEED + 1):
        at = get(b[j : j + SEED])
        if at is None:
            continue
        low, high = j - diagonal - band, j - diagonal + band
        for i in at:
            if i < low:
                continue
            if i > high:
                break
            if i > a0 and j > b0 and sa[i - 1] == b[j - 1]:
                continue  # inside a longer match that started earlier
            length = SEED
            while i + length < a1 and j + length < b1 and sa[i + length] == b[j + length]:
                length += 1
            found.append(_Match(i, j, length))
    return found


def _chains(matches: list[_Match], mask: bytes) -> list[Passage]:
    """Chain matches along the diagonal; the best non-overlapping chains that make passages."""
    matches.sort(key=lambda m: (m.i, m.j))
    for k, m in enumerate(matches):
        m.score, m.back = float(m.length), -1
        for p in range(k - 1, -1, -1):
            prev = matches[p]
            if prev.i < m.i - 400:
                break
            gap_a, gap_b = m.i - (prev.i + prev.length), m.j - (prev.j + prev.length)
            if gap_a < 0 or gap_b < 0 or gap_a > MAX_GAP or gap_b > MAX_GAP or abs(gap_a - gap_b) > MAX_SKEW:
                continue
            score = prev.score + m.length - max(gap_a, gap_b)
            if score > m.score:
                m.score, m.back = score, p
    passages: list[Passage] = []
    for end in sorted(range(len(matches)), key=lambda k: -matches[k].score):
        if matches[end].used:
            continue
        chain, k = [], end
        while k >= 0 and not matches[k].used:
            chain.append(matches[k])
            k = matches[k].back
        chain.reverse()
        for m in chain:
            m.used = True
        first, last = chain[0], chain[-1]
        start, stop = first.i, last.i + last.length
        source_start, source_stop = first.j, last.j + last.length
        matched = sum(m.length for m in chain)
        evidence = sum(m.length - sum(mask[m.i : m.i + m.length]) for m in chain)
        closeness = matched / max(stop - start, source_stop - source_start)
        if matched < MIN_LENGTH or evidence < MIN_OWN or closeness < MIN_CLOSENESS:
            continue
        if any(p.start < stop and start < p.end for p in passages):
            continue
        passages.append(Passage(start, stop, source_start, source_stop, matched, round(closeness, 3)))
    return passages


def _clusters(hits: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Hits near each other on about the same diagonal, each joining the first-made cluster it
    continues. Hits come in order of position, so a cluster whose last hit is over 160 characters
    back takes no more: only the open ones are looked at (linear in the hits, not quadratic)."""
    clusters: list[list[tuple[int, int]]] = []
    open_: list[list[tuple[int, int]]] = []  # in the order they were made
    for i, j in sorted(hits):
        still, joined = [], False
        for cluster in open_:
            last_i, last_j = cluster[-1]
            if i - last_i > 160:
                continue  # closed for good
            still.append(cluster)
            if not joined and abs((j - i) - (last_j - last_i)) <= 24:
                cluster.append((i, j))
                joined = True
        if not joined:
            cluster = [(i, j)]
            clusters.append(cluster)
            still.append(cluster)
        open_ = still
    return clusters


def align(a: Text, b: Text, hits: Iterable[tuple[int, int]]) -> list[Passage]:
    """The passages of `a` found in `b`, given the positions of their shared fingerprints."""
    sa, sb = a.comparable, b.comparable
    found: list[Passage] = []
    for cluster in _clusters(list(hits)):
        if len(cluster) < MIN_HITS:
            continue
        i0, i1 = cluster[0][0], cluster[-1][0] + K
        diagonal = sum(j - i for i, j in cluster) // len(cluster)
        pad = PAD
        while True:
            a0, a1 = max(0, i0 - pad), min(len(sa), i1 + pad)
            b0, b1 = max(0, a0 + diagonal - pad), min(len(sb), a1 + diagonal + pad)
            passages = _chains(_matches(a, sb, a0, a1, b0, b1, diagonal, pad // 2 + MAX_SKEW), a.mask)
            at_edge = any(
                (p.start - a0 < MAX_GAP and a0 > 0 and p.source_start > 0)
                or (a1 - p.end < MAX_GAP and a1 < len(sa) and p.source_end < len(sb))
                for p in passages
            )
            if not at_edge or pad >= 4096:
                break
            # the passage runs on past the window: look further on both sides
            i0 = min([i0, *(p.start for p in passages)])
            i1 = max([i1, *(p.end for p in passages)])
            pad *= 4
        found.extend(passages)
    return _merge(found)


def _merge(passages: list[Passage]) -> list[Passage]:
    """One passage for each stretch of text: overlapping findings from neighbouring clusters
    join, and so do two parts of one passage split by a heavier edit."""
    merged: list[Passage] = []
    for p in sorted(passages, key=lambda p: (p.start, -p.end)):
        if merged:
            q = merged[-1]
            gap_a, gap_b = p.start - q.end, p.source_start - q.source_end
            same_place = gap_a <= MAX_GAP and -q.length < gap_b <= MAX_GAP and abs(gap_a - gap_b) <= MAX_SKEW
            if p.start < q.end and not same_place and p.end <= q.end:
                continue  # inside a finding already made
            if same_place:
                start, end = q.start, max(q.end, p.end)
                source_start, source_end = (
                    min(q.source_start, p.source_start),
                    max(q.source_end, p.source_end),
                )
                matched = q.matched + p.matched - max(0, q.end - p.start)
                closeness = min(1.0, matched / max(end - start, source_end - source_start))
                merged[-1] = Passage(start, end, source_start, source_end, matched, round(closeness, 3))
                continue
        merged.append(p)
    return merged


def shared_hits(a: Text, b: Text, common: frozenset[int] = frozenset()) -> list[tuple[int, int]]:
    """The (position in a, position in b) of each fingerprint both share, `common` ones left out."""
    where = a.where
    return [(i, j) for h, j in b.prints if h in where and h not in common for i in where[h]]


def compare(a: Text, b: Text, common: frozenset[int] = frozenset()) -> list[Passage]:
    """The passages of `a` copied from `b` (or the other way round)."""
    hits = shared_hits(a, b, common)
    return align(a, b, hits) if hits else []


@dataclass(frozen=True)
class Finding:
    """A passage of one named text found in another, in original character offsets."""

    doc: str
    start: int
    end: int
    source: str
    source_start: int
    source_end: int
    closeness: float
    matched: int


def to_original(a: Text, b: Text, passage: Passage) -> Finding:
    """The passage in original offsets, widened over what both sides share character for
    character just outside it (closing punctuation, a shared line of junk)."""
    start, end = a.normalised.span_to_original(passage.start, passage.end)
    source_start, source_end = b.normalised.span_to_original(passage.source_start, passage.source_end)
    fa, fb = a.normalised.folded, b.normalised.folded
    while start > 0 and source_start > 0 and fa[start - 1] == fb[source_start - 1]:
        start, source_start = start - 1, source_start - 1
    while end < len(fa) and source_end < len(fb) and fa[end] == fb[source_end]:
        end, source_end = end + 1, source_end + 1
    # a passage starts with words (or an opening quote), not with the end of the sentence before
    start, source_start = _lead(fa, start, end), _lead(fb, source_start, source_end)
    end, source_end = _trail(fa, start, end), _trail(fb, source_start, source_end)
    return Finding(a.name, start, end, b.name, source_start, source_end, passage.closeness, passage.matched)


_OPENING = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff“「『（(《【]")


def _lead(folded: str, start: int, end: int) -> int:
    while start < end - 1 and not _OPENING.match(folded[start]):
        start += 1
    return start


def _trail(folded: str, start: int, end: int) -> int:
    while end > start + 1 and folded[end - 1].isspace():
        end -= 1
    return end


def common_prints(texts: Sequence[Text]) -> frozenset[int]:
    """Fingerprints so widespread in a large corpus that they are the genre's, not a copy's."""
    limit = max(COMMON_FLOOR, COMMON_DOCUMENTS * len(texts))
    if len(texts) <= limit:
        return frozenset()
    counts: dict[int, int] = defaultdict(int)
    for text in texts:
        for h in {h for h, _ in text.prints}:
            counts[h] += 1
    return frozenset(h for h, n in counts.items() if n > limit)


def find_all(texts: Sequence[Text]) -> list[Finding]:
    """Every copied passage between any two of `texts`, each pair once."""
    common = common_prints(texts)
    postings: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for index, text in enumerate(texts):
        for h, position in text.prints:
            if h not in common:
                postings[h].append((index, position))
    pairs: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for posting in postings.values():
        if len(posting) < 2:
            continue
        for x, (ai, ap) in enumerate(posting):
            for bi, bp in posting[x + 1 :]:
                if ai != bi:
                    key, hit = ((ai, bi), (ap, bp)) if ai < bi else ((bi, ai), (bp, ap))
                    pairs[key].append(hit)
    findings = []
    for (ai, bi), hits in sorted(pairs.items()):
        a, b = texts[ai], texts[bi]
        findings += [to_original(a, b, passage) for passage in align(a, b, hits)]
    return findings


def covered(passages: Iterable[tuple[int, int]], length: int) -> int:
    """Characters of a text of `length` covered by the (start, end) spans, overlaps counted once."""
    total, at = 0, 0
    for start, end in sorted(passages):
        start, end = max(start, at), min(end, length)
        if end > start:
            total += end - start
            at = end
    return total
