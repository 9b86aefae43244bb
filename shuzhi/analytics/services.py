"""Writes of the analytics area: the index (derived data, rebuilt from the areas' own rows),
copy checks, and the template texts organisers upload."""

import hashlib
from array import array
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.analytics import copies, registry, segment
from shuzhi.analytics.models import (
    CommonPrint,
    CopyFinding,
    CorpusState,
    Document,
    Fingerprint,
    SharedPrint,
    TemplateText,
)
from shuzhi.analytics.normalise import normalise
from shuzhi.core import uploads
from shuzhi.core.services import audit_record

MIN_SHARED = 2  # fingerprints a candidate source shares with the checked text
# and what they must weigh, each 1 / (the other texts holding it). Off: at 2.0 (two fingerprints
# only these two texts share) a cycle checked five times faster, but a third of the copies of 60
# characters or more planted in the city benchmark went unseen (passages of the genre's own
# wording share few rare fingerprints); the weight orders candidates of equal counts instead.
MIN_SCORE = 0.0
MAX_CANDIDATES = 20  # the sources sharing most, aligned in full
COMMON_DOCUMENTS = 0.02  # in a large corpus, a fingerprint in more than this share is the genre's
# Candidates are looked up by the fingerprints in at most RARE_DOCUMENTS documents (a copied
# passage's, mostly in its source and its copy), then by the more frequent ones, rarest first, as
# long as their index rows add up to no more than POSTINGS: a check reads a bounded number of rows
# whatever the corpus's size. Template texts are matched on all their fingerprints (a template
# copied into many reports stays their source). At 1,500 rows, in the city benchmark's cycle the
# frequent fingerprints (in 21 to 440 texts) made half the rows the candidate query joined and
# ranked sources sharing the genre's wording above the copied-from ones: at 600 the planted copies
# found go from 501 to 509 of 542, the findings outside them from 352 to 185, and the query reads
# half the rows.
RARE_DOCUMENTS = 20
POSTINGS = 600
RECOUNT_GROWTH = 1.05  # the common fingerprints are counted again when the corpus grows by 5%
TEMPLATE_MAX_BYTES = 20 * uploads.MB
TEMPLATE_KINDS = frozenset({uploads.DOCX, uploads.PDF})


def _signed(h: int) -> int:
    return h - (1 << 31)


def pack(prints: list[tuple[int, int]]) -> bytes:
    flat = array("I")
    for h, position in prints:
        flat.append(h)
        flat.append(position)
    return flat.tobytes()


def unpack(blob: bytes | memoryview) -> list[tuple[int, int]]:
    flat = array("I")
    flat.frombytes(bytes(blob))
    return list(zip(flat[0::2], flat[1::2], strict=True))


# ---- the index -----------------------------------------------------------------------------------


INDEXED_FIELDS = ("title", "organization_id", "org_path", "year", "text", "tokens", "copies", "source_updated_at",
                  "comparable", "prints")  # fmt: skip


def _fields(kind: registry.Kind, source: registry.Source) -> dict:
    normalised = normalise(source.text)
    fields = {
        "title": source.title[:300],
        "organization_id": source.organization_id,
        "org_path": source.org_path,
        "year": source.year,
        "text": source.text,
        "tokens": segment.tokens_of(normalised),
        "copies": kind.copies,
        "source_updated_at": source.updated_at,
        "comparable": "",
        "prints": b"",
    }
    if kind.copies:
        prints = copies.fingerprints(normalised.comparable, copies.slogan_mask(normalised.comparable))
        fields.update(comparable=normalised.comparable, prints=pack(prints))
    return fields


def documents_index(
    *, kind: registry.Kind, sources: Iterable[registry.Source], batch: int = 500
) -> list[Document]:
    """Index the texts (create or replace), with their fingerprints, in batches. Derived data: no
    audit."""
    done: list[Document] = []
    pending: list[registry.Source] = []
    for source in sources:
        pending.append(source)
        if len(pending) >= batch:
            done += _index_batch(kind, pending)
            pending = []
    if pending:
        done += _index_batch(kind, pending)
    return done


@transaction.atomic
def _index_batch(kind: registry.Kind, sources: list[registry.Source]) -> list[Document]:
    existing = {
        d.object_id: d
        for d in Document.objects.filter(kind=kind.key, object_id__in=[s.object_id for s in sources])
    }
    documents = []
    for source in sources:
        fields = {**_fields(kind, source), "copied_share": None, "checked_at": None}
        document = existing.get(source.object_id) or Document(kind=kind.key, object_id=source.object_id)
        for name, value in fields.items():
            setattr(document, name, value)
        documents.append(document)
    changed = [d for d in documents if d.pk is not None]
    if changed:
        Fingerprint.objects.filter(document__in=changed).delete()
        CopyFinding.objects.filter(document__in=changed).delete()
        # findings elsewhere that point into a changed text point at the wrong place now: the
        # texts they belong to are checked again by the next refresh
        stale = CopyFinding.objects.filter(source__in=changed)
        Document.objects.filter(pk__in=stale.values("document_id")).update(checked_at=None, copied_share=None)
        stale.delete()
        now = timezone.now()
        for document in changed:
            document.updated_at = now
        Document.objects.bulk_update(changed, [*INDEXED_FIELDS, "copied_share", "checked_at", "updated_at"])
    created = Document.objects.bulk_create([d for d in documents if d.pk is None])
    if kind.copies:
        _insert_prints(
            (h, document.pk)
            for document in [*changed, *created]
            for h in {_signed(h) for h, _ in unpack(document.prints)}
        )
    return documents


def _insert_prints(rows: Iterable[tuple[int, int]]) -> None:
    """The fingerprints of new texts: a few hundred per report, so written by COPY on PostgreSQL
    (Django's bulk insert spends longer building the statement than the database storing it)."""
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy("COPY analytics_fingerprint (hash, document_id) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO analytics_fingerprint (hash, document_id) VALUES (%s, %s)", list(rows)
        )


def index_refresh(*, keys: Iterable[str] | None = None) -> int:
    """Bring the index up to date with the registered kinds: what changed since the newest
    indexed change, and what was deleted. Returns how many texts were indexed."""
    count = 0
    for kind in registry.kinds():
        if keys is not None and kind.key not in keys:
            continue
        since: datetime | None = Document.objects.filter(kind=kind.key).aggregate(
            at=Max("source_updated_at")
        )["at"]
        objects = kind.objects()
        if since is not None:
            objects = objects.filter(updated_at__gte=since)
        indexed = (
            {
                object_id: at
                for object_id, at in Document.objects.filter(
                    kind=kind.key, source_updated_at__gte=since
                ).values_list("object_id", "source_updated_at")
            }
            if since is not None
            else {}
        )
        changed = [obj for obj in objects.iterator(chunk_size=500) if indexed.get(obj.pk) != obj.updated_at]
        count += len(documents_index(kind=kind, sources=(kind.source(obj) for obj in changed)))
        existing = kind.objects().model.objects.values("pk")
        gone = Document.objects.filter(kind=kind.key).exclude(object_id__in=existing)
        # the texts that had copied from a deleted one are checked again
        copied_from_gone = CopyFinding.objects.filter(source__in=gone).values("document_id")
        Document.objects.filter(pk__in=copied_from_gone).update(checked_at=None, copied_share=None)
        gone.delete()
    return count


def document_refresh(*, key: str, object_id: int) -> Document | None:
    """Index one object now if its text changed since it was indexed (the draft being written)."""
    kind = registry.get(key)
    obj = kind.objects().filter(pk=object_id).first()
    if obj is None:
        Document.objects.filter(kind=key, object_id=object_id).delete()
        return None
    document = Document.objects.filter(kind=key, object_id=object_id).first()
    if document is not None and document.source_updated_at == obj.updated_at:
        source = kind.source(obj)
        if source.text == document.text:
            return document
    return documents_index(kind=kind, sources=[kind.source(obj)])[0]


# ---- copy checks ---------------------------------------------------------------------------------


# what a candidate source is loaded with (its text only when a passage is found in it)
COMPARED_FIELDS = ("kind", "object_id", "org_path", "year", "comparable", "prints")


def _text(document: Document, *, normalised: bool = False, checked: bool = True) -> copies.Text:
    """The document prepared for `copies.compare`. Only the checked side's slogans count (a
    source's mask is never read), so a source is prepared without it."""
    if normalised:
        n = normalise(document.text)
    else:  # the comparable text only: a candidate's original is read when a passage is found in it
        n = copies.Normalised("", "", (), document.comparable, (0,), (0,))
    mask = copies.slogan_mask(document.comparable) if checked else b""
    return copies.Text(str(document.pk), n, mask, unpack(document.prints))


def _allowed_source(document: Document, source: Document) -> bool:
    if source.kind == "template":
        # a template counts for the reports in its uploader's subtree
        return document.org_path.startswith(source.org_path)
    if source.kind != document.kind:
        return False
    # a report cannot copy from a later year's
    return source.year is None or document.year is None or source.year <= document.year


def common_refresh(*, force: bool = False) -> int:
    """Count again in how many documents each fingerprint is, and which are the genre's, if the
    corpus grew since the last count. Returns how many are common."""
    state, _ = CorpusState.objects.get_or_create(pk=1)
    documents = Document.objects.filter(copies=True).count()
    if not force and documents <= state.documents * RECOUNT_GROWTH:
        return CommonPrint.objects.count()
    limit = max(copies.COMMON_FLOOR, int(COMMON_DOCUMENTS * documents))
    with transaction.atomic(), connection.cursor() as cursor:
        CommonPrint.objects.all().delete()
        SharedPrint.objects.all().delete()
        cursor.execute(
            "INSERT INTO analytics_sharedprint (hash, documents) SELECT hash, COUNT(*) "
            "FROM analytics_fingerprint GROUP BY hash HAVING COUNT(*) > 1"
        )
        cursor.execute(
            "INSERT INTO analytics_commonprint (hash) SELECT hash FROM analytics_sharedprint WHERE documents > %s",
            [limit],
        )
        state.documents, state.counted_at = documents, timezone.now()
        state.save()
    return CommonPrint.objects.count()


def _lookup(hashes: set[int], shared: dict[int, int]) -> dict[int, float]:
    """Of a document's (signed, not common) fingerprints, those its candidates are looked up by,
    with their weights: every rare one, then the frequent ones, rarest first, while their index
    rows fit in POSTINGS. A fingerprint not counted as shared (in one text at the last count, or
    new since) weighs 1."""
    chosen = {h: 1.0 for h in hashes if h not in shared}
    rows = len(chosen) * 2
    for h in sorted((h for h in hashes if h in shared), key=lambda h: (shared[h], h)):
        n = shared[h]
        rows += n
        if n > RARE_DOCUMENTS and rows > POSTINGS:
            break
        chosen[h] = 1.0 / (n - 1)
    return chosen


def _template_prints() -> dict[int, list[int]]:
    """The fingerprints (signed) of the template texts, each with the templates holding it: a few
    texts, matched in memory on all their fingerprints."""
    where: dict[int, list[int]] = {}
    for pk, blob in Document.objects.filter(kind="template", copies=True).values_list("pk", "prints"):
        for h in {_signed(h) for h, _position in unpack(blob)}:
            where.setdefault(h, []).append(pk)
    return where


def _shared_templates(hashes: set[int], templates: dict[int, list[int]]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for h in hashes:
        for pk in templates.get(h, ()):
            counts[pk] = counts.get(pk, 0) + 1
    return counts


def _common(document: Document) -> frozenset[int]:
    """Which of the document's fingerprints are common (unsigned, as `copies` has them)."""
    hashes = {_signed(h) for h, _ in unpack(document.prints)}
    found = CommonPrint.objects.filter(hash__in=hashes).values_list("hash", flat=True)
    return frozenset(h + (1 << 31) for h in found)


def _scores(
    document: Document, weights: dict[int, float], rows: Iterable[tuple[int, int]]
) -> dict[int, tuple[int, float]]:
    """Each other document's score from the (hash, document) index rows: how many of the
    fingerprints it shares and what they weigh, if MIN_SHARED and MIN_SCORE."""
    score: dict[int, float] = {}
    count: dict[int, int] = {}
    for h, other in rows:
        if other != document.pk:
            score[other] = score.get(other, 0.0) + weights[h]
            count[other] = count.get(other, 0) + 1
    return {
        pk: (count[pk], s) for pk, s in score.items() if count[pk] >= MIN_SHARED and s >= MIN_SCORE - 1e-9
    }


def _ranked(
    scores: dict[int, tuple[int, float]], hashes: set[int], templates: dict[int, list[int]], pk: int
) -> list[int]:
    """The candidates' ids, best first (most shared fingerprints, then the rarer): the scored
    documents and the templates sharing MIN_SHARED fingerprints, counted on all of them."""
    ranked = dict(scores)
    for template, count in _shared_templates(hashes, templates).items():
        if template != pk and count >= MIN_SHARED:
            ranked[template] = max((count, float(count)), ranked.get(template, (0, 0.0)))
    # the weights' sum rounded: PostgreSQL adds them in no fixed order, and the last bits of a
    # float sum follow the order, which made candidates of equal weight swap places run to run
    best = sorted(ranked.items(), key=lambda row: (-row[1][0], -round(row[1][1], 6), row[0]))
    return [other for other, _ in best][: MAX_CANDIDATES * 2]


def candidates(document: Document, common: frozenset[int] = frozenset()) -> list[Document]:
    """The documents sharing most (and rarest) fingerprints with `document`, the `common` ones left
    out, looked up by its rarest fingerprints (`_lookup`): one indexed query, and one for the
    template texts."""
    hashes = {_signed(h) for h, _ in unpack(document.prints) if h not in common}
    if not hashes:
        return []
    shared = dict(SharedPrint.objects.filter(hash__in=hashes).values_list("hash", "documents"))
    weights = _lookup(hashes, shared)
    rows = Fingerprint.objects.filter(hash__in=sorted(weights)).values_list("hash", "document_id")
    ids = _ranked(_scores(document, weights, rows), hashes, _template_prints(), document.pk)
    found = {d.pk: d for d in Document.objects.filter(pk__in=ids, copies=True).only(*COMPARED_FIELDS)}
    ordered = [found[pk] for pk in ids if pk in found and _allowed_source(document, found[pk])]
    return ordered[:MAX_CANDIDATES]


def _compared(
    document: Document, sources: list[Document], common: frozenset[int]
) -> list[tuple[Document, list[copies.Passage]]]:
    """The passages of `document` found in each source, in comparable offsets."""
    if not document.comparable:
        return []
    mine = _text(document)
    found = []
    for source in sources:
        passages = copies.compare(mine, _text(source, checked=False), common)
        if passages:
            found.append((source, passages))
    return found


def _load_texts(sources: Iterable[Document]) -> None:
    """The original texts of candidate sources loaded without theirs (one query for all)."""
    missing = {source.pk: source for source in sources if "text" not in source.__dict__}
    for pk, text in Document.objects.filter(pk__in=missing).values_list("pk", "text"):
        missing[pk].text = text


def _findings(
    document: Document, compared: list[tuple[Document, list[copies.Passage]]]
) -> list[tuple[Document, copies.Finding]]:
    """The passages in original offsets: the full normalisation, made only where a passage is."""
    if not compared:
        return []
    _load_texts(source for source, _ in compared)
    shown = _text(document, normalised=True)
    pairs = []
    for source, passages in compared:
        theirs = _text(source, normalised=True, checked=False)
        pairs += [(source, copies.to_original(shown, theirs, p)) for p in passages]
    return pairs


def _passages(
    document: Document, sources: list[Document], common: frozenset[int]
) -> list[tuple[Document, copies.Finding]]:
    return _findings(document, _compared(document, sources, common))


@transaction.atomic
def document_check(*, document: Document) -> list[CopyFinding]:
    """Find the copied passages of one document among all others it may have copied from, and
    store them with its copied share (derived data, replaced at each check)."""
    common = _common(document)
    pairs = _passages(document, candidates(document, common), common)
    CopyFinding.objects.filter(document=document).delete()
    findings = CopyFinding.objects.bulk_create(
        CopyFinding(
            document=document,
            source=source,
            start=f.start,
            end=f.end,
            source_start=f.source_start,
            source_end=f.source_end,
            length=f.matched,
            closeness=f.closeness,
        )
        for source, f in pairs
    )
    covered = copies.covered(((f.start, f.end) for f in findings), len(document.text))
    document.copied_share = covered / len(document.text) if document.text else 0.0
    document.checked_at = timezone.now()
    document.save(update_fields=["copied_share", "checked_at", "updated_at"])
    return findings


def _candidate_ids(documents: list[Document], common: frozenset[int]) -> dict[int, list[int]]:
    """For each document, the ids of its candidates, looked up and scored as `candidates` does. On
    PostgreSQL one query for all of them (the documents' chosen fingerprints and their weights as
    arrays joined to the index); elsewhere one query each."""
    if connection.vendor != "postgresql":
        return {d.pk: [c.pk for c in candidates(d, common)] for d in documents}
    wanted = {
        document.pk: {_signed(h) for h, _position in unpack(document.prints) if h not in common}
        for document in documents
    }
    every = sorted({h for mine in wanted.values() for h in mine})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT hash, documents FROM analytics_sharedprint WHERE hash = ANY(%s::int[])", [_array(every)]
        )
        shared = dict(cursor.fetchall())
    owners, hashes, weights = [], [], []
    for pk, mine in wanted.items():
        for h, weight in _lookup(mine, shared).items():
            owners.append(pk)
            hashes.append(h)
            weights.append(weight)
    scores: dict[int, dict[int, tuple[int, float]]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # A cycle's join reads about 3 million index rows into 2 million pairs: compiling it
        # (JIT) took 2 s of the 6, and the default work_mem spilled the pairs to disk in 65
        # batches. Both for this statement only.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(
            "SELECT q.doc, f.document_id, COUNT(*), SUM(q.weight) FROM "
            "unnest(%s::bigint[], %s::int[], %s::float8[]) AS q(doc, hash, weight) "
            "JOIN analytics_fingerprint f ON f.hash = q.hash WHERE f.document_id <> q.doc "
            "GROUP BY q.doc, f.document_id HAVING COUNT(*) >= %s AND SUM(q.weight) >= %s",
            [_array(owners), _array(hashes), _array(weights), MIN_SHARED, MIN_SCORE - 1e-9],
        )
        rows = cursor.fetchall()
        cursor.execute("SET LOCAL jit TO DEFAULT")
        cursor.execute("SET LOCAL work_mem TO DEFAULT")
    for owner, other, count, score in rows:
        scores.setdefault(owner, {})[other] = (count, score)
    templates = _template_prints()
    return {pk: _ranked(scores.get(pk, {}), mine, templates, pk) for pk, mine in wanted.items()}


def _array(values: list[int] | list[float]) -> str:
    """A PostgreSQL array literal, sent as one string: psycopg adapts a list of 300,000 numbers
    one by one in Python (2 s of a cycle's check)."""
    return "{" + ",".join(map(repr, values)) + "}"


def documents_check(*, documents: list[Document]) -> int:
    """Check many documents at once (a cycle's reports): the common fingerprints read once, the
    candidates looked up together, the findings written in bulk. Same results as
    `document_check` on each."""
    documents = [d for d in documents if d.comparable]
    common = frozenset(h + (1 << 31) for h in CommonPrint.objects.values_list("hash", flat=True))
    wanted = _candidate_ids(documents, common)
    pool = {
        d.pk: d
        for d in Document.objects.filter(
            pk__in={pk for ids in wanted.values() for pk in ids}, copies=True
        ).only(*COMPARED_FIELDS)
    }
    compared = {}
    for document in documents:
        sources = [pool[pk] for pk in wanted.get(document.pk, []) if pk in pool]
        sources = [source for source in sources if _allowed_source(document, source)][:MAX_CANDIDATES]
        compared[document.pk] = _compared(document, sources, common)
    # the texts of the sources with passages, read together
    _load_texts({source.pk: source for found in compared.values() for source, _ in found}.values())
    findings, now = [], timezone.now()
    for document in documents:
        mine = [
            CopyFinding(document=document, source=source, start=f.start, end=f.end, source_start=f.source_start,
                        source_end=f.source_end, length=f.matched, closeness=f.closeness)
            for source, f in _findings(document, compared[document.pk])
        ]  # fmt: skip
        covered = copies.covered(((f.start, f.end) for f in mine), len(document.text))
        document.copied_share = covered / len(document.text) if document.text else 0.0
        document.checked_at = document.updated_at = now
        findings += mine
    with transaction.atomic():
        CopyFinding.objects.filter(document__in=documents).delete()
        CopyFinding.objects.bulk_create(findings, batch_size=2000)
        _store_shares(documents, now)
    return len(documents)


def _store_shares(documents: list[Document], now: datetime) -> None:
    """The documents' copied shares, checked at `now`: on PostgreSQL one UPDATE joined to the
    shares as arrays (Django's bulk_update builds a CASE of 2,000 branches per column, 2.5 s of a
    cycle's check); elsewhere bulk_update."""
    if connection.vendor != "postgresql":
        Document.objects.bulk_update(documents, ["copied_share", "checked_at", "updated_at"], batch_size=1000)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE analytics_document d SET copied_share = v.share, checked_at = %s, updated_at = %s "
            "FROM unnest(%s::bigint[], %s::float8[]) AS v(id, share) WHERE d.id = v.id",
            [now, now, _array([d.pk for d in documents]), _array([d.copied_share for d in documents])],
        )


def reports_check(*, report_ids: Iterable[int]) -> int:
    """Index and check reports (a cycle's): returns how many were checked."""
    kind = registry.get("report")
    ids = list(report_ids)
    objects = kind.objects().filter(pk__in=ids)
    indexed = {d.object_id: d for d in Document.objects.filter(kind="report", object_id__in=ids)}
    stale = [o for o in objects if o.pk not in indexed or indexed[o.pk].source_updated_at != o.updated_at]
    for document in documents_index(kind=kind, sources=(kind.source(o) for o in stale)):
        indexed[document.object_id] = document
    return documents_check(documents=list(indexed.values()))


def cycle_check(*, actor, cycle) -> int:
    """Check every report of a cycle, on the organiser's request, against an index brought up to
    date first (other cycles' reports and templates changed since the last refresh)."""
    index_refresh(keys={"report", "template"})
    count = reports_check(
        report_ids=cycle.reporters.filter(report__isnull=False).values_list("report", flat=True)
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="analytics.cycle_check",
            target=cycle,
            org_path=cycle.org_path,
            extra={"reports": count},
        )
    return count


def checks_refresh() -> int:
    """The scheduled job: index what changed, then check the reports whose text changed."""
    index_refresh()
    common_refresh()
    pending = (
        Document.objects.filter(kind="report", checked_at__isnull=True).exclude(comparable="").defer("tokens")
    )
    count = 0
    while batch := list(pending[:500]):
        count += documents_check(documents=batch)
    return count


# ---- template texts ------------------------------------------------------------------------------


def _template_text(handle, size: int, name: str) -> tuple[str, str]:
    """The kind and text of an uploaded template: .txt (UTF-8 or GB18030), .docx or .pdf, checked by
    content through the shared upload check."""
    if size == 0:
        raise ValidationError(_("文件是空的。"), code="empty")
    if size > TEMPLATE_MAX_BYTES:
        raise ValidationError(
            _("文件太大，上限是 %(max)s MB。") % {"max": TEMPLATE_MAX_BYTES // uploads.MB}, code="too_large"
        )
    handle.seek(0)
    head = handle.read(uploads.HEAD_BYTES)
    handle.seek(0)
    if uploads.sniff(head) is None and name.lower().endswith(".txt"):
        data = handle.read()
        if b"\x00" in data:
            raise ValidationError(_("文本文件中有空字符，不像是文字文件。"), code="binary")
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return "txt", data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationError(_("无法识别文本编码，请另存为 UTF-8 后上传。"), code="encoding")
    kind = uploads.check_upload(handle, size, allowed=TEMPLATE_KINDS | {"txt"}, max_bytes=TEMPLATE_MAX_BYTES)
    from shuzhi.reports.documents import extract_text

    return kind, extract_text(handle.read(), kind)


@transaction.atomic
def template_add(*, actor, title: str, upload) -> TemplateText:
    """Add a template text to the actor's organisation's corpus and index it."""
    kind, text = _template_text(upload, upload.size, upload.name)
    if len(normalise(text).comparable) < copies.MIN_LENGTH:
        raise ValidationError(_("文件中几乎没有文字，无法用于比对。"), code="no_text")
    upload.seek(0)
    digest = hashlib.sha256(upload.read()).hexdigest()
    organization = actor.organization
    if TemplateText.objects.filter(organization=organization, sha256=digest).exists():
        raise ValidationError(_("这份文件已经上传过。"), code="duplicate")
    template = TemplateText(
        organization=organization,
        org_path=organization.path,
        title=title.strip() or upload.name,
        original_name=upload.name[:200],
        kind=kind,
        sha256=digest,
        text=text,
        uploaded_by=actor,
    )
    template.full_clean()
    template.save()
    documents_index(kind=registry.get("template"), sources=[registry.get("template").source(template)])
    audit_record(actor=actor, action="analytics.template_add", target=template, org_path=template.org_path,
                 after={"title": template.title, "file": template.original_name})  # fmt: skip
    return template


@transaction.atomic
def template_remove(*, actor, template: TemplateText) -> None:
    audit_record(actor=actor, action="analytics.template_remove", target=template, org_path=template.org_path,
                 before={"title": template.title, "file": template.original_name})  # fmt: skip
    Document.objects.filter(kind="template", object_id=template.pk).delete()
    template.delete()
