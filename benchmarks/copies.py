"""Copied passages and search at city scale, on PostgreSQL.

The shared city (benchmarks/_citydb.py) is copied into a database of this benchmark's own, and a
separate generation step adds five archived years of duty reports for 4,000 units (20,000
reports, `demo.generator.ReportWriter`) with copies planted among them, and this year's cycle of
2,000 reports with copies planted from the archive, from each other and from template texts
(verbatim, in traditional characters, lightly edited). Everything is indexed once (kept between
runs), then:

- copy_one_ms: one new report indexed and checked against the 22,000 others (median of 30);
  baseline: exact all-pairs comparison (difflib's matching blocks) on a sample of the archive,
  scaled to all of it.
- copy_cycle_s: the 2,000 indexed reports of the cycle checked; baseline: the same exact
  all-pairs comparison, scaled to 2,000 × 22,000 pairs.
- search_p95_ms: 200 searches by a city and a county organiser (simplified and traditional
  queries, one to three words); baseline: a plain LIKE scan over the same scope.

    python benchmarks/copies.py        (BENCH_CITY or BENCH_CITY_DB names another city database)

BENCH_COPIES_RECALL=1 also measures how many of the copies planted in the cycle its check found
(BENCH copy_cycle_recall), replaying the generator to learn where they are.
"""

import contextlib
import difflib
import hashlib
import io
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _citydb import SERVER, city_database  # noqa: E402

DATABASE = os.environ.get("BENCH_COPIES", "shuzhi_bench_copies")
UNITS, YEARS, CYCLE_UNITS = 4000, 5, 2000
SEED = 20
ONE_REPORTS, SEARCHES = 30, 200
SAMPLE_PAIRS = 300


def _version(*, indexed: bool = True) -> str:
    """What the generated reports depend on (the generator) and, with `indexed`, what their index
    depends on too (the analytics code and schema); not the checking and searching code measured.
    A change to the indexing code re-indexes the reports already written (the schema is migrated
    at every start; BENCH_COPIES_REBUILD=1 rewrites them after a change to generate() here)."""
    digest = hashlib.sha256(f"{UNITS}/{YEARS}/{CYCLE_UNITS}/{SEED}".encode())
    made_by = ["normalise.py", "copies.py", "slogans.py", "segment.py", "kinds.py", "models.py"]
    paths = [ROOT / "shuzhi/demo/generator.py"]
    if indexed:
        paths += [ROOT / "shuzhi/analytics" / name for name in made_by]
        paths += ROOT.glob("shuzhi/analytics/migrations/0*.py")
    for path in sorted(paths):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _marker(url: str, table: str = "bench_copies_marker") -> str | None:
    try:
        with psycopg.connect(url) as conn:
            if not conn.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()[0]:
                return None
            return conn.execute(f"SELECT version FROM {table}").fetchone()[0]
    except psycopg.OperationalError:
        return None


def database() -> str:
    """This benchmark's copy of the city with the reports generated and indexed. Kept as long as
    what made its data is unchanged (the city only lends its tree: a newer city is not waited
    for), migrated at every start."""
    url = f"{SERVER}/{DATABASE}"
    wanted, written = _version(), _version(indexed=False)
    os.environ["DATABASE_URL"] = url
    if _marker(url, table="bench_copies_generated") != written or os.environ.get("BENCH_COPIES_REBUILD"):
        city = city_database(os.environ.get("BENCH_CITY"))  # else BENCH_CITY_DB, else the shared one
        print(
            f"building {DATABASE}: a copy of the city, {UNITS * YEARS:,} archived reports, {CYCLE_UNITS:,} now"
        )
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{DATABASE}" TEMPLATE "{city.rsplit("/", 1)[1]}"')
        _migrate(url)
        _setup()
        started = time.perf_counter()
        generate()
        print(f"  reports written in {time.perf_counter() - started:.0f} s")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE bench_copies_generated (version text)")
            conn.execute("INSERT INTO bench_copies_generated VALUES (%s)", [written])
    else:
        _migrate(url)
        if _marker(url) == wanted:
            return url
        print(f"indexing {DATABASE} (its reports were written before)")
        _setup()
    started = time.perf_counter()
    index()
    print(f"  indexed in {time.perf_counter() - started:.0f} s")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copies_marker")
        conn.execute("CREATE TABLE bench_copies_marker (version text)")
        conn.execute("INSERT INTO bench_copies_marker VALUES (%s)", [wanted])
        conn.execute("VACUUM ANALYZE")
    return url


def _migrate(url: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, cwd=ROOT,
                   env={**os.environ, "DATABASE_URL": url})  # fmt: skip


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _passage(text: str, rng: random.Random, length: int) -> str:
    """A stretch of sentences of about `length` characters from `text`."""
    sentences = [s + "。" for s in text.split("。") if s]
    start = rng.randrange(len(sentences))
    out = ""
    for sentence in sentences[start:]:
        out += sentence
        if len(out) >= length:
            break
    return out


def _variant(passage: str, rng: random.Random) -> str:
    import opencc

    how = rng.choice(("verbatim", "traditional", "edited"))
    if how == "traditional":
        return opencc.OpenCC("s2t").convert(passage)
    if how == "edited":
        chars = list(passage)
        for _ in range(max(1, len(chars) // 40)):
            chars[rng.randrange(len(chars))] = rng.choice("的了和在对把将")
        return "".join(chars)
    return passage


def generate() -> None:
    """Users, five archived cycles and this year's, their reports with planted copies."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from shuzhi.accounts.models import User
    from shuzhi.analytics.models import TemplateText
    from shuzhi.core.roles import Role
    from shuzhi.cycles.models import Cycle, Reporter
    from shuzhi.demo.generator import ReportWriter, plant
    from shuzhi.orgs.models import Organization
    from shuzhi.reports.models import Report

    rng = random.Random(SEED)
    writer = ReportWriter(seed=SEED)
    root = Organization.objects.get(depth=1)
    units = list(Organization.objects.filter(depth__gte=2).order_by("path")[:UNITS])
    password = make_password(None)
    organiser = User.objects.create(username="bench_organiser", full_name="市委组织部", role=Role.ORGANISER,
                                    organization=root, password=password)  # fmt: skip
    county = (
        units[0] if units[0].depth == 2 else Organization.objects.filter(depth=2).order_by("path").first()
    )
    User.objects.create(username="bench_county", full_name="区委组织部", role=Role.ORGANISER, organization=county,
                        password=password)  # fmt: skip
    secretaries = User.objects.bulk_create(
        User(
            username=f"bench_sec_{i}",
            full_name=f"书记{i}",
            role=Role.SECRETARY,
            organization=unit,
            password=password,
        )
        for i, unit in enumerate(units)
    )
    today = timezone.localdate()
    archive: dict[tuple[int, int], str] = {}
    for offset in range(YEARS, -1, -1):
        year = today.year - offset
        current = offset == 0
        cycle = Cycle.objects.create(organization=root, org_path=root.path, year=year, title=f"{year}年度全市述职评议",
                                     status=Cycle.Status.REPORTS_OPEN if current else Cycle.Status.ARCHIVED,
                                     groups=["县区"], report_due=today, meeting_on=today, created_by=organiser)  # fmt: skip
        count = CYCLE_UNITS if current else UNITS
        reporters = Reporter.objects.bulk_create(
            Reporter(cycle=cycle, organization=units[i], secretary=secretaries[i], group="县区", mode="written",
                     position=i + 1)
            for i in range(count)
        )  # fmt: skip
        reports = []
        for i, reporter in enumerate(reporters):
            sections = writer.report(i, year, units[i].name[:12])
            roll = rng.random()
            earlier = [key for key in archive if key[1] < year]
            if earlier and roll < (0.2 if current else 0.05):
                # a passage of an earlier report: the unit's own past year or another unit's
                source_key = (
                    (i, year - 1) if roll < 0.05 and (i, year - 1) in archive else rng.choice(earlier)
                )
                passage = _variant(_passage(archive[source_key], rng, rng.choice((60, 120, 250))), rng)
                sections["achievements"] = plant(sections["achievements"], passage, rng)
            reports.append(Report(reporter=reporter, sections=sections,
                                  status=Report.Status.SUBMITTED if current else Report.Status.ACCEPTED))  # fmt: skip
            if not current and i % 10 == 0:
                archive[(i, year)] = sections["achievements"] + sections["duty"]
        if current:
            # copies between this year's reports
            for _ in range(CYCLE_UNITS // 20):
                a, b = rng.sample(range(len(reports)), 2)
                passage = _variant(_passage(reports[b].sections["duty"], rng, 100), rng)
                reports[a].sections["duty"] = plant(reports[a].sections["duty"], passage, rng)
        Report.objects.bulk_create(reports, batch_size=2000)
        print(f"  {year}: {len(reports):,} reports")
    template = "".join(writer.report(99999, today.year, "某镇").values())
    TemplateText.objects.create(organization=root, org_path=root.path, title="网上流传的述职报告范文",
                                original_name="范文.txt", kind="txt", sha256="0" * 64, text=template,
                                uploaded_by=organiser)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def planted() -> list[tuple[int, str]]:
    """The copies generate() planted in this year's reports, as (report id, passage): generate()
    replayed with every write replaced by an unsaved object (the same random draws, so the same
    passages), each planted passage then looked for in this year's reports. About 30 s."""
    from unittest import mock

    from shuzhi.accounts.models import User
    from shuzhi.analytics.models import TemplateText
    from shuzhi.cycles.models import Cycle, Reporter
    from shuzhi.demo import generator
    from shuzhi.reports.models import Report

    passages: list[tuple[int, str]] = []  # (cycle, passage), cycles counted from the oldest
    cycles, written = [], {}

    def plant(text, passage, rng, _plant=generator.plant):
        passages.append((len(cycles), passage))
        return _plant(text, passage, rng)

    def reporters(objs, **kwargs):
        cycles.append(1)
        return list(objs)

    def reports(objs, **kwargs):
        written["reports"] = list(objs)
        return written["reports"]

    def unsaved(model):
        return lambda **kwargs: model(**kwargs)

    with (
        mock.patch.object(generator, "plant", plant),
        mock.patch.object(User.objects, "create", unsaved(User)),
        mock.patch.object(User.objects, "bulk_create", lambda objs, **kwargs: list(objs)),
        mock.patch.object(Cycle.objects, "create", unsaved(Cycle)),
        mock.patch.object(Reporter.objects, "bulk_create", reporters),
        mock.patch.object(Report.objects, "bulk_create", reports),
        mock.patch.object(TemplateText.objects, "create", unsaved(TemplateText)),
        contextlib.redirect_stdout(io.StringIO()),
    ):
        generate()
    now = {passage for cycle, passage in passages if cycle == YEARS + 1}
    cycle = Cycle.objects.latest("year")
    ids = dict(Report.objects.filter(reporter__cycle=cycle).values_list("reporter__position", "pk"))
    return [
        (ids[position], passage)
        for position, report in enumerate(written["reports"], start=1)
        for passage in now
        if passage in "".join(report.sections.values())
    ]


def _recall(truth: list[tuple[int, str]], documents) -> tuple[int, int, int]:
    """Of the planted passages, how many a finding on their report covers half of; and how many
    findings lie outside every planted passage."""
    from shuzhi.analytics.models import CopyFinding

    by_report = {d.object_id: d for d in documents}
    spans: dict[int, list[tuple[int, int]]] = {}
    for report, passage in truth:
        at = by_report[report].text.find(passage)
        if at >= 0:
            spans.setdefault(by_report[report].pk, []).append((at, at + len(passage)))
    found: dict[int, list[tuple[int, int]]] = {}
    for document, start, end in CopyFinding.objects.filter(document__in=documents).values_list(
        "document", "start", "end"
    ):
        found.setdefault(document, []).append((start, end))
    seen = sum(
        sum(max(0, min(e, fe) - max(s, fs)) for fs, fe in found.get(document, ())) * 2 >= e - s
        for document, planted_spans in spans.items()
        for s, e in planted_spans
    )
    outside = sum(
        not any(min(e, pe) > max(s, ps) for ps, pe in spans.get(document, ()))
        for document, finds in found.items()
        for s, e in finds
    )
    return seen, sum(map(len, spans.values())), outside


def index() -> None:
    from shuzhi.analytics import registry, services
    from shuzhi.analytics.models import Document

    for key in ("template", "report"):
        kind = registry.get(key)
        started, count = time.perf_counter(), 0
        # what is not indexed yet (a build stopped half-way goes on where it stopped)
        done = Document.objects.filter(kind=key).values("object_id")
        objects = kind.objects().exclude(pk__in=done).order_by("pk")
        last = 0
        while True:
            chunk = list(objects.filter(pk__gt=last)[:2000])
            if not chunk:
                break
            services.documents_index(kind=kind, sources=(kind.source(o) for o in chunk))
            count += len(chunk)
            last = chunk[-1].pk
        print(f"  indexed {count:,} {key} texts in {time.perf_counter() - started:.0f} s")
    print(f"  common fingerprints: {services.common_refresh(force=True):,}")


def _exact_pair_ms(pairs: list[tuple[str, str]]) -> float:
    """Exact comparison of whole texts (difflib's matching blocks of 32 characters or more)."""
    started = time.perf_counter()
    for a, b in pairs:
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        [m for m in matcher.get_matching_blocks() if m.size >= 32]
    return (time.perf_counter() - started) * 1000 / len(pairs)


def main() -> None:
    # BENCH_COPIES_AS_IS=1 measures the database as it stands (an indexing still under way)
    url = f"{SERVER}/{DATABASE}" if os.environ.get("BENCH_COPIES_AS_IS") else database()
    os.environ["DATABASE_URL"] = url
    _setup()
    from django.db import connection

    from shuzhi.accounts.models import User
    from shuzhi.analytics import registry, selectors, services
    from shuzhi.analytics.models import CopyFinding, Document, Fingerprint
    from shuzhi.cycles.models import Cycle
    from shuzhi.demo.generator import ReportWriter, plant
    from shuzhi.reports.models import Report

    corpus = Document.objects.filter(copies=True).count()
    print(f"corpus: {corpus:,} texts, {Fingerprint.objects.count():,} fingerprints; PostgreSQL")
    rng = random.Random(7)

    # ---- one new report against everything ---------------------------------------------------
    kind = registry.get("report")
    archived = list(Document.objects.filter(kind="report", year__lt=Cycle.objects.latest("year").year)
                    .values_list("text", flat=True)[:2000])  # fmt: skip
    writer = ReportWriter(seed=99)
    times, cpu, checks, found = [], [], [], 0
    for n in range(ONE_REPORTS):
        text = "\n".join(writer.report(50000 + n, 2099, "新单位").values())
        text = plant(text, _variant(_passage(rng.choice(archived), rng, 150), rng), rng)
        source = registry.Source(10_000_000 + n, f"新报告{n}", text, None, "", 2099, None)
        started, started_cpu = time.perf_counter(), time.process_time()
        [document] = services.documents_index(kind=kind, sources=[source])
        indexed = time.perf_counter()
        findings = services.document_check(document=document)
        times.append((time.perf_counter() - started) * 1000)
        checks.append((time.perf_counter() - indexed) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        found += bool(findings)
    Document.objects.filter(object_id__gte=10_000_000).delete()
    times.sort()
    one_ms = statistics.median(times)
    sample = [
        (a, b)
        for a, b in zip(rng.sample(archived, SAMPLE_PAIRS), rng.sample(archived, SAMPLE_PAIRS), strict=True)
    ]
    pair_ms = _exact_pair_ms([(_c(a), _c(b)) for a, b in sample])
    print(f"one new report (index + check): median {one_ms:.1f} ms, p95 {times[int(0.95 * len(times))]:.1f} ms; "
          f"planted copy found in {found}/{ONE_REPORTS}")  # fmt: skip
    # on a shared machine the wall time follows the load; this process's own CPU time does not
    print(f"  of which the check: median {statistics.median(checks):.1f} ms; CPU time of this process "
          f"(index + check, the database's apart): median {statistics.median(cpu):.1f} ms; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    print(f"  baseline, exact all-pairs: {pair_ms:.2f} ms a pair × {corpus:,} = {pair_ms * corpus / 1000:.1f} s "
          f"({pair_ms * corpus / one_ms:.0f}× slower)")  # fmt: skip

    # ---- the whole cycle ----------------------------------------------------------------------
    cycle = Cycle.objects.latest("year")
    ids = list(Report.objects.filter(reporter__cycle=cycle).values_list("pk", flat=True))
    started = time.perf_counter()
    documents = list(Document.objects.filter(kind="report", object_id__in=ids).defer("tokens"))
    services.documents_check(documents=documents)  # what the cycle page's 检查全部报告 runs
    cycle_s = time.perf_counter() - started
    flagged = Document.objects.filter(kind="report", object_id__in=ids, copied_share__gt=0).count()
    print(f"cycle of {len(documents):,} indexed reports checked in {cycle_s:.2f} s; {flagged} with copied passages, "
          f"{CopyFinding.objects.filter(document__in=documents).count()} passages")  # fmt: skip
    print(f"  baseline, exact all-pairs: {pair_ms:.2f} ms × {len(documents):,} × {corpus:,} = "
          f"{pair_ms * len(documents) * corpus / 1000 / 3600:.1f} h")  # fmt: skip
    recall = None
    if os.environ.get("BENCH_COPIES_RECALL"):  # the planted copies found (the generator replayed)
        seen, total, outside = _recall(planted(), documents)
        recall = seen / total
        print(f"  planted copies found: {seen}/{total} = {recall:.3f}; findings outside them: {outside}")

    # ---- search -------------------------------------------------------------------------------
    import opencc

    from shuzhi.demo import generator

    to_traditional = opencc.OpenCC("s2t")
    words = generator._WHAT + generator._LACK + [w + k for w in generator._WHERE for k in ("村", "社区")]
    queries = []
    for _ in range(SEARCHES):
        query = " ".join(rng.sample(words, rng.randint(1, 3)))
        queries.append(to_traditional.convert(query) if rng.random() < 0.3 else query)
    users = [User.objects.get(username="bench_organiser"), User.objects.get(username="bench_county")]
    selectors.search(viewer=users[0], query="党建")  # jieba's dictionary, loaded once per process
    search_times, like_times = [], []
    for n, query in enumerate(queries):
        user = users[n % 2]
        started = time.perf_counter()
        hits = selectors.search(viewer=user, query=query)
        search_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        word = query.split()[0]
        like = list(
            Document.objects.filter(text__contains=word, kind="report",
                                    object_id__in=kind.visible(user).values("pk")).values_list("id", flat=True)[:20]
        )  # fmt: skip
        like_times.append((time.perf_counter() - started) * 1000)
        del hits, like
    search_times.sort()
    like_times.sort()
    p95 = search_times[int(0.95 * len(search_times))]
    like_p95 = like_times[int(0.95 * len(like_times))]
    print(f"search: p50 {statistics.median(search_times):.1f} ms, p95 {p95:.1f} ms over {SEARCHES} queries")
    print(f"  baseline, LIKE scan of one word (no ranking, no traditional): p95 {like_p95:.1f} ms")
    connection.close()
    print(f"BENCH copy_one_ms {one_ms:.1f} ms")
    print(f"BENCH copy_cycle_s {cycle_s:.2f} s")
    print(f"BENCH search_p95_ms {p95:.1f} ms")
    if recall is not None:
        print(f"BENCH copy_cycle_recall {recall:.3f}")


def _c(text: str) -> str:
    from shuzhi.analytics.normalise import normalise

    return normalise(text).comparable


if __name__ == "__main__":
    main()
