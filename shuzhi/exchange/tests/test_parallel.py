"""Big rosters are checked in forked processes, a slice each. Forced onto a small sheet here: the
outcome must be the one a single process gives, duplicates across slices included."""

import functools
import itertools
import multiprocessing
import os
import signal
import threading
import time
from datetime import date

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from shuzhi.exchange import parallel, plans, services
from shuzhi.exchange.models import ExchangeJob
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.testing.factories import make_id_number
from shuzhi.testing.jobs import run_queued_jobs
from shuzhi.testing.sheets import MEMBER_HEADERS, member_row, xlsx

ROWS = 60
JOINED = MEMBER_HEADERS.index("入党日期")
ID = MEMBER_HEADERS.index("身份证号")
PLACE = MEMBER_HEADERS.index("所在党组织")
in_process = parallel.in_slices


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def forked(monkeypatch, tmp_path):
    """Check every roster in two forked workers; return (pid, start, stop) of each slice checked."""
    monkeypatch.setattr(parallel, "in_slices", functools.partial(in_process, min_rows=1, workers=2))
    checked = tmp_path / "checked"
    checked.mkdir()
    read = plans.read_member_rows

    def spy(*args, **kwargs):
        (checked / f"{os.getpid()}-{kwargs['start']}-{kwargs['stop']}").touch()
        return read(*args, **kwargs)

    monkeypatch.setattr(plans, "read_member_rows", spy)

    def slices() -> list[tuple[int, int, int]]:
        found = [tuple(int(part) for part in p.name.split("-")) for p in checked.iterdir()]
        return sorted(found, key=lambda s: (s[1], -s[2]))

    return slices


def _roster() -> list[list[object]]:
    rows = []
    for i in range(ROWS):
        birth = date(1960 + i % 30, 1 + i % 12, 1 + i % 28)
        org = "C01001001" if i % 2 else "C01001002"
        if i % 4 == 3:
            rows.append(member_row(f"预备{i}", make_id_number(birth, "F"), org, joined=date(2025, 5, 4), full=None,
                                   status="预备党员", gender="女"))  # fmt: skip
        else:
            rows.append(member_row(f"党员{i}", make_id_number(birth, "M"), org, phone=f"1390000{i:04d}"))
    return rows


def _import(client, user, rows) -> ExchangeJob:
    client.force_login(user)
    response = client.post(
        reverse("exchange:upload", args=["members"]),
        {"file": SimpleUploadedFile("名册.xlsx", xlsx(rows, headers=MEMBER_HEADERS))},
    )
    assert response.status_code == 302
    run_queued_jobs()
    return ExchangeJob.objects.latest("id")


def _members() -> dict[str, tuple]:
    return {
        m.name: (
            m.id_number,
            m.organization.code,
            m.status,
            m.gender,
            m.birth_date,
            m.phone,
            m.full_member_on,
        )
        for m in Member.objects.select_related("organization")
    }


def test_a_roster_checked_in_two_forked_workers_imports_as_one_process_would(
    client, cast, forked, monkeypatch
):
    rows = _roster()

    job = _import(client, cast.county_organiser, rows)

    assert job.status == ExchangeJob.Status.SUCCEEDED, job.errors
    slices = forked()
    assert [(start, stop) for _pid, start, stop in slices] == [(0, 30), (30, 60)]
    assert os.getpid() not in {pid for pid, _start, _stop in slices}  # a pool worker may take both
    assert (job.created_count, job.processed_rows, Member.objects.count()) == (ROWS, ROWS, ROWS + 4)
    members = _members()
    for row in rows:
        name, number, place, status = row[0], row[ID], row[PLACE], row[MEMBER_HEADERS.index("党员状态")]
        assert members[name][:3] == (number, place, "probationary" if status == "预备党员" else "full")
    assert Organization.objects.get(pk=cast.township_a.pk).total_members == ROWS + 3

    monkeypatch.setattr(parallel, "in_slices", in_process)
    again = _import(client, cast.county_organiser, rows)

    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, ROWS)
    assert _members() == members


def _with_mistakes(rows):
    rows[8][JOINED] = "去年"  # row 10, first half
    rows[43][PLACE] = "C09"  # row 45, second half
    rows[50][ID] = rows[5][ID]  # row 52 repeats row 7, across the halves
    rows[12][ID] = rows[11][ID]  # row 14 repeats row 13, within the first half
    return rows


EXPECTED = [
    (10, "H", "日期格式不正确，应为 2021-07-01 这样的日期。"),
    (14, "B", "与第 13 行的身份证号重复。"),
    (45, "L", "找不到“C09”：没有这个编码或名称路径的党组织，或它不在您的管理范围内。"),
    (52, "B", "与第 7 行的身份证号重复。"),
]


def test_forked_workers_report_the_same_mistakes_as_one_process(client, cast, forked, monkeypatch):
    rows = _with_mistakes(_roster())
    monkeypatch.setattr(parallel, "in_slices", in_process)
    alone = _import(client, cast.county_organiser, rows)
    monkeypatch.setattr(parallel, "in_slices", functools.partial(in_process, min_rows=1, workers=2))

    together = _import(client, cast.county_organiser, rows)

    assert [(start, stop, pid == os.getpid()) for pid, start, stop in forked()] == [
        (0, 60, True),
        (0, 30, False),
        (30, 60, False),
    ]
    assert [(e["row"], e["letter"], e["message"]) for e in alone.errors] == EXPECTED
    assert together.errors == alone.errors
    assert (together.status, together.error_count, together.message) == (alone.status, 4, alone.message)
    assert Member.objects.count() == 4


def test_a_repeat_of_a_row_with_another_mistake_is_reported_across_slices(client, cast, forked):
    rows = _roster()
    rows[50][ID] = rows[5][ID]
    rows[5][JOINED] = "去年"

    job = _import(client, cast.county_organiser, rows)

    assert [(e["row"], e["letter"]) for e in job.errors] == [(7, "H"), (52, "B")]


def test_the_same_repeat_within_one_process_is_reported(client, cast):
    rows = _roster()
    rows[50][ID] = rows[5][ID]
    rows[5][JOINED] = "去年"

    job = _import(client, cast.county_organiser, rows)

    assert [(e["row"], e["letter"], e["message"]) for e in job.errors] == [
        (7, "H", "日期格式不正确，应为 2021-07-01 这样的日期。"),
        (52, "B", "与第 7 行的身份证号重复。"),
    ]
    assert Member.objects.count() == 4


def _in_six_slices(monkeypatch) -> None:
    monkeypatch.setattr(
        parallel, "in_slices", functools.partial(in_process, min_rows=1, workers=2, slice_rows=10)
    )


def test_a_mistake_in_the_last_slice_undoes_the_new_members_of_the_slices_before_it(
    client, cast, forked, monkeypatch
):
    _in_six_slices(monkeypatch)
    rows = _roster()
    rows[57][JOINED] = "去年"  # row 59

    job = _import(client, cast.county_organiser, rows)

    # six slices, the first and last of each worker a quarter of the others (parallel._bounds)
    assert [(start, stop) for _pid, start, stop in forked()] == [
        (0, 5),
        (5, 10),
        (10, 30),
        (30, 50),
        (50, 55),
        (55, 60),
    ]
    assert (job.status, [(e["row"], e["letter"]) for e in job.errors]) == (
        ExchangeJob.Status.REJECTED,
        [(59, "H")],
    )
    assert Member.objects.count() == 4


def test_a_member_of_another_county_undoes_the_new_members_written_before_the_check(
    client, cast, forked, monkeypatch
):
    _in_six_slices(monkeypatch)
    rows = _roster()
    other = cast.member_b
    rows[3] = member_row(
        "改名", other.id_number, "C01001001", joined=other.joined_on, full=other.full_member_on
    )

    job = _import(client, cast.county_organiser, rows)

    assert [(e["row"], e["letter"]) for e in job.errors] == [(5, "B")]
    assert Member.objects.count() == 4
    assert Member.objects.filter(pk=other.pk, organization=cast.village_b, name=other.name).exists()


def test_a_roster_in_many_slices_imported_again_updates_only_the_changed_member(
    client, cast, forked, monkeypatch
):
    _in_six_slices(monkeypatch)
    rows = _roster()
    first = _import(client, cast.county_organiser, rows)
    rows[20][0] = "改名"

    again = _import(client, cast.county_organiser, rows)

    assert (first.status, first.created_count, first.processed_rows) == (
        ExchangeJob.Status.SUCCEEDED,
        ROWS,
        ROWS,
    )
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 1, ROWS - 1)
    assert Member.objects.count() == ROWS + 4
    assert Member.objects.filter(name="改名").count() == 1


# ---- in_slices itself ----------------------------------------------------------------------------


def test_slices_come_back_in_order_from_separate_processes():
    results = in_process(lambda start, stop, progress: (start, stop, os.getpid()), 10, workers=3, min_rows=1)

    assert [(start, stop) for start, stop, _pid in results] == [(0, 3), (3, 7), (7, 10)]
    assert os.getpid() not in {pid for _start, _stop, pid in results}


def test_each_result_is_handed_over_in_order_as_the_slices_come_back():
    handed: list[tuple[int, int]] = []

    results = in_process(
        lambda start, stop, progress: (start, stop),
        10,
        workers=2,
        min_rows=1,
        slice_rows=3,
        on_result=handed.append,
    )

    assert handed == results == [(0, 2), (2, 5), (5, 8), (8, 10)]


@given(total=st.integers(1, 2_000_000), workers=st.integers(2, 4), slice_rows=st.integers(1_000, 50_000))
def test_the_slices_cover_the_sheet_as_many_for_each_worker_small_at_both_ends(total, workers, slice_rows):
    bounds = parallel._bounds(total, workers, slice_rows)

    assert bounds[0][0] == 0 and bounds[-1][1] == total
    assert all(stop == start for (_before, stop), (start, _after) in itertools.pairwise(bounds))
    assert all(stop > start for start, stop in bounds)
    sizes = [stop - start for start, stop in bounds]
    if len(bounds) > 2 * workers:  # middle slices, each about four times the first and last ones
        assert len(bounds) % workers == 0
        middle = sizes[workers:-workers]
        assert max(sizes[:workers] + sizes[-workers:]) * 4 <= min(middle) + 8
        assert max(middle) <= 2 * slice_rows + 1


def test_a_sheet_below_the_threshold_is_checked_in_this_process():
    def work(start, stop, progress):
        progress(stop - start)
        return start, stop, os.getpid()

    seen: list[int] = []
    results = in_process(work, 19_999, workers=2, on_progress=seen.append)

    assert results == [(0, 19_999, os.getpid())]
    assert seen == [19_999]


def test_progress_from_the_workers_adds_up():
    def work(start, stop, progress):
        progress(stop - start)
        time.sleep(0.5)
        return stop - start

    seen: list[int] = []
    results = in_process(work, 10, workers=2, min_rows=1, on_progress=seen.append, poll_seconds=0.05)

    assert results == [5, 5]
    assert seen and max(seen) == 10


# ---- never hanging ---------------------------------------------------------------------------------


def _no_child_left() -> bool:
    return not [child for child in multiprocessing.active_children() if child.name.startswith("roster-check")]


def test_a_checker_that_dies_fails_the_call_at_once_and_leaves_no_process():
    def work(start, stop, progress):
        if start == 0:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.2)
        return start

    started = time.monotonic()
    with pytest.raises(parallel.CheckerDied) as caught:
        in_process(work, 10, workers=2, min_rows=1, slice_rows=2, poll_seconds=0.05)

    assert time.monotonic() - started < 10
    assert str(caught.value) == "校验进程意外退出（可能是服务器内存不足或进程被结束），未导入任何数据。"
    assert _no_child_left()


def test_a_checker_does_not_keep_the_workers_handler_that_swallows_sigterm():
    """The background worker answers SIGTERM by finishing its task first; a checker that kept that
    handler ignored the pool's terminate, and the import waited for it for ever."""
    finish_the_task_first = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:

        def work(start, stop, progress):
            os.kill(os.getpid(), signal.SIGTERM)  # what terminating a child sends
            time.sleep(30)
            return start

        started = time.monotonic()
        with pytest.raises(parallel.CheckerDied):
            in_process(work, 4, workers=2, min_rows=1, poll_seconds=0.05)
    finally:
        signal.signal(signal.SIGTERM, finish_the_task_first)

    assert time.monotonic() - started < 10
    assert _no_child_left()


def test_checkers_that_stop_making_progress_are_given_up_and_killed():
    def work(start, stop, progress):
        progress(1)
        time.sleep(3600)

    started = time.monotonic()
    with pytest.raises(parallel.CheckStalled) as caught:
        in_process(work, 4, workers=2, min_rows=1, stall_seconds=1, poll_seconds=0.1)

    assert 1 <= time.monotonic() - started < 10
    assert str(caught.value) == "校验已有 1 秒没有进展，已停止，未导入任何数据。"
    assert _no_child_left()


def test_a_checker_that_raises_fails_the_call_with_its_traceback_for_the_log():
    def work(start, stop, progress):
        if start:
            raise KeyError("没有这一列")
        return start

    with pytest.raises(parallel.CheckFailed) as caught:
        in_process(work, 4, workers=2, min_rows=1, poll_seconds=0.05)

    assert str(caught.value) == "校验时出错，未导入任何数据。"
    assert "KeyError: '没有这一列'" in caught.value.detail
    assert _no_child_left()


def test_the_checkers_are_killed_when_the_caller_fails_half_way():
    def refuse(result):
        raise ValueError("the write failed")

    with pytest.raises(ValueError, match="the write failed"):
        in_process(lambda start, stop, progress: time.sleep(0.1) or start, 40, workers=2, min_rows=1,
                   slice_rows=5, on_result=refuse)  # fmt: skip

    assert _no_child_left()


def test_a_copy_that_fails_undoes_the_import_and_the_next_one_goes_in(client, cast, forked, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("slices are copied as they come back only on PostgreSQL")
    _in_six_slices(monkeypatch)
    copy, copied, failing = services._copy, [], [True]

    def copy_failing_the_third(cursor, table, columns, rows):
        copied.append(table)
        if failing[0] and len(copied) == 3:
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        copy(cursor, table, columns, rows)

    monkeypatch.setattr(services, "_copy", copy_failing_the_third)

    failed = _import(client, cast.county_organiser, _roster())

    assert (failed.status, failed.message) == (
        ExchangeJob.Status.FAILED,
        "处理失败，未导入任何数据。请稍后重试，或联系系统管理员。",
    )
    assert copied == [Member._meta.db_table] * 3  # nothing copied after the failure
    assert Member.objects.count() == 4
    failing[0] = False

    again = _import(client, cast.county_organiser, _roster())

    assert (again.status, again.created_count) == (ExchangeJob.Status.SUCCEEDED, ROWS)
    assert Member.objects.count() == ROWS + 4


def _copies_behind(monkeypatch, *, hold_slice: int) -> list[tuple[str, int]]:
    """Spy on the import's COPYs: (thread, members in the table once it was sent) for each. The
    result of slice `hold_slice` is handed over only once every slice before it was copied, so
    that what the import does next meets members already written in its transaction."""
    copy, copied = services._copy, []
    in_slices = parallel.in_slices

    def spy(cursor, table, columns, rows):
        copy(cursor, table, columns, rows)
        cursor.execute(f"SELECT count(*) FROM {Member._meta.db_table}")  # noqa: S608
        copied.append((threading.current_thread().name, cursor.fetchone()[0]))

    def held(func, total, *, on_result, **kwargs):
        taken = 0

        def take(result):
            nonlocal taken
            if taken == hold_slice:
                deadline = time.monotonic() + 10
                while len(copied) < hold_slice and time.monotonic() < deadline:
                    time.sleep(0.01)
            taken += 1
            on_result(result)

        return in_slices(func, total, on_result=take, **kwargs)

    monkeypatch.setattr(services, "_copy", spy)
    monkeypatch.setattr(parallel, "in_slices", held)
    return copied


def test_a_mistake_on_a_late_row_after_earlier_slices_were_copied_behind_leaves_no_member(
    client, cast, forked, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("slices are copied behind the checking only on PostgreSQL")
    _in_six_slices(monkeypatch)
    copied = _copies_behind(monkeypatch, hold_slice=5)
    rows = _roster()
    rows[57][JOINED] = "去年"  # row 59, in the last slice

    job = _import(client, cast.county_organiser, rows)

    # the five slices before it were in the table, in the import's transaction, on the copy thread
    assert [count for _thread, count in copied] == [9, 14, 34, 54, 59]
    assert {thread for thread, _count in copied} == {f"import-{job.pk}-copy"}
    assert (job.status, job.message, [(e["row"], e["letter"], e["message"]) for e in job.errors]) == (
        ExchangeJob.Status.REJECTED,
        "发现 1 处错误（涉及 1 行），未导入任何数据。",
        [(59, "H", "日期格式不正确，应为 2021-07-01 这样的日期。")],
    )
    assert Member.objects.count() == 4
    assert Organization.objects.get(pk=cast.township_a.pk).total_members == 3


def test_the_import_failing_after_earlier_slices_were_copied_behind_leaves_no_member(
    client, cast, forked, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("slices are copied behind the checking only on PostgreSQL")
    _in_six_slices(monkeypatch)
    copied = _copies_behind(monkeypatch, hold_slice=5)
    duplicates, taken = plans.cross_slice_duplicates, []

    def failing_on_the_last_slice(*args, **kwargs):
        taken.append(1)
        if len(taken) == 6:
            raise RuntimeError("a bug while taking the last slice")
        return duplicates(*args, **kwargs)

    monkeypatch.setattr(plans, "cross_slice_duplicates", failing_on_the_last_slice)

    job = _import(client, cast.county_organiser, _roster())

    assert [count for _thread, count in copied] == [9, 14, 34, 54, 59]
    assert (job.status, job.message) == (
        ExchangeJob.Status.FAILED,
        "处理失败，未导入任何数据。请稍后重试，或联系系统管理员。",
    )
    assert Member.objects.count() == 4

    monkeypatch.setattr(plans, "cross_slice_duplicates", duplicates)
    again = _import(client, cast.county_organiser, _roster())

    assert (again.status, again.created_count) == (ExchangeJob.Status.SUCCEEDED, ROWS)
    assert Member.objects.count() == ROWS + 4


def test_the_copy_thread_never_holds_more_than_its_few_slices(monkeypatch):
    """A slow server holds up the slices handed over, not the memory: at most SLICES_WAITING
    wait, and the hand-over waits for room."""
    started, release, copied = threading.Event(), threading.Event(), []

    def slow_copy(rows):
        started.set()
        release.wait(10)
        copied.append(rows)

    job = ExchangeJob(pk=0)
    job.timings = {}
    with services._copied_behind(job, slow_copy) as behind:
        behind.put((b"1",))
        assert started.wait(10)
        for n in range(2, 2 + services._CopyBehind.SLICES_WAITING):
            behind.put((str(n).encode(),))
        handing = threading.Thread(target=behind.put, args=((b"last",),))
        handing.start()
        handing.join(0.3)
        assert handing.is_alive()  # no room: the hand-over waits
        assert behind.slices.qsize() == services._CopyBehind.SLICES_WAITING
        release.set()
        handing.join(10)

    assert copied == [(b"1",), (b"2",), (b"3",), (b"last",)]
    assert "copy" in job.timings


def test_a_copy_that_fails_behind_is_raised_and_nothing_after_it_is_copied():
    copied = []

    def copy(rows):
        if rows == (b"2",):
            raise OSError("the server went away")
        copied.append(rows)

    job = ExchangeJob(pk=0)
    job.timings = {}
    with pytest.raises(OSError, match="went away"), services._copied_behind(job, copy) as behind:
        for n in range(1, 6):
            behind.put((str(n).encode(),))

    assert copied == [(b"1",)]
    assert not behind.thread.is_alive()
