"""A job can fail but never hang: a checking process killed mid-import, checkers that stop making
progress, or the job's own thread stuck in the middle of its transaction, each end the job with a
message, roll its transaction back, and leave the worker free for the next job.

Transactional tests (the import's transaction is the real, outermost one, as in the worker), on
both databases; on PostgreSQL no session of the test database is left idle in a transaction.
"""

import functools
import multiprocessing
import os
import signal
import threading
import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import reverse

from shuzhi.exchange import parallel, plans, services
from shuzhi.exchange.models import ExchangeJob
from shuzhi.members.models import Member
from shuzhi.testing.factories import make_id_number
from shuzhi.testing.jobs import run_queued_jobs
from shuzhi.testing.sheets import MEMBER_HEADERS, member_row, xlsx

pytestmark = pytest.mark.django_db(transaction=True)
in_process = parallel.in_slices


def _roster(prefix: str, size: int = 60) -> bytes:
    rows = [
        member_row(
            f"{prefix}{i}", make_id_number(date(1960 + i % 30, 1 + i % 12, 1 + i % 28), "M"), "C01001001"
        )
        for i in range(size)
    ]
    return xlsx(rows, headers=MEMBER_HEADERS)


def _upload(client, user, content: bytes, name: str) -> ExchangeJob:
    client.force_login(user)
    response = client.post(
        reverse("exchange:upload", args=["members"]), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302
    return ExchangeJob.objects.latest("id")


def _idle_in_transaction() -> int:
    """Sessions of the test database left open in a transaction (PostgreSQL; 0 elsewhere)."""
    if connection.vendor != "postgresql":
        return 0
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with side.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND state LIKE 'idle in transaction%%'"
            )
            return cursor.fetchone()[0]
    finally:
        side.close()


@pytest.fixture
def slow_forked_checks(monkeypatch):
    """Rosters checked in two forked processes, slice by slice, slowly enough to be interfered with."""
    monkeypatch.setattr(
        parallel, "in_slices", functools.partial(in_process, min_rows=1, workers=2, slice_rows=10)
    )
    read = plans.read_member_rows

    def slow(*args, **kwargs):
        time.sleep(0.4)
        return read(*args, **kwargs)

    monkeypatch.setattr(plans, "read_member_rows", slow)


def _kill_a_checker_once() -> threading.Thread:
    def kill() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            checkers = [c for c in multiprocessing.active_children() if c.name.startswith("roster-check")]
            if checkers:
                time.sleep(0.3)  # mid-import: a slice or two is in, the rest is being checked
                os.kill(checkers[0].pid, signal.SIGKILL)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill, daemon=True)
    killer.start()
    return killer


def test_a_checking_process_killed_mid_import_fails_the_job_and_the_worker_goes_on(
    client, cast, slow_forked_checks
):
    doomed = _upload(client, cast.county_organiser, _roster("甲"), "甲.xlsx")
    next_one = _upload(client, cast.county_organiser, _roster("乙"), "乙.xlsx")
    killer = _kill_a_checker_once()

    run_queued_jobs()  # the real worker loop, both jobs in turn

    killer.join()
    doomed.refresh_from_db()
    next_one.refresh_from_db()
    assert (doomed.status, doomed.message) == (
        ExchangeJob.Status.FAILED,
        "校验进程意外退出（可能是服务器内存不足或进程被结束），未导入任何数据。",
    )
    assert not Member.objects.filter(name__startswith="甲").exists()
    assert (next_one.status, next_one.created_count) == (ExchangeJob.Status.SUCCEEDED, 60)
    assert Member.objects.filter(name__startswith="乙").count() == 60
    assert _idle_in_transaction() == 0
    page = client.get(reverse("exchange:job", args=[doomed.pk])).content.decode()
    assert "校验进程意外退出" in page and 'hx-trigger="every 1s"' not in page


def test_checkers_that_stop_making_progress_are_stopped_by_the_watchdog(client, cast, settings, monkeypatch):
    settings.JOB_STALL_SECONDS = 2
    monkeypatch.setattr(
        parallel, "in_slices", functools.partial(in_process, min_rows=1, workers=2, slice_rows=10)
    )
    read, parent = plans.read_member_rows, os.getpid()

    def stuck_on_the_first_file(sheet, *args, **kwargs):
        if os.getpid() != parent and str(sheet.rows[0][0]).startswith("卡"):
            time.sleep(3600)
        return read(sheet, *args, **kwargs)

    monkeypatch.setattr(plans, "read_member_rows", stuck_on_the_first_file)
    stuck = _upload(client, cast.county_organiser, _roster("卡"), "卡.xlsx")
    next_one = _upload(client, cast.county_organiser, _roster("乙"), "乙.xlsx")

    started = time.monotonic()
    run_queued_jobs()

    assert time.monotonic() - started < 60
    stuck.refresh_from_db()
    next_one.refresh_from_db()
    assert stuck.status == ExchangeJob.Status.FAILED
    assert "2 秒没有进展，已停止，未导入任何数据" in stuck.message
    assert not [c for c in multiprocessing.active_children() if c.name.startswith("roster-check")]
    assert not Member.objects.filter(name__startswith="卡").exists()
    assert next_one.status == ExchangeJob.Status.SUCCEEDED
    assert _idle_in_transaction() == 0


def test_a_job_stuck_in_its_own_transaction_is_failed_and_rolled_back(client, cast, settings, monkeypatch):
    """The job's thread stops answering half-way through writing: the watchdog ends the job (on
    PostgreSQL by ending its session, which rolls the transaction back on the server) and the
    rows already written are gone."""
    settings.JOB_STALL_SECONDS = 2
    write = services._write_members
    stalls = []

    def stall_once(job, *args, **kwargs):
        if not stalls:
            stalls.append(job.pk)
            Member.objects.filter(pk=cast.member_a.pk).update(name="改了一半")
            time.sleep(4)
        return write(job, *args, **kwargs)

    monkeypatch.setattr(services, "_write_members", stall_once)
    stuck = _upload(client, cast.county_organiser, _roster("卡", size=5), "卡.xlsx")
    next_one = _upload(client, cast.county_organiser, _roster("乙", size=5), "乙.xlsx")

    run_queued_jobs()

    stuck.refresh_from_db()
    next_one.refresh_from_db()
    assert stalls == [stuck.pk]
    assert (stuck.status, stuck.message) == (
        ExchangeJob.Status.FAILED,
        "任务已有 2 秒没有进展，已停止，未导入任何数据。请稍后重新上传；如仍如此，请联系系统管理员。",
    )
    assert not Member.objects.filter(name__startswith="卡").exists()
    assert Member.objects.get(pk=cast.member_a.pk).name == cast.member_a.name
    assert next_one.status == ExchangeJob.Status.SUCCEEDED
    assert _idle_in_transaction() == 0


def test_a_job_whose_worker_is_gone_is_failed_when_the_next_one_starts(client, cast, settings):
    settings.JOB_STALL_SECONDS = 5
    orphan = _upload(client, cast.county_organiser, _roster("甲", size=3), "甲.xlsx")
    ExchangeJob.objects.filter(pk=orphan.pk).update(status=ExchangeJob.Status.VALIDATING)
    ExchangeJob.objects.filter(pk=orphan.pk).update(updated_at=orphan.updated_at.replace(year=2020))
    fresh = _upload(client, cast.county_organiser, _roster("乙", size=3), "乙.xlsx")
    page = client.get(reverse("exchange:progress", args=[orphan.pk])).content.decode()
    assert "任务已长时间没有进展，处理进程可能已停止" in page
    assert "任务已长时间" not in client.get(reverse("exchange:progress", args=[fresh.pk])).content.decode()

    run_queued_jobs()

    orphan.refresh_from_db()
    fresh.refresh_from_db()
    assert (orphan.status, orphan.message) == (
        ExchangeJob.Status.FAILED,
        "任务中断（处理进程已停止），未导入任何数据。请重新上传。",
    )
    assert fresh.status == ExchangeJob.Status.SUCCEEDED
