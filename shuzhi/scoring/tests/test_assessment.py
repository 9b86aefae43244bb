import io
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from shuzhi.core.models import AuditEvent
from shuzhi.core.roles import Role
from shuzhi.cycles.models import Cycle
from shuzhi.orgs.models import Organization
from shuzhi.scoring.models import Assessment, ComponentScore, Result
from shuzhi.scoring.services import (
    adjustment_add,
    assessment_compute,
    assessment_finalise,
    assessment_publish,
    component_score_set,
    component_scores_set,
    objection_answer,
    objection_raise,
    result_amend,
    seal_intact,
    veto_record,
)
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.meetings import tallied_cycle

pytestmark = pytest.mark.django_db


def _scores(cast, cycle, daily=("95", "85", "80"), tasks=("90", "85", "80")):
    for reporter, d, t in zip(cycle.reporters.order_by("mode", "position"), daily, tasks, strict=True):
        component_score_set(actor=cast.county_organiser, reporter=reporter, component="日常考核", score=d)
        component_score_set(actor=cast.county_organiser, reporter=reporter, component="重点任务", score=t)


def test_the_assessment_is_computed_from_the_tally_and_the_entered_scores_and_explained(cast):
    cycle, meeting = tallied_cycle(cast)
    _scores(cast, cycle)
    first = cycle.reporters.get(pk=meeting.agenda[0])
    adjustment_add(
        actor=cast.county_organiser, reporter=first, points=Decimal("-1.5"), reason="信息报送迟报一次"
    )
    assessment = assessment_compute(actor=cast.county_organiser, cycle=cycle)
    result = Result.objects.get(assessment=assessment, reporter=first)
    # 区委常委 counts under the scheme's 党委常委 (50), 党员群众代表 under "其他" (50); all 好 → 100
    # 0.4 × 100 + 0.4 × 95 + 0.2 × 90 = 96; − 1.5 = 94.5
    assert result.score == Decimal("94.50") and result.grade_by_score == "好"
    x = result.explanation
    assert x["ballot_grade_score"] == "100.00" and x["base"] == "96.00" and x["deduction"] == "1.50"
    assert x["sources"]["entered"]["日常考核"]["by"] == cast.county_organiser.full_name
    assert x["sources"]["adjustments"][0]["reason"] == "信息报送迟报一次"
    assert assessment.scheme == cycle.scheme and len(assessment.scheme_hash) == 64
    # the others: committee 一般 (70) weighs 50, members 较好 (85) weigh 50 → 77.5
    others = Result.objects.filter(assessment=assessment).exclude(reporter=first)
    assert {r.explanation["ballot_grade_score"] for r in others} == {"77.50"}


def test_a_quota_keeps_the_group_within_its_share_of_good(cast):
    cycle, _meeting = tallied_cycle(cast)
    _scores(cast, cycle, daily=("100", "100", "100"), tasks=("100", "100", "100"))
    Cycle.objects.filter(pk=cycle.pk).update(
        scheme={**cycle.scheme, "good_quota_percent": 34, "thresholds": {"好": 80, "较好": 75, "一般": 60}}
    )
    cycle.refresh_from_db()
    results = list(assessment_compute(actor=cast.county_organiser, cycle=cycle).results.order_by("rank"))
    assert [r.grade for r in results] == ["好", "较好", "较好"]  # 3 × 34 // 100 = 1
    assert [r.quota_cut for r in results] == [False, True, True]


def test_a_veto_wins_over_the_score(cast):
    cycle, meeting = tallied_cycle(cast)
    _scores(cast, cycle)
    first = cycle.reporters.get(pk=meeting.agenda[0])
    with pytest.raises(ValidationError):
        veto_record(actor=cast.county_organiser, reporter=first, veto="不在方案里的情形", note="x")
    veto_record(actor=cast.county_organiser, reporter=first, veto="年度内受到问责", note="东纪发〔2026〕3号")
    result = Result.objects.get(
        assessment=assessment_compute(actor=cast.county_organiser, cycle=cycle), reporter=first
    )
    assert result.grade == "差" and result.vetoes == ["年度内受到问责"] and result.grade_by_score == "好"


def test_publication_objections_finality_seal_and_amendment(cast):
    cycle, _meeting = tallied_cycle(cast)
    _scores(cast, cycle)
    assessment_compute(actor=cast.county_organiser, cycle=cycle)
    assessment = assessment_publish(actor=cast.county_organiser, cycle=cycle, objection_days=5)
    assert (
        Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.PUBLISHED and assessment.status == "published"
    )
    with pytest.raises(ValidationError):  # published: scores are fixed
        component_score_set(
            actor=cast.county_organiser, reporter=cycle.reporters.first(), component="日常考核", score="60"
        )
    result = Result.objects.get(assessment=assessment, reporter__organization=cast.township_a)
    objection = objection_raise(actor=cast.township_secretary, result=result, text="日常考核得分与台账不符")
    stranger = UserFactory(role=Role.SECRETARY, organization=cast.township_b)
    with pytest.raises(ValidationError):
        objection_raise(actor=stranger, result=result, text="冒名异议")
    with pytest.raises(ValidationError) as error:
        assessment_finalise(actor=cast.county_organiser, cycle=cycle)
    assert "1 条异议没有答复" in error.value.messages[0]
    objection_answer(actor=cast.county_organiser, objection=objection, answer="经核对台账，得分无误")
    assessment = assessment_finalise(actor=cast.county_organiser, cycle=cycle)
    assert assessment.status == Assessment.Status.FINAL and seal_intact(assessment)
    Result.objects.filter(pk=result.pk).update(grade="好")  # behind the service's back
    assert not seal_intact(Assessment.objects.get(pk=assessment.pk))
    Result.objects.filter(pk=result.pk).update(grade=result.grade)
    result.refresh_from_db()
    amendment = result_amend(
        actor=cast.county_organiser, result=result, grade="一般", reason="核实后发现漏记问责一次"
    )
    assessment.refresh_from_db()
    assert amendment.before == {"grade": result.explanation["grade"]} and seal_intact(assessment)
    assert AuditEvent.objects.filter(action="assessment.amend").exists()


def _sheet(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("日常考核.xlsx", buffer.getvalue())


def test_scores_import_from_xlsx_refuses_the_whole_file_for_one_bad_row(client, cast):
    cycle, _meeting = tallied_cycle(cast)
    names = list(cycle.reporters.order_by("position").values_list("organization__name", flat=True))
    client.force_login(cast.county_organiser)
    bad = _sheet(
        [
            ["述职单位", "日常考核", "重点任务"],
            [names[0], 92, 88],
            [names[1], 105, 80],
            ["不存在的单位", 80, 80],
        ]
    )
    page = client.post(
        reverse("scoring:import", args=[cycle.pk]), {"file": bad}, follow=True
    ).content.decode()
    assert "第 3 行 B 列（日常考核）“105”：得分应在 0 到 100 之间。" in page
    assert "第 4 行 A 列“不存在的单位”：不是本周期的述职单位。" in page
    assert not ComponentScore.objects.exists()
    good = _sheet([["述职单位", "日常考核", "重点任务"], [names[0], 92, 88], [names[1], 85.5, 80]])
    page = client.post(
        reverse("scoring:import", args=[cycle.pk]), {"file": good}, follow=True
    ).content.decode()
    assert "已导入 4 个得分" in page
    assert ComponentScore.objects.get(
        reporter__organization__name=names[1], component="日常考核"
    ).score == Decimal("85.50")


def test_scores_import_reads_the_sheet_as_the_roster_import_does(client, cast):
    """One reader: a title above the header, a unit code all in digits that Excel keeps as a
    number (1001, not 1001.0), spaces in a header, an empty and a 合计 row."""
    cycle, _meeting = tallied_cycle(cast)
    first, second = cycle.reporters.order_by("position").select_related("organization")[:2]
    Organization.objects.filter(pk=first.organization_id).update(code="1001")
    client.force_login(cast.county_organiser)
    sheet = _sheet(
        [
            ["东湖区年度日常考核得分"],
            [],
            ["述 职 单 位", "日常考核", "重点任务"],
            [1001, 91, 87],
            [],
            [second.organization.name, 85, 80],
            ["合计", 176, 167],
        ]
    )

    page = client.post(
        reverse("scoring:import", args=[cycle.pk]), {"file": sheet}, follow=True
    ).content.decode()

    assert "已导入 4 个得分" in page
    assert ComponentScore.objects.get(reporter=first, component="日常考核").score == Decimal("91.00")


def test_scores_import_refuses_what_the_roster_import_refuses(client, cast):
    cycle, _meeting = tallied_cycle(cast)
    client.force_login(cast.county_organiser)
    locked = SimpleUploadedFile("日常考核.xlsx", b"MZ\x90\x00" + bytes(300))

    page = client.post(
        reverse("scoring:import", args=[cycle.pk]), {"file": locked}, follow=True
    ).content.decode()

    assert "疑似可执行文件" in page
    assert not ComponentScore.objects.exists()


def test_pages_the_organiser_and_the_reporter_see(client, cast):
    cycle, _meeting = tallied_cycle(cast)
    _scores(cast, cycle)
    client.force_login(cast.county_organiser)
    client.post(reverse("scoring:compute", args=[cycle.pk]))
    page = client.get(reverse("scoring:index", args=[cycle.pk])).content.decode()
    assert 'data-testid="results"' in page and cast.township_a.name in page
    result = Result.objects.get(reporter__organization=cast.township_a)
    explain = client.get(reverse("scoring:explain", args=[result.pk])).content.decode()
    assert "各项目加权" in explain and result.explanation["base"] in explain
    client.force_login(cast.township_secretary)  # not published yet: their own result is not shown
    assert client.get(reverse("scoring:explain", args=[result.pk])).status_code == 404
    client.force_login(cast.county_organiser)
    refused = client.post(reverse("scoring:publish", args=[cycle.pk]), {"objection_days": 40}, follow=True)
    assert "公示期" in refused.content.decode() and "30" in refused.content.decode()
    client.force_login(cast.township_secretary)  # a refused publication publishes nothing
    assert client.get(reverse("scoring:explain", args=[result.pk])).status_code == 404
    client.force_login(cast.county_organiser)
    client.post(reverse("scoring:publish", args=[cycle.pk]), {"objection_days": 3})
    client.force_login(cast.township_secretary)
    assert client.get(reverse("scoring:explain", args=[result.pk])).status_code == 200
    other = Result.objects.exclude(pk=result.pk).first()
    assert client.get(reverse("scoring:explain", args=[other.pk])).status_code == 404
    client.force_login(cast.outsider)
    assert client.get(reverse("scoring:index", args=[cycle.pk])).status_code == 404
    client.force_login(cast.city_organiser)
    assert client.get(reverse("scoring:index", args=[cycle.pk])).status_code == 200
    assert client.post(reverse("scoring:finalise", args=[cycle.pk])).status_code == 403
    assert client.get(reverse("scoring:compute", args=[cycle.pk])).status_code == 405


def test_a_component_and_a_veto_come_from_the_platforms_facts_with_their_evidence(client, cast):
    from shuzhi.rectification.models import Item
    from shuzhi.rectification.services import accountability_record

    cycle, meeting = tallied_cycle(cast)
    scheme = {**cycle.scheme}
    scheme["components"] = [
        {"name": "现场测评", "weight": 40, "source": "ballots"},
        {"name": "日常考核", "weight": 40, "source": "fact", "fact": "rectification.on_time_rate"},
        {"name": "重点任务", "weight": 20, "source": "entered"},
    ]
    scheme["vetoes"] = {
        "年度内受到问责": {"effect": "cap", "grade": "一般", "fact": "rectification.accountability"}
    }
    Cycle.objects.filter(pk=cycle.pk).update(scheme=scheme)
    cycle.refresh_from_db()
    first = cycle.reporters.get(pk=meeting.agenda[0])
    unit = first.organization
    for deadline, closed in (
        (date(cycle.year, 3, 1), date(cycle.year, 2, 27)),
        (date(cycle.year, 6, 1), None),
    ):
        Item.objects.create(cycle=cycle, organization=unit, org_path=unit.path, title="问题", deadline=deadline,
                            status=Item.Status.CLOSED if closed else Item.Status.OVERDUE,
                            closed_at=timezone.make_aware(datetime.combine(closed, time())) if closed else None)  # fmt: skip
    accountability_record(actor=cast.county_organiser, organization=unit, kind="talk", person="赵六",
                          on=date(cycle.year, 4, 1), reason="组织生活不正常")  # fmt: skip
    for reporter in cycle.reporters.all():
        component_score_set(actor=cast.county_organiser, reporter=reporter, component="重点任务", score="90")
    with pytest.raises(ValidationError):  # the facts' component is not entered by hand
        component_score_set(actor=cast.county_organiser, reporter=first, component="日常考核", score="90")
    assessment = assessment_compute(actor=cast.county_organiser, cycle=cycle)
    result = Result.objects.get(assessment=assessment, reporter=first)
    # ballots all 好 → 100; on time 1 of 2 → 50; 0.4 × 100 + 0.4 × 50 + 0.2 × 90 = 78, 一般 by score,
    # and the veto caps it at 一般 too
    assert result.score == Decimal("78.00") and result.vetoes == ["年度内受到问责"] and result.grade == "一般"
    fact = result.explanation["sources"]["facts"]["日常考核"]
    assert fact["value"] == "50.00" and [e["value"] for e in fact["evidence"]] == ["2", "1"]
    # the others have no item due: the component is missing and the rest re-weighted
    other = Result.objects.filter(assessment=assessment).exclude(reporter=first).first()
    assert other.explanation["components"][1]["score"] is None and other.vetoes == []

    client.force_login(cast.county_organiser)
    page = client.get(reverse("scoring:explain", args=[result.pk])).content.decode()
    assert "平台数据依据" in page and "整改按期完成率" in page and "赵六" in page
    assert 'href="/rectification/accountability/"' in page
    index = client.get(reverse("scoring:index", args=[cycle.pk])).content.decode()
    assert "日常考核”← 整改按期完成率" in index


def test_a_scheme_naming_an_unknown_fact_source_is_refused_with_a_reason():
    from shuzhi.cycles.rules import default_scheme, parse_components, parse_vetoes, scheme_problems

    scheme = default_scheme()
    scheme["components"][1] = {"name": "日常考核", "weight": 40, "source": "fact", "fact": "nowhere.nothing"}
    assert any("nowhere.nothing" in p for p in scheme_problems(scheme))
    scheme["components"][1] = {
        "name": "日常考核",
        "weight": 40,
        "source": "fact",
        "fact": "rectification.accountability",
    }
    assert any("不能用于计分" in p for p in scheme_problems(scheme))  # a condition is not a score
    components, problems = parse_components(
        "现场测评 40\n日常考核 40 整改按期完成率\n重点任务 20 没有这个来源"
    )
    assert components[1] == {
        "name": "日常考核",
        "weight": 40,
        "source": "fact",
        "fact": "rectification.on_time_rate",
    }
    assert problems and "第 3 行" in problems[0] and "整改按期完成率" in problems[0]
    vetoes, problems = parse_vetoes(
        "年度内受到问责 差 来源 年度内受到问责\n整改不力 封顶 一般 来源 整改按期完成率 低于 60"
    )
    assert not problems
    assert vetoes["整改不力"] == {
        "effect": "cap",
        "grade": "一般",
        "fact": "rectification.on_time_rate",
        "below": 60,
    }
    assert scheme_problems(default_scheme() | {"vetoes": vetoes}) == []


def test_a_reporters_entered_scores_are_saved_all_or_none(cast):
    cycle, meeting = tallied_cycle(cast)
    reporter = cycle.reporters.get(pk=meeting.agenda[0])
    with pytest.raises(ValidationError):
        component_scores_set(
            actor=cast.county_organiser,
            reporter=reporter,
            scores={"日常考核": Decimal("88"), "重点任务": "一百"},
        )
    assert not ComponentScore.objects.filter(reporter=reporter).exists()
    assert not AuditEvent.objects.filter(action="score.set").exists()
    changed = component_scores_set(
        actor=cast.county_organiser, reporter=reporter, scores={"日常考核": Decimal("88"), "重点任务": None}
    )
    assert changed == 1 and dict(ComponentScore.objects.values_list("component", "score")) == {"日常考核": 88}
    # the same form again changes nothing
    assert (
        component_scores_set(
            actor=cast.county_organiser, reporter=reporter, scores={"日常考核": Decimal("88")}
        )
        == 0
    )
