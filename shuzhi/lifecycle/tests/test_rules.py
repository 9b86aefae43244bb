import importlib
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shuzhi.demo.lifecycle import path_plan
from shuzhi.lifecycle import rules
from shuzhi.lifecycle.rules import StepEntry, StepRule

SEEDED = importlib.import_module("shuzhi.lifecycle.migrations.0002_seed_steps").STEPS
RULES = [
    StepRule(code=code, order=order, name=name, stage=stage, after=after, min_months=min_m, max_months=max_m,
             strict=strict, check=check)
    for order, code, stage, name, after, min_m, max_m, strict, check, _docs, _people in SEEDED
]  # fmt: skip
BY_CODE = {r.code: r for r in RULES}
BIRTH = date(1995, 6, 15)
TODAY = date(2030, 1, 1)
days = st.dates(min_value=date(2001, 1, 1), max_value=date(2028, 12, 31))


def problems(code: str, entry: StepEntry, done: dict[str, date], birth: date = BIRTH) -> dict[str, str]:
    return rules.step_problems(BY_CODE[code], entry, rules=RULES, done=done, birth_date=birth, today=TODAY)


def done_until(code: str, start: date = date(2020, 3, 2)) -> dict[str, date]:
    """The plan's dates of every step before `code`."""
    plan = path_plan(start)
    return {c: e.done_on for c, e in plan.items() if BY_CODE[c].order < BY_CODE[code].order}


def test_the_seeded_table_has_the_five_stages_in_order_and_about_25_steps():
    assert 24 <= len(RULES) <= 30
    stages = [r.stage for r in sorted(RULES, key=lambda r: r.order)]
    assert [s for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s] == list(rules.STAGES)
    assert all(r.after in BY_CODE for r in RULES if r.after)


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2026, 1, 1)))
def test_the_demo_plan_passes_every_step_in_order(start):
    done: dict[str, date] = {}
    for code, entry in path_plan(start).items():
        assert problems(code, entry, done, birth=start - timedelta(days=365 * 25)) == {}, code
        done[code] = entry.done_on
    assert rules.stage_of(RULES, done) == rules.FULL
    assert rules.next_rule(RULES, done) is None


def test_an_applicant_under_18_is_refused_with_the_day_they_turn_18():
    found = problems("apply", StepEntry(date(2013, 6, 14)), {})
    assert (
        "年满十八周岁" in found["done_on"]
        and "17 周岁" in found["done_on"]
        and "2013-06-15" in found["done_on"]
    )
    assert problems("apply", StepEntry(date(2013, 6, 15)), {}) == {}


def test_a_step_out_of_order_is_refused_naming_the_next_one():
    found = problems("activist", StepEntry(date(2020, 5, 1)), {"apply": date(2020, 3, 2)})
    assert "下一步应是“党组织派人谈话”" in found["__all__"]


def test_a_step_done_twice_is_refused():
    assert (
        "不能重复记录"
        in problems("apply", StepEntry(date(2020, 3, 2)), {"apply": date(2020, 3, 2)})["__all__"]
    )


def test_the_talk_later_than_a_month_needs_its_reason():
    done = {"apply": date(2020, 3, 2)}
    found = problems("talk", StepEntry(date(2020, 4, 3)), done)
    assert "1 个月内" in found["note"] and "2020-04-02" in found["note"]
    assert problems("talk", StepEntry(date(2020, 4, 2)), done) == {}
    assert problems("talk", StepEntry(date(2020, 4, 3), note="申请人外出务工，返乡后谈话"), done) == {}


def test_a_candidate_needs_a_full_year_as_activist():
    done = done_until("candidate")
    activist = done["activist"]
    early = rules.add_months(activist, 12) - timedelta(days=1)
    done = {c: min(d, early) for c, d in done.items()}
    found = problems("candidate", StepEntry(early), done)
    assert (
        "满 12 个月" in found["done_on"] and f"{rules.add_months(activist, 12):%Y-%m-%d}" in found["done_on"]
    )
    assert problems("candidate", StepEntry(rules.add_months(activist, 12)), done) == {}


def test_two_people_are_needed_and_they_must_differ():
    done = done_until("contacts")
    day = max(done.values())
    assert "两名" in problems("contacts", StepEntry(day, people=("王建国", "")), done)["people"]
    assert "两名" in problems("contacts", StepEntry(day, people=("王建国", " 王建国")), done)["people"]
    assert problems("contacts", StepEntry(day, people=("王建国", "李秀英")), done) == {}


def test_training_needs_three_days_or_24_hours():
    done = done_until("training")
    day = max(done.values())
    short = problems("training", StepEntry(day, until=day + timedelta(days=1), hours=16), done)
    assert "3 天或 24 学时" in short["hours"] and "共 2 天、16 学时" in short["hours"]
    assert problems("training", StepEntry(day, until=day + timedelta(days=1), hours=24), done) == {}
    assert problems("training", StepEntry(day, until=day + timedelta(days=2), hours=0), done) == {}
    assert "结束日期" in problems("training", StepEntry(day), done)["until"]


def test_publicity_needs_five_working_days():
    done = done_until("publicity")
    monday = max(done.values()) + timedelta(days=7 - max(done.values()).weekday())
    found = problems("publicity", StepEntry(monday, until=monday + timedelta(days=6)), {**done})
    assert found == {}
    found = problems(
        "publicity", StepEntry(monday + timedelta(days=2), until=monday + timedelta(days=7)), done
    )
    assert "仅 4 个工作日" in found["until"]


def test_approval_later_than_three_months_after_the_branch_meeting_is_refused_even_with_a_reason():
    done = done_until("approval")
    late = rules.add_months(done["admission"], 3) + timedelta(days=1)
    found = problems("approval", StepEntry(late, note="会议推迟"), done)
    assert "3 个月内" in found["done_on"] and "不能补录" in found["done_on"]


def test_conversion_waits_a_year_of_probation():
    done = done_until("conversion_meeting")
    admitted = done["admission"]
    early = rules.add_months(admitted, 12) - timedelta(days=1)
    done = {c: min(d, early) for c, d in done.items()}
    assert "满 12 个月" in problems("conversion_meeting", StepEntry(early), done)["done_on"]


def test_a_future_date_and_a_date_before_the_last_step_are_refused():
    done = {"apply": date(2020, 3, 2)}
    assert "晚于今天" in problems("talk", StepEntry(TODAY + timedelta(days=1)), done)["done_on"]
    assert "早于上一步" in problems("talk", StepEntry(date(2020, 3, 1)), done)["done_on"]


@given(days, st.integers(min_value=0, max_value=400))
def test_add_months_keeps_the_day_or_ends_the_month(day, months):
    later = rules.add_months(day, months)
    assert (later.year - day.year) * 12 + later.month - day.month == months
    assert later.day == day.day or (later.day < day.day and (later + timedelta(days=1)).day == 1)


@given(days, st.integers(min_value=0, max_value=60))
def test_working_days_count_the_weekdays(start, span):
    end = start + timedelta(days=span)
    assert rules.working_days(start, end) == sum(
        (start + timedelta(days=i)).weekday() < 5 for i in range(span + 1)
    )


@given(days, days, st.one_of(st.none(), days), st.booleans())
def test_status_on_a_day_is_nothing_before_joining_and_after_leaving(joined, day, left, probationary):
    status = rules.status_on(
        day, joined_on=joined, full_member_on=None, probationary_now=probationary, left_on=left
    )
    if day < joined or (left is not None and left <= day):
        assert status == ""
    else:
        assert status == (rules.PROBATIONARY if probationary else rules.FULL)


def test_status_follows_the_conversion_date():
    joined = date(2020, 5, 1)
    full = rules.full_member_on(joined)
    kwargs = {"joined_on": joined, "full_member_on": full, "probationary_now": False, "left_on": None}
    assert rules.status_on(full - timedelta(days=1), **kwargs) == rules.PROBATIONARY
    assert rules.status_on(full, **kwargs) == rules.FULL


def test_a_deadline_is_soon_within_14_days_and_overdue_after():
    today = date(2026, 3, 1)
    assert rules.deadline_state(None, today) == ""
    assert rules.deadline_state(today + timedelta(days=15), today) == ""
    assert rules.deadline_state(today + timedelta(days=14), today) == "soon"
    assert rules.deadline_state(today - timedelta(days=1), today) == "overdue"
