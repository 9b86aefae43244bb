"""Helpers for tests of cycles and reports: a county cycle with the township as reporter, and a
report filled in enough to be submitted."""

from datetime import date, timedelta

from django.utils import timezone

from shuzhi.cycles.models import Cycle
from shuzhi.cycles.services import cycle_advance, cycle_create, reporters_add
from shuzhi.reports.documents import SECTIONS
from shuzhi.reports.models import Report, ReportItem
from shuzhi.reports.services import report_item_add, report_save


def county_cycle(
    cast, *, year: int | None = None, open_reports: bool = True, due: date | None = None
) -> Cycle:
    """The county's cycle (run by cast.county_organiser) with 柳泉镇 reporting through
    cast.township_secretary."""
    today = timezone.localdate()
    year = year or today.year
    due = due or today + timedelta(days=10)
    cycle = cycle_create(
        actor=cast.county_organiser,
        year=year,
        title=f"东湖区{year}年度抓基层党建工作述职评议考核",
        groups=["乡镇街道", "区直机关"],
        report_due=due,
        meeting_on=due + timedelta(days=5),
    )
    reporters_add(
        actor=cast.county_organiser,
        cycle=cycle,
        organizations=[cast.township_a],
        group="乡镇街道",
        mode="onsite",
    )
    if open_reports:
        cycle = cycle_advance(actor=cast.county_organiser, cycle=cycle)
    return cycle


def township_report(cycle: Cycle, cast) -> Report:
    return Report.objects.get(reporter__cycle=cycle, reporter__organization=cast.township_a)


SECTION_TEXT = {
    "duty": "坚持把抓基层党建作为最大政绩，全年专题研究党建工作6次。",
    "personal": "带头讲党课3次，走访村（社区）党组织28个。",
    "achievements": "新建党群服务中心4个，软弱涣散村党组织整顿转化3个，发展党员42名。",
    "problems": "一是抓党建的精力投入不够均衡；二是村级后备干部储备不足。",
    "causes": "主体责任意识还需增强，统筹谋划不够。",
    "measures": "建立书记抓党建项目清单，每季度调度一次。",
    "last_year": "上年问题已逐项整改。",
    "discipline": "严格执行民主集中制，重大事项集体研究决定。",
}


def fill(report: Report, user) -> Report:
    """Write every section and one problem, so that the report may be submitted."""
    report = report_save(actor=user, report=report, sections={key: SECTION_TEXT[key] for key, _h in SECTIONS})
    report_item_add(
        actor=user,
        report=report,
        kind=ReportItem.Kind.PROBLEM,
        text="村级后备干部储备不足",
        category="队伍建设",
        severity="moderate",
    )
    return Report.objects.get(pk=report.pk)
