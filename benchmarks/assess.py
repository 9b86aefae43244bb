"""Assessment at scale: tally and grade a cycle of 2,000 reporters × 300 voters (600,000 grade
lines) on PostgreSQL — the whole of `assessment_compute`: the count from the ballot tables, the
entered scores, 加减分 and vetoes, the engine (scores, grades, quotas, ranks) and the results
stored — against one raw SQL GROUP BY over the same rows, measured in the same run.
Goal: within 4× that query, and under 1 s.

    python benchmarks/assess.py
    BENCH_POSTGRES=postgres://user@host:5432 ...  # another PostgreSQL server
"""

import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _pgdb import city_units, fresh_database  # noqa: E402

DATABASE = "shuzhi_bench_assess"
REPORTERS, COMMITTEE, OTHERS = 2000, 15, 285
RUNS = 5


def build():
    """2,000 units reporting in 4 groups; a meeting with 15 committee and 285 other voters, all of
    whose ballots are in (written straight into the tables, in the shape ballot_cast writes);
    two entered components, some 加减分 and vetoes; the cycle at 考核评定."""
    from django.db import connection
    from django.utils import timezone

    from shuzhi.accounts.models import User
    from shuzhi.ballots.models import Meeting
    from shuzhi.ballots.services import codes_issue, meeting_create, voter_class_add
    from shuzhi.core.grades import GRADES
    from shuzhi.cycles.models import Cycle
    from shuzhi.cycles.services import cycle_advance, cycle_create, reporters_add
    from shuzhi.scoring.models import Adjustment, ComponentScore, VetoFinding

    root, units = city_units(REPORTERS)
    User.objects.bulk_create(User(username=f"sec{i}", full_name=f"书记{i}", role="secretary", organization=u, password="!")
                             for i, u in enumerate(units))  # fmt: skip
    organiser = User.objects.create(
        username="organiser", full_name="市委组织部", role="organiser", organization=root
    )
    today = timezone.localdate()
    cycle = cycle_create(actor=organiser, year=today.year, title="全市述职评议", groups=["县区", "市直机关", "国企", "高校"],
                         report_due=today + timedelta(days=10), meeting_on=today + timedelta(days=20))  # fmt: skip
    for g, group in enumerate(cycle.groups):
        reporters_add(actor=organiser, cycle=cycle, organizations=units[g::4], group=group, mode="onsite")
    cycle = cycle_advance(actor=organiser, cycle=cycle)
    cycle = cycle_advance(actor=organiser, cycle=cycle)
    meeting = meeting_create(actor=organiser, cycle=cycle, title="评议会", held_on=today)
    voter_class_add(
        actor=organiser, meeting=meeting, name="市委常委", ballots=COMMITTEE, scheme_class="党委常委"
    )
    voter_class_add(actor=organiser, meeting=meeting, name="党代表", ballots=OTHERS)
    codes_issue(actor=organiser, meeting=meeting)
    from shuzhi.ballots.services import meeting_agenda

    agenda = meeting_agenda(cycle)
    Meeting.objects.filter(pk=meeting.pk).update(agenda=agenda, status=Meeting.Status.TALLIED)
    rng = random.Random(1)
    classes = list(meeting.classes.values_list("pk", "ballots"))
    codes = list(meeting.codes.values_list("pk", "voter_class_id"))
    skill = {r: rng.random() for r in agenda}
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY ballots_codeuse (code_id, meeting_id, voter_class_id) FROM STDIN"
        ) as copy:
            for code, class_id in codes:
                copy.write_row((code, meeting.pk, class_id))
        ballots = [(uuid.uuid4(), class_id) for class_id, n in classes for _ in range(n)]
        with cursor.cursor.copy(
            "COPY ballots_ballot (id, meeting_id, voter_class_id, suggestion) FROM STDIN"
        ) as copy:
            for ballot, class_id in ballots:
                copy.write_row((ballot, meeting.pk, class_id, ""))
        with cursor.cursor.copy(
            "COPY ballots_ballotmark (id, ballot_id, reporter_id, grade, scores) FROM STDIN"
        ) as copy:
            for ballot, _class_id in ballots:
                for reporter in agenda:
                    pick = min(3, int(rng.random() * 2 + (1 - skill[reporter]) * 2))
                    copy.write_row((uuid.uuid4(), ballot, reporter, GRADES[pick].value, "[]"))
        cursor.execute("ANALYZE")
    reporters = list(cycle.reporters.all())
    ComponentScore.objects.bulk_create(
        ComponentScore(reporter=r, component=c, score=round(60 + 40 * rng.random(), 2), entered_by=organiser, source="bench")
        for r in reporters for c in ("日常考核", "重点任务")
    )  # fmt: skip
    Adjustment.objects.bulk_create(Adjustment(reporter=r, points=rng.choice([-2, -1, 1, 2]), reason="加减分", entered_by=organiser)
                                   for r in reporters[::7])  # fmt: skip
    VetoFinding.objects.bulk_create(
        VetoFinding(reporter=r, veto="年度内受到问责", note="文号", entered_by=organiser)
        for r in reporters[::97]
    )
    cycle = cycle_advance(actor=organiser, cycle=Cycle.objects.get(pk=cycle.pk))
    return organiser, cycle, meeting


def main() -> None:
    os.environ["DATABASE_URL"] = fresh_database(DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from shuzhi.ballots.models import BallotMark
    from shuzhi.scoring.models import Result
    from shuzhi.scoring.services import assessment_compute

    started = time.perf_counter()
    organiser, cycle, meeting = build()
    print(f"built {REPORTERS} reporters × {COMMITTEE + OTHERS} ballots = {BallotMark.objects.count():,} grade lines "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    raw, whole = [], []
    query = (
        "SELECT m.reporter_id, b.voter_class_id, m.grade, count(*) FROM ballots_ballotmark m "
        "JOIN ballots_ballot b ON b.id = m.ballot_id WHERE b.meeting_id = %s GROUP BY 1, 2, 3"
    )
    for _ in range(RUNS):
        with connection.cursor() as cursor:
            t = time.perf_counter()
            cursor.execute(query, [meeting.pk])
            rows = cursor.fetchall()
            raw.append(time.perf_counter() - t)
        t = time.perf_counter()
        assessment_compute(actor=organiser, cycle=cycle)
        whole.append(time.perf_counter() - t)
    grades = {g: Result.objects.filter(grade=g).count() for g in ("好", "较好", "一般", "差")}
    raw_s, whole_s = statistics.median(raw), statistics.median(whole)
    print(
        f"raw GROUP BY ({len(rows)} groups)      median {raw_s * 1000:7.1f} ms  best {min(raw) * 1000:7.1f} ms"
    )
    print(
        f"assessment_compute (stored)  median {whole_s * 1000:7.1f} ms  best {min(whole) * 1000:7.1f} ms  grades {grades}"
    )
    print(f"BENCH assess_s {whole_s:.3f} s")
    print(f"BENCH assess_ratio {whole_s / raw_s:.2f} x")


if __name__ == "__main__":
    main()
