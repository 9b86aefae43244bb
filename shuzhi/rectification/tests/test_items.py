from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shuzhi.core.models import Notification
from shuzhi.core.roles import Role
from shuzhi.rectification import rules
from shuzhi.rectification.models import Accountability, Item, ItemEvent
from shuzhi.rectification.services import (
    accountability_record,
    item_plan,
    item_reopen,
    item_split,
    items_generate,
    items_mark_overdue,
    milestone_add,
    plan_confirm,
    sign_off,
    sign_off_refuse,
    signoff_request,
)
from shuzhi.reports.models import ReportItem
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.rectification import PROBLEMS, published_cycle

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")  # fmt: skip


@pytest.fixture
def cycle(cast):
    return published_cycle(cast)


def _township_items(cast):
    return Item.objects.filter(organization=cast.township_a).order_by("id")


def test_items_are_generated_from_problems_and_comments_once(cast, cycle):
    assert items_generate(actor=cast.county_organiser, cycle=cycle) == 3
    titles = list(_township_items(cast).values_list("title", "source"))
    assert titles == [
        (PROBLEMS[0], "problem"),
        (PROBLEMS[1], "problem"),
        ("软弱涣散村整顿进度偏慢", "comment"),
    ]
    assert items_generate(actor=cast.county_organiser, cycle=cycle) == 0
    assert Notification.objects.filter(
        recipient=cast.township_secretary, text__contains="整改事项已下达"
    ).exists()
    with pytest.raises(ValidationError):
        items_generate(actor=cast.city_organiser, cycle=cycle)


def test_the_unit_plans_and_confirms_then_works_and_asks_and_only_the_level_above_signs_off(cast, cycle):
    items_generate(actor=cast.county_organiser, cycle=cycle)
    secretary, organiser = cast.township_secretary, cast.county_organiser
    with pytest.raises(ValidationError) as error:
        plan_confirm(actor=secretary, cycle=cycle)
    assert "还没有填写整改措施或责任人" in error.value.messages[0]
    for item in _township_items(cast):
        item_plan(
            actor=secretary,
            item=item,
            measures="建立村级后备干部库",
            responsible="李秀英",
            deadline=item.deadline,
        )
    assert plan_confirm(actor=secretary, cycle=cycle) == 3
    item = _township_items(cast).first()
    assert (item.status, item.progress) == (Item.Status.IN_PROGRESS, 50)
    with pytest.raises(ValidationError) as error:
        signoff_request(actor=secretary, item=item)
    assert error.value.code == "no_milestone"
    milestone_add(actor=secretary, item=item, on=timezone.localdate(), text="已建立后备干部库，入库 36 人",
                  files=[SimpleUploadedFile("现场.png", PNG)])  # fmt: skip
    item = signoff_request(actor=secretary, item=item)
    assert (item.status, item.progress) == (Item.Status.AWAITING, 90)
    with pytest.raises(ValidationError) as error:
        sign_off(actor=secretary, item=item)  # the unit itself never signs off
    assert "整改单位不能为自己的事项销号" in error.value.messages[0]
    other_unit = UserFactory(role=Role.ORGANISER, organization=cast.township_a)
    with pytest.raises(ValidationError):
        sign_off(actor=other_unit, item=item)  # an organiser of the unit's own level is not above it
    item = sign_off_refuse(actor=organiser, item=item, reason="佐证材料缺少入库名单")
    assert item.status == Item.Status.RETURNED
    assert Notification.objects.filter(recipient=secretary, text__contains="佐证材料缺少入库名单").exists()
    milestone_add(actor=secretary, item=item, on=timezone.localdate(), text="补充入库名单")
    item = signoff_request(actor=secretary, item=Item.objects.get(pk=item.pk))
    item = sign_off(actor=cast.city_organiser, item=item)  # two levels up is above too
    assert (item.status, item.progress) == (Item.Status.CLOSED, 100) and item.closed_at
    with pytest.raises(ValidationError):
        item_reopen(actor=organiser, item=item, reason="")
    item = item_reopen(actor=organiser, item=item, reason="回访发现仍有 2 个村未落实")
    assert item.status == Item.Status.IN_PROGRESS
    actions = list(ItemEvent.objects.filter(item=item).values_list("action", flat=True))
    assert actions == [
        "generate",
        "plan",
        "start",
        "milestone",
        "request",
        "refuse",
        "milestone",
        "start",
        "request",
        "sign_off",
        "reopen",
    ]


def test_children_roll_up_into_their_parent_by_weight(cast, cycle):
    items_generate(actor=cast.county_organiser, cycle=cycle)
    secretary = cast.township_secretary
    parent = _township_items(cast).first()
    first = item_split(actor=secretary, parent=parent, title="摸底排查", deadline=parent.deadline, weight=1)
    second = item_split(
        actor=cast.county_organiser, parent=parent, title="集中培训", deadline=parent.deadline, weight=3
    )
    milestone_add(actor=secretary, item=first, on=timezone.localdate(), text="完成摸底")  # first: 整改中, 50
    parent.refresh_from_db()
    assert parent.progress == (50 * 1 + 0 * 3) // 4 == 12
    milestone_add(actor=secretary, item=second, on=timezone.localdate(), text="培训 2 期")
    signoff_request(actor=secretary, item=Item.objects.get(pk=second.pk))  # second: 待审核, 90
    parent.refresh_from_db()
    assert parent.progress == (50 + 90 * 3) // 4 == 80
    milestone_add(actor=secretary, item=parent, on=timezone.localdate(), text="总体推进")
    with pytest.raises(ValidationError) as error:
        signoff_request(actor=secretary, item=Item.objects.get(pk=parent.pk))
    assert error.value.code == "children_open"


def test_roll_up_and_progress_rules():
    assert rules.rolled_up([(100, 1), (100, 1)]) == 100
    assert rules.rolled_up([(100, 2), (90, 1)]) == 96  # never 100 until every child is done
    assert rules.rolled_up([]) == 0
    assert rules.progress("overdue", started=False) == 0 and rules.progress("overdue", started=True) == 50
    assert rules.quarter_of(date(2026, 11, 23)) == "2026Q4"


def test_the_overdue_job_marks_items_past_their_deadline_with_a_frozen_clock(cast, cycle):
    items_generate(actor=cast.county_organiser, cycle=cycle)
    deadline = _township_items(cast).first().deadline
    with time_machine.travel(
        timezone.make_aware(timezone.datetime.combine(deadline, timezone.datetime.min.time())), tick=False
    ):
        assert items_mark_overdue() == 0
    day_after = deadline + timedelta(days=1)
    assert items_mark_overdue(today=day_after) == 3
    assert set(_township_items(cast).values_list("status", flat=True)) == {"overdue"}
    # one digest of the night's three items, not three messages
    assert Notification.objects.filter(recipient=cast.county_organiser, text__contains="已逾期").count() == 1
    assert items_mark_overdue(today=day_after) == 0  # once
    item = _township_items(cast).first()
    milestone_add(actor=cast.township_secretary, item=item, on=timezone.localdate(), text="开始整改")
    item.refresh_from_db()
    assert item.status == Item.Status.IN_PROGRESS


def test_open_items_are_carried_into_next_years_report(cast, cycle):
    from shuzhi.testing.cycles import county_cycle, township_report

    items_generate(actor=cast.county_organiser, cycle=cycle)
    with time_machine.travel(timezone.now() + timedelta(days=366), tick=False):
        report = township_report(county_cycle(cast, year=cycle.year + 1), cast)
    carried = list(report.items.filter(kind=ReportItem.Kind.CARRIED).values_list("text", "category"))
    assert (f"{PROBLEMS[0]}（整改未开始）", "整改事项") in carried
    assert len([c for c in carried if PROBLEMS[0] in c[0]]) == 1  # the problem comes once, as its item


def test_accountability_is_recorded_in_the_subtree_and_feeds_the_veto_fact(cast, cycle):
    from shuzhi.core import facts

    record = accountability_record(actor=cast.county_organiser, organization=cast.village_a, kind="talk", person="王建国",
                                   on=date(cycle.year, 6, 1), reason="换届工作不力")  # fmt: skip
    assert record.org_path == cast.village_a.path
    with pytest.raises(ValidationError):
        accountability_record(
            actor=cast.outsider,
            organization=cast.village_a,
            kind="talk",
            person="x",
            on=date(cycle.year, 6, 1),
            reason="x",
        )
    subject = facts.Subject(id=cast.township_a.pk, path=cast.township_a.path)
    fact = facts.collect("rectification.accountability", year=cycle.year, subjects=[subject])[subject.id]
    assert fact.holds and "王建国 约谈" in fact.summary
    assert Accountability.objects.count() == 1
