"""Phone ballots under load: a meeting of 1,000 voters grading 30 reporters, every voter casting
once, against PostgreSQL behind gunicorn, driven over HTTP from this process (asyncio on raw sockets):
at most --concurrency requests in flight, a new connection for each (every phone brings its own),
a per-request timeout, and a minute for all of them.

Figures: ballots per second, p50/p99 latency as the phone sees it, and the ratio to a bare Django
view (benchmarks/_ballots_bare.py) that finds the code and writes the same rows with the same
statement in one transaction and nothing else, served by the same gunicorn setup and driven by
the same client, in the same run: the voters go in halves, bare, app, app, bare, so that a change
in the machine's load falls on both alike. Each burst waits (a minute at most) for the machine
to be quiet, since others' tests share these two cores; how busy it was is printed. After the
bursts the meeting is closed through the real service and the tally is recounted against what
the clients that got a success sent: the difference must be 0 (else the exit status is 1).
Goals: >= 500 ballots/s, p99 < 300 ms, ratio >= 0.5.

gunicorn: gthread, 4 workers x 2 threads, at most 4 connections per worker, chosen by measuring
sync workers and other sizes (the options change it): two workers per core keep the cores busy
while requests wait for PostgreSQL, two threads each overlap one request's wait with another's
Python, 8 database connections in all (with more, PostgreSQL's CPU per ballot grew), and a worker
that holds 4 connections leaves the next ones in the listen queue for an idle worker instead of
queueing them behind its own (that cut p99 by more than half).

    python benchmarks/ballots.py
    python benchmarks/ballots.py --workers 4 --threads 4 --concurrency 100
    BENCH_POSTGRES=postgres://user@host:5432 ...  # another PostgreSQL server
"""

import argparse
import asyncio
import atexit
import http.client
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _pgdb import SERVER, fresh_database  # noqa: E402

DATABASE = "shuzhi_bench_ballots"
REPORTERS = 30
CLASSES = (("区委常委", 35), ("党代表", 365), ("基层党员群众代表", 600))  # 1,000 voters
GRADE_WEIGHTS = {"好": 5, "较好": 3, "一般": 1.5, "差": 0.5}  # by shuzhi.core.grades.Grade
REQUEST_TIMEOUT_S = 10.0
BURST_LIMIT_S = 60.0  # every voter within a minute, or the run fails
MAX_CONNECTIONS = 300
QUIET_WAIT_S = 60.0
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Voter:
    token: str
    class_id: int
    body: bytes = b""
    grades: dict[int, str] = field(default_factory=dict)
    suggestion: bool = False


@dataclass
class Outcome:
    status: int | None  # None: no answer (timeout, connection error) or not sent in time
    latency_ms: float


# ---- the data, through the real services ----------------------------------------------------------


def build() -> tuple:
    """A county with 30 townships reporting; two cycles (this year's for the meeting measured,
    next year's for the baseline), each at its meeting with 1,000 codes and voting open."""
    from django.utils import timezone

    from shuzhi.accounts.models import User
    from shuzhi.ballots.models import BallotCode
    from shuzhi.ballots.services import codes_issue, meeting_create, voter_class_add, voting_open
    from shuzhi.cycles.services import cycle_advance, cycle_create, reporters_add
    from shuzhi.orgs.services import organization_create

    county = organization_create(actor=None, parent=None, name="中共东湖区委员会", code="3201", kind="committee",
                                 level="county", field="agency")  # fmt: skip
    units = [
        organization_create(actor=None, parent=county, name=f"中共东湖区第{i + 1:02d}镇委员会", code=f"3201{i + 1:03d}",
                            kind="committee", level="township", field="rural")
        for i in range(REPORTERS)
    ]  # fmt: skip
    User.objects.bulk_create(
        User(username=f"sec{i}", full_name=f"书记{i}", role="secretary", organization=unit, password="!")
        for i, unit in enumerate(units)
    )
    organiser = User.objects.create(username="organiser", full_name="区委组织部", role="organiser",
                                    organization=county)  # fmt: skip
    today = timezone.localdate()
    meetings = []
    for year in (today.year, today.year + 1):
        cycle = cycle_create(actor=organiser, year=year, title=f"东湖区{year}年度述职评议", groups=["乡镇街道"],
                             report_due=today + timedelta(days=1), meeting_on=today + timedelta(days=2))  # fmt: skip
        reporters_add(actor=organiser, cycle=cycle, organizations=units, group="乡镇街道", mode="onsite")
        cycle = cycle_advance(actor=organiser, cycle=cycle_advance(actor=organiser, cycle=cycle))
        meeting = meeting_create(
            actor=organiser, cycle=cycle, title=f"东湖区{year}年度述职评议会", held_on=today
        )
        for name, ballots in CLASSES:
            voter_class_add(actor=organiser, meeting=meeting, name=name, ballots=ballots,
                            scheme_class="党委常委" if name == "区委常委" else "")  # fmt: skip
        codes_issue(actor=organiser, meeting=meeting)
        meetings.append(voting_open(actor=organiser, meeting=meeting))
    voters = []
    rng = random.Random(1)
    for meeting in meetings:
        codes = list(BallotCode.objects.filter(meeting=meeting).order_by("serial"))
        rng.shuffle(codes)
        voters.append([_voter(code.token, code.voter_class_id, meeting.agenda, rng) for code in codes])
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return organiser, meetings[0], voters[0], voters[1]


def _voter(token: str, class_id: int, agenda: list[int], rng: random.Random) -> Voter:
    names, weights = list(GRADE_WEIGHTS), list(GRADE_WEIGHTS.values())
    grades = {reporter: rng.choices(names, weights)[0] for reporter in agenda}
    fields = [(f"grade_{reporter}", grade) for reporter, grade in grades.items()]
    suggestion = rng.random() < 0.1
    if suggestion:
        fields.append(("suggestion", "建议进一步加强村级后备干部队伍建设。"))
    return Voter(token, class_id, urlencode(fields).encode(), grades, suggestion)


# ---- the servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(settings: str, env: dict[str, str], args: argparse.Namespace):
    """gunicorn serving `settings` on a free port of 127.0.0.1, until the block ends."""
    port = free_port()
    command = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--worker-class", args.worker_class, "--threads", str(args.threads),
               "--worker-connections", str(args.worker_connections), "--backlog", "2048",
               "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": settings})
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn ({settings}) did not start")
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                probe.request("GET", "/v/done/")
                probe.getresponse().read()  # any answer: a worker is up
                probe.close()
                break
            except OSError:
                time.sleep(0.05)
        yield Server(f"http://127.0.0.1:{port}", server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


@dataclass
class Server:
    base: str
    pid: int


# ---- the machine ----------------------------------------------------------------------------------


TICK = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: str) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _machine_cpu() -> float:
    """Busy CPU seconds of the whole machine so far."""
    with open("/proc/stat") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICK  # less idle and iowait


def _own_cpu(server: Server) -> Counter:
    """CPU seconds used so far by the client (this process), the server (gunicorn's master and
    workers) and the database (this database's PostgreSQL backends)."""
    used = Counter(client=time.process_time(), server=_process_cpu(str(server.pid)))
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                parent = stat.read().rsplit(")", 1)[1].split()[1]
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                backend = f" {DATABASE} ".encode() in cmdline.read()
        except OSError:
            continue
        if parent == str(server.pid):
            used["server"] += _process_cpu(pid)
        elif backend:
            used["database"] += _process_cpu(pid)
    return used


def wait_for_quiet(limit_s: float = QUIET_WAIT_S) -> None:
    """Wait (at most `limit_s`) until the machine uses less than a fifth of a core."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        busy0 = _machine_cpu()
        time.sleep(1)
        if _machine_cpu() - busy0 < 0.2:
            return


# ---- the client -----------------------------------------------------------------------------------


class _Exchange(asyncio.Protocol):
    """One request on a connection of its own: send it, take the answer until the server closes
    the connection (the request says `Connection: close`, as each phone brings its own)."""

    def __init__(self, request: bytes, answer: asyncio.Future) -> None:
        self.request, self.answer, self.data = request, answer, bytearray()

    def connection_made(self, transport) -> None:
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.data += data

    def connection_lost(self, exc) -> None:
        if not self.answer.done():
            self.answer.set_result(bytes(self.data))


def _status(answer: bytes) -> int | None:
    """The status of a complete HTTP answer; a redirect anywhere but the thank-you page is -302."""
    head, separator, _body = answer.partition(b"\r\n\r\n")
    if not separator or not head.startswith(b"HTTP/1.1 "):
        return None  # cut off: no answer
    status = int(head[9:12])
    if status == 302 and b"\r\nlocation: /v/done/\r\n" not in head.lower() + b"\r\n":
        return -302
    return status


def _request(method: str, host: str, voter: Voter) -> bytes:
    head = f"{method} /v/{voter.token}/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
    if method == "POST":
        head += f"Content-Type: {FORM['Content-Type']}\r\nContent-Length: {len(voter.body)}\r\n"
        return f"{head}\r\n".encode() + voter.body
    return f"{head}\r\n".encode()


async def _burst(base: str, voters: list[Voter], *, method: str, concurrency: int) -> list[Outcome]:
    """Every voter once, `concurrency` requests in flight at most; stops sending after the bound.

    The client is plain asyncio on raw sockets, the requests made before the clock starts: the
    phones are other machines, so the less of these two cores the client takes, the closer the
    figure is to what the server does (aiohttp took half as much again: 0.29-0.32 ms of CPU per
    request against 0.19-0.22 ms, measured in the two clients' runs of this benchmark)."""
    host = base.removeprefix("http://")
    address, port = host.rsplit(":", 1)
    requests = [_request(method, host, voter) for voter in voters]
    outcomes = [Outcome(None, 0.0)] * len(voters)  # in the voters' order
    pending = iter(range(len(voters)))
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + BURST_LIMIT_S

    async def exchange(request: bytes) -> int | None:
        answer = loop.create_future()
        transport, _protocol = await loop.create_connection(
            lambda: _Exchange(request, answer), address, int(port)
        )
        try:
            return _status(await answer)
        finally:
            transport.abort()  # closed by the server already, unless the time ran out

    async def phone() -> None:
        for i in pending:
            if time.monotonic() > deadline:
                continue  # not sent: no answer
            started = time.perf_counter()
            try:
                status = await asyncio.wait_for(exchange(requests[i]), REQUEST_TIMEOUT_S)
            except (TimeoutError, OSError):
                status = None
            outcomes[i] = Outcome(status, (time.perf_counter() - started) * 1000)

    await asyncio.gather(*(phone() for _i in range(concurrency)))
    return outcomes


@dataclass
class Run:
    """What one server answered, over its bursts."""

    label: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0  # in bursts
    own_cpu: Counter = field(default_factory=Counter)  # CPU seconds in the bursts: client, server, database
    other_cpu: float = 0.0  # CPU seconds used during the bursts by anything else on the machine

    def burst(self, server: Server, voters: list[Voter], concurrency: int) -> None:
        wait_for_quiet()
        own0, busy0 = _own_cpu(server), _machine_cpu()
        started = time.perf_counter()
        self.outcomes += asyncio.run(_burst(server.base, voters, method="POST", concurrency=concurrency))
        self.seconds += time.perf_counter() - started
        own = _own_cpu(server)
        own.subtract(own0)
        self.own_cpu.update(own)
        self.other_cpu += max(0.0, _machine_cpu() - busy0 - own.total())

    @property
    def per_s(self) -> float:
        return sum(o.status == 302 for o in self.outcomes) / self.seconds

    def percentile(self, q: float) -> float:
        answered = sorted(o.latency_ms for o in self.outcomes if o.status is not None)
        return answered[max(0, round(len(answered) * q) - 1)] if answered else float("nan")

    def line(self) -> str:
        statuses = Counter(o.status for o in self.outcomes)
        other = {k: v for k, v in statuses.items() if k != 302}
        return (f"{self.label:32s} {self.per_s:6.1f} ballots/s  p50 {self.percentile(0.5):6.1f} ms  "
                f"p99 {self.percentile(0.99):6.1f} ms  {statuses[302]} successes in {self.seconds:4.1f} s"
                + (f"  OTHER ANSWERS {other}" if other else "")
                + f"\n{'':32s} CPU per ballot: server {self.cpu_ms('server'):.2f} ms, database {self.cpu_ms('database'):.2f} ms,"
                f" client {self.cpu_ms('client'):.2f} ms; others' load meanwhile {self.other_cpu / self.seconds:.2f} cores")  # fmt: skip

    def cpu_ms(self, part: str) -> float:
        return self.own_cpu[part] / max(1, len(self.outcomes)) * 1000


def warm_up(server: Server, voters: list[Voter], concurrency: int) -> None:
    """GETs (they change nothing), enough for every worker thread to open its database connection."""
    outcomes = asyncio.run(_burst(server.base, voters[:300], method="GET", concurrency=concurrency))
    bad = Counter(o.status for o in outcomes if o.status != 200)
    if bad:
        raise SystemExit(f"warm-up failed: {dict(bad)}")


# ---- the recount ----------------------------------------------------------------------------------


def recount_diff(organiser, meeting, voters: list[Voter], outcomes: list[Outcome]) -> int:
    """Close voting (the real service counts the phone ballots into TallyRow) and compare, cell by
    cell, with what the clients that got a success sent; also the ballots, their suggestions and
    the used codes."""
    from shuzhi.ballots.models import Ballot, CodeUse, TallyRow
    from shuzhi.ballots.services import voting_close
    from shuzhi.core.grades import Grade

    sent: Counter = Counter()
    for voter, outcome in zip(voters, outcomes, strict=True):
        if outcome.status == 302:
            sent["ballots"] += 1
            sent["suggestions"] += voter.suggestion
            for reporter, grade in voter.grades.items():
                sent[(reporter, voter.class_id, grade)] += 1
    voting_close(actor=organiser, meeting=meeting)
    counted: Counter = Counter()
    for row in TallyRow.objects.filter(meeting=meeting):
        for grade in GRADE_WEIGHTS:
            counted[(row.reporter_id, row.voter_class_id, grade)] += getattr(row, Grade(grade).field)
        counted["paper"] += row.paper
    ballots = Ballot.objects.filter(meeting=meeting)
    counted["ballots"] = ballots.count()
    counted["suggestions"] = ballots.exclude(suggestion="").count()
    diff = sum(abs(counted[key] - sent[key]) for key in set(sent) | set(counted))
    return diff + abs(CodeUse.objects.filter(meeting=meeting).count() - sent["ballots"])


# ---- the run --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--worker-connections", type=int, default=4)
    parser.add_argument(
        "--concurrency", type=int, default=32, help=f"requests in flight, 1 to {MAX_CONNECTIONS}"
    )
    args = parser.parse_args()
    if not 1 <= args.concurrency <= MAX_CONNECTIONS:
        raise SystemExit(f"--concurrency: 1 to {MAX_CONNECTIONS}")

    # the secrets file, shared by this process (which makes the codes) and the servers (which find them)
    data_dir = tempfile.mkdtemp(prefix="shuzhi-bench-ballots-")
    atexit.register(shutil.rmtree, data_dir, True)
    url = fresh_database(DATABASE)
    env = {**os.environ, "DATABASE_URL": url, "SHUZHI_DATA_DIR": data_dir, "SHUZHI_HTTPS": "0",
           "SHUZHI_ALLOWED_HOSTS": "127.0.0.1"}  # fmt: skip
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.db import connections

    organiser, meeting, voters, bare_voters = build()
    connections.close_all()
    print(f"{len(voters)} voters × {len(meeting.agenda)} reporters; gunicorn {args.worker_class}, "
          f"{args.workers} workers × {args.threads} threads, {args.worker_connections} connections per worker; "
          f"{args.concurrency} requests in flight at most, a new connection for each")  # fmt: skip

    half = len(voters) // 2
    bare, cast = Run("baseline: bare view, same rows"), Run("ballot_cast through the app")
    with (
        gunicorn("benchmarks._ballots_bare_settings", env, args) as bare_server,
        gunicorn("config.settings", env, args) as app_server,
    ):
        warm_up(bare_server, bare_voters, args.concurrency)
        warm_up(app_server, voters, args.concurrency)
        bare.burst(bare_server, bare_voters[:half], args.concurrency)
        cast.burst(app_server, voters[:half], args.concurrency)
        cast.burst(app_server, voters[half:], args.concurrency)
        bare.burst(bare_server, bare_voters[half:], args.concurrency)
    print(bare.line())
    print(cast.line())

    diff = recount_diff(organiser, meeting, voters, cast.outcomes)
    print(f"BENCH ballots_per_s {cast.per_s:.1f} /s")
    print(f"BENCH ballot_p99_ms {cast.percentile(0.99):.1f} ms")
    print(f"BENCH ballot_ratio {cast.per_s / bare.per_s:.2f} x")
    print(f"BENCH ballot_recount_diff {diff}")
    if diff or cast.seconds > BURST_LIMIT_S:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
