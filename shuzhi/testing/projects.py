"""Helpers for tests of the year's commitments: the county's round with 柳泉镇 declaring through
cast.township_secretary, a declaration filled in (one problem, one duty, one project) and accepted."""

from datetime import date, timedelta

from django.utils import timezone

from shuzhi.core.roles import Role
from shuzhi.cycles.models import Cycle
from shuzhi.projects import rules, services
from shuzhi.projects.models import Declaration, DeclaredItem, Round
from shuzhi.testing.cycles import county_cycle
from shuzhi.testing.factories import UserFactory

GOALS = [{"goal": "建强村级后备力量", "target": "每村储备后备干部2名", "due": "2026-12-31"}]
MILESTONES = ["摸排后备人选", "集中培训一期", "到村岗位锻炼", "考察评估入库"]


def county_round(cast, *, year: int | None = None, declare_due: date | None = None) -> Round:
    """The county's round for the year: its units are the reporters of the county's cycle."""
    today = timezone.localdate()
    year = year or today.year
    if not Cycle.objects.filter(organization=cast.county_a, year=year).exists():
        county_cycle(cast, year=year, open_reports=False)
    declare_due = declare_due or today + timedelta(days=10)
    return services.round_open(
        actor=cast.county_organiser,
        year=year,
        title=f"东湖区{year}年度书记抓基层党建项目",
        declare_due=declare_due,
        quarter_dues=[declare_due + timedelta(days=30 * q) for q in (1, 2, 3, 4)],
        scheme=rules.DEFAULT_SCHEME,
    )


def township_declaration(round_: Round, cast) -> Declaration:
    return round_.declarations.get(organization=cast.township_a)


def fill(declaration: Declaration, cast, *, title: str = "村级后备干部“育苗”工程"):
    """One problem, one duty and one project: enough to submit."""
    actor = cast.township_secretary
    problem = services.item_add(
        actor=actor,
        declaration=declaration,
        kind=DeclaredItem.Kind.PROBLEM,
        text="村级后备干部储备不足",
        category="党员队伍",
        evidence="谈心谈话 32 人次",
    )
    services.item_add(
        actor=actor,
        declaration=declaration,
        kind=DeclaredItem.Kind.DUTY,
        text="落实村党组织书记星级评定",
        target="年内评定覆盖率100%",
        owner="组织委员",
        due=date(declaration.round.year, 12, 31),
    )
    goals = [dict(g, due=f"{declaration.round.year}-12-31") for g in GOALS]
    return services.project_save(
        actor=actor, declaration=declaration, title=title, problem=problem, goals=goals, milestones=MILESTONES
    )


def accepted(cast, **kwargs):
    """The round with 柳泉镇's declaration filled in, submitted and accepted; returns (round, project)."""
    round_ = county_round(cast, **kwargs)
    declaration = township_declaration(round_, cast)
    project = fill(declaration, cast)
    services.declaration_submit(actor=cast.township_secretary, declaration=declaration)
    services.declaration_accept(actor=cast.county_organiser, declaration=declaration)
    project.refresh_from_db()
    return round_, project


def supervisor(org):
    return UserFactory(role=Role.SUPERVISOR, organization=org)
