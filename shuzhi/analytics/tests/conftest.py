"""Two counties' reports, one with a passage copied from the other's (in traditional characters,
as pasted from a website), for the services, pages and search of analytics."""

from dataclasses import dataclass
from datetime import timedelta

import opencc
import pytest
from django.utils import timezone

from shuzhi.core.roles import Role
from shuzhi.cycles.services import cycle_advance, cycle_create, reporters_add
from shuzhi.reports.models import Report
from shuzhi.reports.services import report_save
from shuzhi.testing.cycles import county_cycle, township_report
from shuzhi.testing.factories import UserFactory

# the source: what 大庙镇 wrote (after seed 001's pattern)
SOURCE = (
    "今年以来，镇党委坚持带着问题学、针对问题改，把村级后备干部队伍建设作为基础工程来抓，"
    "全镇14个村每村储备后备干部不少于3名，建立“一人一档”培养台账，"
    "由镇领导班子成员一对一结对帮带，全年选派22名后备干部到镇直部门跟班学习，"
    "其中6人已进入村“两委”班子，村干部队伍年龄结构明显改善。"
)
OWN_A = "柳泉镇党委全年专题研究党建工作6次，新建党群服务中心4个，发展党员42名。"
OWN_A_END = "下一步，我们将继续抓好软弱涣散村党组织整顿，确保年底前全部转化。"
OWN_B = "大庙镇党委书记带头讲党课3次，走访村（社区）党组织28个。"
PROBLEMS = "一是思想认识不到位，学习不够深入；二是创新意识不强。"


@dataclass
class Copied:
    cycle_a: object
    cycle_b: object
    report_a: Report  # 柳泉镇 (county_a), copied SOURCE in traditional characters
    report_b: Report  # 大庙镇 (county_b), wrote SOURCE
    secretary_b: object
    copied: str  # the passage as it stands in report_a


def traditional(text: str) -> str:
    return opencc.OpenCC("s2t").convert(text)


def county_b_cycle(cast, secretary_b, *, year: int | None = None):
    today = timezone.localdate()
    year = year or today.year
    cycle = cycle_create(
        actor=cast.outsider,
        year=year,
        title=f"西山区{year}年度抓基层党建工作述职评议考核",
        groups=["乡镇街道"],
        report_due=today + timedelta(days=10),
        meeting_on=today + timedelta(days=15),
    )
    reporters_add(
        actor=cast.outsider, cycle=cycle, organizations=[cast.township_b], group="乡镇街道", mode="onsite"
    )
    return cycle_advance(actor=cast.outsider, cycle=cycle)


@pytest.fixture
def secretary_b(cast):
    return UserFactory(
        username="damiao_sec", full_name="赵大庙", role=Role.SECRETARY, organization=cast.township_b
    )


@pytest.fixture
def copied(cast, secretary_b) -> Copied:
    cycle_a = county_cycle(cast)
    cycle_b = county_b_cycle(cast, secretary_b)
    report_b = Report.objects.get(reporter__cycle=cycle_b)
    report_b = report_save(actor=secretary_b, report=report_b, sections={"achievements": OWN_B + SOURCE})
    copy = traditional(SOURCE).replace("，", ",")
    report_a = report_save(
        actor=cast.township_secretary,
        report=township_report(cycle_a, cast),
        sections={"achievements": OWN_A + copy + OWN_A_END, "problems": PROBLEMS},
    )
    return Copied(cycle_a, cycle_b, report_a, report_b, secretary_b, copy)
