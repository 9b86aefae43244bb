"""Scoped reads: search, the copied passages of a report, a cycle's reports by copied share."""

import html
import re
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from shuzhi.analytics import concreteness, registry, segment
from shuzhi.analytics.models import CopyFinding, Document, TemplateText
from shuzhi.analytics.normalise import fold
from shuzhi.core.access import get_scoped_or_404, in_subtree
from shuzhi.core.roles import Capability
from shuzhi.orgs.services import ancestor_paths
from shuzhi.reports.models import Report, ReportItem
from shuzhi.reports.selectors import reports_visible_to

SNIPPET = 110  # characters of text around the best place of a hit
SEARCH_LIMIT = 20
# PostgreSQL ranks at most this many of the texts matching a query, the newest (a word in most of a
# city's 22,000 reports would otherwise have every one of their vectors read for each search)
RANKED = 1000


def templates_visible_to(user) -> QuerySet[TemplateText]:
    """Organisers see their own and their ancestors' template texts (the city's corpus counts for
    its counties) and those uploaded below them."""
    if not user.is_authenticated or not user.can(Capability.MANAGE_CYCLES):
        return TemplateText.objects.none()
    path = user.organization.path
    return TemplateText.objects.filter(Q(org_path__in=ancestor_paths([path])) | in_subtree("org_path", path))


def template_get(*, viewer, pk: int) -> TemplateText:
    return get_scoped_or_404(
        templates_visible_to(viewer).select_related("organization", "uploaded_by"), pk=pk
    )


# ---- search --------------------------------------------------------------------------------------


@dataclass
class Hit:
    document: Document
    label: str
    url: str
    snippet: SafeString


def _snippet(text: str, words: list[str]) -> SafeString:
    """The stretch of `text` with most of the query's words, the words marked. Found on the folded
    text, which has one character for each of the original's, so traditional text matches too."""
    folded = fold(text)
    found = sorted((m.start(), m.end()) for w in words for m in re.finditer(re.escape(w), folded))
    spots: list[tuple[int, int]] = []
    for start, end in found:  # 党群|服务中心 is marked as one
        if spots and start <= spots[-1][1]:
            spots[-1] = (spots[-1][0], max(end, spots[-1][1]))
        else:
            spots.append((start, end))
    if not spots:
        return mark_safe(html.escape(text[:SNIPPET]) + ("…" if len(text) > SNIPPET else ""))  # noqa: S308
    best, best_count = spots[0][0], 0
    for start, _ in spots:
        count = sum(1 for s, _ in spots if start <= s < start + SNIPPET)
        if count > best_count:
            best, best_count = start, count
    lo = max(0, best - SNIPPET // 4)
    hi = min(len(text), lo + SNIPPET)
    out, at = [], lo
    for start, end in spots:
        if start < at or start >= hi:
            continue
        out.append(html.escape(text[at:start]))
        out.append(f"<mark>{html.escape(text[start : min(end, hi)])}</mark>")
        at = min(end, hi)
    out.append(html.escape(text[at:hi]))
    body = re.sub(r"\s+", " ", "".join(out))
    return mark_safe(("…" if lo > 0 else "") + body + ("…" if hi < len(text) else ""))  # noqa: S308


def search(*, viewer, query: str, limit: int = SEARCH_LIMIT) -> list[Hit]:
    """The indexed texts the viewer may read that hold every word of `query`, best first."""
    words = segment.query_words(query)
    if not words or not viewer.is_authenticated:
        return []
    scopes, params = [], []
    for kind in registry.kinds():
        try:
            sql, kind_params = kind.visible(viewer).order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            continue  # nothing of this kind for this user
        scopes.append(f"(d.kind = %s AND d.object_id IN ({sql}))")
        params += [kind.key, *kind_params]
    # `scope` is SQL Django compiled from the kinds' querysets; every value in it is a parameter
    scope = " OR ".join(scopes) or "1 = 0"
    if connection.vendor == "postgresql":
        ids = _search_postgresql(" ".join(words), scope, params, limit)
    else:
        match = " ".join('"' + word.replace('"', '""') + '"' for word in words)
        sql = (
            "SELECT d.id FROM analytics_document_fts f JOIN analytics_document d ON d.id = f.rowid "  # noqa: S608
            f"WHERE analytics_document_fts MATCH %s AND ({scope}) "
            "ORDER BY bm25(analytics_document_fts), d.id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, *params, limit])
            ids = [row[0] for row in cursor.fetchall()]
    documents = Document.objects.only("kind", "object_id", "title", "year", "text").in_bulk(ids)
    by_kind: dict[str, list[int]] = {}
    for document in documents.values():
        by_kind.setdefault(document.kind, []).append(document.object_id)
    urls = {key: registry.get(key).urls(object_ids) for key, object_ids in by_kind.items()}
    hits = []
    for pk in ids:
        document = documents[pk]
        kind = registry.get(document.kind)
        hits.append(
            Hit(
                document,
                str(kind.label),
                urls[document.kind].get(document.object_id, ""),
                _snippet(document.text, words),
            )
        )
    return hits


def _search_postgresql(words: str, scope: str, params: list, limit: int) -> list[int]:
    """The words through the GIN index alone (a word in most texts makes the planner scan the
    table instead, reading every text's vector: a second at city scale; the index's bitmap reads
    none), then the viewer's scope over what matched, then ts_rank, which reads each vector, over
    the newest RANKED of what is left."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "SELECT id FROM analytics_document WHERE search_vector @@ plainto_tsquery('simple', %s)", [words]
        )
        matched = [row[0] for row in cursor.fetchall()]
        cursor.execute("SET LOCAL enable_seqscan = on")
        if not matched:
            return []
        sql = f"SELECT d.id FROM analytics_document d WHERE d.id = ANY(%s) AND ({scope})"  # noqa: S608
        cursor.execute(sql, [matched, *params])
        visible = sorted((row[0] for row in cursor.fetchall()), reverse=True)[:RANKED]
        if not visible:
            return []
        cursor.execute(
            "SELECT d.id FROM analytics_document d, plainto_tsquery('simple', %s) q WHERE d.id = ANY(%s) "
            "ORDER BY ts_rank(d.search_vector, q) DESC, d.id LIMIT %s",
            [words, visible, limit],
        )
        return [row[0] for row in cursor.fetchall()]


# ---- copied passages -----------------------------------------------------------------------------


@dataclass
class Passage:
    finding: CopyFinding
    number: int
    text: str
    source_title: str
    source_label: str
    source_text: str | None  # None when the viewer may not read the source
    source_url: str
    before: str = ""
    after: str = ""
    source_before: str = ""
    source_after: str = ""

    @property
    def percent(self) -> int:
        return round(self.finding.closeness * 100)


@dataclass
class Copies:
    document: Document | None
    passages: list[Passage] = field(default_factory=list)
    segments: list[tuple[str, int | None]] = field(default_factory=list)  # the text, passage numbers marked

    @property
    def share(self) -> int | None:
        if self.document is None or self.document.copied_share is None:
            return None
        return round(self.document.copied_share * 100)


CONTEXT = 30


def report_copies(*, viewer, report: Report) -> Copies:
    """The copied passages of a report beside their sources. A source the viewer may not read
    (another county's report; another unit's, for a secretary) is named by its kind and year
    only, never by its unit or text."""
    document = Document.objects.filter(kind="report", object_id=report.pk).first()
    if document is None:
        return Copies(None)
    findings = list(document.findings.select_related("source").order_by("start"))
    readable_reports = set(
        reports_visible_to(viewer)
        .filter(pk__in=[f.source.object_id for f in findings if f.source.kind == "report"])
        .values_list("pk", flat=True)
    )
    readable_templates = set(
        templates_visible_to(viewer)
        .filter(pk__in=[f.source.object_id for f in findings if f.source.kind == "template"])
        .values_list("pk", flat=True)
    )
    passages = []
    text = document.text
    for number, finding in enumerate(findings, 1):
        source = finding.source
        readable = source.object_id in (readable_reports if source.kind == "report" else readable_templates)
        if source.kind == "template":
            label = str(registry.get("template").label)
        elif source.org_path == document.org_path:
            label = f"本单位{source.year}年度报告" if source.year != document.year else "本单位报告"
        else:
            label = f"其他单位{source.year}年度报告"
        title = source.title if readable else label
        passage = Passage(
            finding=finding,
            number=number,
            text=text[finding.start : finding.end],
            source_title=title,
            source_label=label,
            source_text=source.text[finding.source_start : finding.source_end] if readable else None,
            source_url=registry.get(source.kind).urls([source.object_id]).get(source.object_id, "")
            if readable
            else "",
            before=text[max(0, finding.start - CONTEXT) : finding.start],
            after=text[finding.end : finding.end + CONTEXT],
        )
        if readable:
            passage.source_before = source.text[max(0, finding.source_start - CONTEXT) : finding.source_start]
            passage.source_after = source.text[finding.source_end : finding.source_end + CONTEXT]
        passages.append(passage)
    return Copies(document, passages, _segments(text, findings))


def _segments(text: str, findings: list[CopyFinding]) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    at = 0
    for number, finding in enumerate(findings, 1):
        start = max(finding.start, at)
        if start > at:
            out.append((text[at:start], None))
        if finding.end > start:
            out.append((text[start : finding.end], number))
            at = finding.end
    out.append((text[at:], None))
    return [segment for segment in out if segment[0]]


# ---- concreteness --------------------------------------------------------------------------------


@dataclass
class ConcretenessReading:
    section: concreteness.Reading | None
    items: list[tuple[ReportItem, concreteness.Reading]]


def report_concreteness(report: Report, items: list[ReportItem] | None = None) -> ConcretenessReading:
    problems = (report.sections or {}).get("problems", "").strip()
    if items is None:
        items = [item for item in report.items.all() if item.kind == ReportItem.Kind.PROBLEM]
    return ConcretenessReading(
        concreteness.read(problems) if problems else None,
        [(item, concreteness.read(item.text)) for item in items if item.kind == ReportItem.Kind.PROBLEM],
    )


@dataclass
class CycleRow:
    report: Report
    share: int | None
    passages: int
    reading: concreteness.Reading | None


def cycle_copies(cycle, *, viewer) -> list[CycleRow]:
    """A cycle's reports the viewer may read (a reviewer: those handed in), the most copied first,
    with the concreteness of their problems."""
    reports = list(
        reports_visible_to(viewer)
        .filter(reporter__cycle=cycle)
        .select_related("reporter__organization", "reporter__secretary")
        .prefetch_related("items")
    )
    documents = {
        d.object_id: d
        for d in Document.objects.filter(kind="report", object_id__in=[r.pk for r in reports]).only(
            "object_id", "copied_share"
        )
    }
    counts: dict[int, int] = {}
    for document_id in CopyFinding.objects.filter(document__in=documents.values()).values_list(
        "document__object_id", flat=True
    ):
        counts[document_id] = counts.get(document_id, 0) + 1
    rows = []
    for report in reports:
        document = documents.get(report.pk)
        share = (
            None if document is None or document.copied_share is None else round(document.copied_share * 100)
        )
        reading = report_concreteness(report)
        rows.append(CycleRow(report, share, counts.get(report.pk, 0), reading.section))
    rows.sort(key=lambda row: (-(row.share if row.share is not None else -1), row.report.reporter.position))
    return rows
