"""What each role must do next, as cards of counts that link to the lists behind them.

Why an app at the top of the layers rather than cards registered by each area through a hook in
core: the page is a composition, and its parts depend on one another. The organiser's cycle is
read once and its meeting, its assessment and its objections follow from it; the projects round
and the weak-organisation list are of the same organisation and year. With a hook each area
would look the cycle up again and the page would cost a query per area per card, with no place
to say in what order a person should act. Here every figure still comes from its area's own
selector (scoped there, to the user's subtree or their own unit), and this module only chooses,
orders and links them. Nothing below imports it; `config/urls.py` serves it at "/".

Each role costs a small fixed number of queries whatever the size of the tree
(`tests/test_home.py` pins them).
"""

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.accounts import selectors as accounts
from shuzhi.ballots import selectors as ballots
from shuzhi.core.roles import Role
from shuzhi.core.selectors import audit_events_visible_to
from shuzhi.cycles import selectors as cycles
from shuzhi.cycles.models import Cycle
from shuzhi.lifecycle import selectors as lifecycle
from shuzhi.projects import selectors as projects
from shuzhi.records import selectors as records
from shuzhi.rectification import rules as rectification_rules
from shuzhi.rectification import selectors as rectification
from shuzhi.reports import selectors as reports
from shuzhi.scoring import selectors as scoring
from shuzhi.scoring.models import Assessment
from shuzhi.weakorgs import selectors as weakorgs

MEETINGS_LISTED = 5


@dataclass
class Line:
    """One figure (or a state in words) and the list behind it."""

    label: str
    value: object
    url: str = ""
    tone: str = ""  # "danger" when someone is late, "warning" when something waits, "" otherwise
    testid: str = ""


@dataclass
class Card:
    title: str
    lines: list[Line] = field(default_factory=list)
    note: str = ""
    url: str = ""  # the card's own page
    testid: str = ""


def cards_for(user) -> list[Card]:
    """The signed-in person's cards, most pressing first."""
    today = timezone.localdate()
    builder = {
        Role.ORGANISER: _organiser,
        Role.SECRETARY: _secretary,
        Role.REVIEWER: _reviewer,
        Role.SUPERVISOR: _supervisor,
        Role.MEMBER: _member,
        Role.CLERK: _clerk,
        Role.SYSTEM_ADMIN: _sysadmin,
        Role.SECURITY_ADMIN: _secadmin,
        Role.AUDITOR: _auditor,
    }.get(user.role)
    cards = builder(user, today) if builder else []
    return [*cards, _inbox(user)]


def _inbox(user) -> Card:
    unread = user.unread_notifications  # kept on the account by core's notify, no query
    return Card(
        title=_("消息"),
        lines=[
            Line(_("未读消息"), unread, reverse("core:notifications"), "warning" if unread else "", "unread")
        ],
        testid="card-inbox",
    )


# --- 组织部 -----------------------------------------------------------------------------------


def _organiser(user, today: date) -> list[Card]:
    org = user.organization
    cycle = cycles.latest_cycle_of(org)
    cards = [_cycle_card(cycle, today)]
    if cycle is not None:
        cards.append(_meeting_card(cycle))
        cards.append(_results_card(cycle))
    cards.append(_follow_up_card(user, org, today))
    return cards


def _cycle_card(cycle: Cycle | None, today: date) -> Card:
    if cycle is None:
        return Card(
            title=_("述职评议"),
            note=_("本单位还没有述职评议周期。"),
            lines=[
                Line(_("按上级下发的模板新建"), "→", reverse("cycles:templates"), testid="cycle-templates"),
                Line(_("新建周期"), "→", reverse("cycles:create"), testid="cycle-create"),
            ],
            testid="card-cycle",
        )
    summary = cycles.cycle_summary(cycle=cycle)
    detail = reverse("cycles:detail", args=[cycle.pk])
    handed_in = summary["by_status"]["submitted"] + summary["by_status"]["accepted"]
    return Card(
        title=_("%(year)d 年度述职评议 · %(stage)s") % {"year": cycle.year, "stage": cycle.get_status_display()},
        note=_("报告截止 %(due)s，评议会议 %(on)s")
        % {"due": cycle.report_due.isoformat(), "on": cycle.meeting_on.isoformat()},
        url=detail,
        lines=[
            Line(_("述职单位"), summary["total"], detail, testid="reporters"),
            Line(_("报告已提交（含已通过）"), handed_in, detail, testid="submitted"),
            Line(_("待审核"), summary["by_status"]["submitted"], f"{detail}?status=submitted",
                 "warning" if summary["by_status"]["submitted"] else "", "to-review"),
            Line(_("逾期未交"), summary["late"], f"{detail}?late=on", "danger" if summary["late"] else "", "late"),
        ],
        testid="card-cycle",
    )  # fmt: skip


def _meeting_card(cycle: Cycle) -> Card:
    meeting = getattr(cycle, "meeting", None)
    if meeting is None:
        # a meeting is arranged once reports are open (as on the cycle page)
        may_arrange = cycle.status in (Cycle.Status.REPORTS_OPEN, Cycle.Status.MEETING)
        create = reverse("ballots:meeting_create", args=[cycle.pk])
        return Card(
            title=_("评议会议"),
            note=_("还没有安排评议会议。"),
            lines=[Line(_("安排会议"), "→", create, testid="meeting-create")] if may_arrange else [],
            testid="card-meeting",
        )
    url = reverse("ballots:meeting", args=[meeting.pk])
    return Card(
        title=_("评议会议"),
        note=_("%(title)s · %(on)s") % {"title": meeting.title, "on": meeting.held_on.isoformat()},
        url=url,
        lines=[Line(_("会议状态"), meeting.get_status_display(), url, testid="meeting-status")],
        testid="card-meeting",
    )


def _results_card(cycle: Cycle) -> Card:
    assessment = getattr(cycle, "assessment", None)
    url = reverse("scoring:index", args=[cycle.pk])
    if assessment is None:
        state, tone = (
            (_("待测算"), "warning") if cycle.status == Cycle.Status.ASSESSING else (_("未测算"), "")
        )
        return Card(title=_("考核结果"), url=url, lines=[Line(_("结果"), state, url, tone, "results")],
                    testid="card-results")  # fmt: skip
    to_publish = assessment.status == Assessment.Status.COMPUTED
    waiting = scoring.objections_waiting(cycle) if assessment.status == Assessment.Status.PUBLISHED else 0
    return Card(
        title=_("考核结果"),
        url=url,
        lines=[
            Line(_("结果"), _("待公布") if to_publish else assessment.get_status_display(), url,
                 "warning" if to_publish else "", "results"),
            Line(_("待答复异议"), waiting, url, "warning" if waiting else "", "objections"),
        ],
        testid="card-results",
    )  # fmt: skip


def _follow_up_card(user, org, today: date) -> Card:
    """What follows the year: overdue rectification, late declarations and progress reports, weak
    organisations without a plan, 发展党员 steps due."""
    overdue = rectification.overdue_counts(viewer=user)
    lines = [
        Line(_("整改逾期"), overdue, f"{reverse('rectification:board')}?status=overdue",
             "danger" if overdue else "", "rect-overdue"),
    ]  # fmt: skip
    round_ = projects.latest_round_of(org)
    if round_ is not None:
        late_declarations, late_progress = projects.late_counts(round_, today=today)
        url = reverse("projects:round", args=[round_.pk])
        lines += [
            Line(
                _("项目申报逾期"), late_declarations, url, "danger" if late_declarations else "", "decl-late"
            ),
            Line(_("季度进展逾期"), late_progress, url, "danger" if late_progress else "", "progress-late"),
        ]
    by_year = weakorgs.without_plan_by_year(viewer=user, years=(today.year - 1, today.year))
    no_plan = sum(by_year.values())
    year = max(by_year) if by_year else today.year
    lines.append(
        Line(_("软弱涣散未制定整顿方案"), no_plan, f"{reverse('weakorgs:watchlist')}?year={year}&plan=missing",
             "warning" if no_plan else "", "weak-noplan")
    )  # fmt: skip
    due = lifecycle.due_count(org=org, today=today)
    lines.append(
        Line(_("发展党员环节临近或超期"), due, reverse("lifecycle:board", args=[org.pk]),
             "warning" if due else "", "lifecycle-due")
    )  # fmt: skip
    return Card(title=_("跟踪督办"), lines=lines, testid="card-follow-up")


# --- 书记 -------------------------------------------------------------------------------------


def _secretary(user, today: date) -> list[Card]:
    cards = []
    report = reports.reports_of(secretary=user).first()
    if report is None:
        cards.append(Card(title=_("我的述职"), note=_("目前没有需要撰写的述职报告。"), testid="card-report"))
    else:
        cycle = report.reporter.cycle
        url = reverse("reports:detail", args=[report.pk])
        late = (
            report.status in ("not_started", "draft", "returned")
            and cycle.accepts_reports
            and today > cycle.report_due
        )
        cards.append(Card(
            title=_("我的述职 · %(year)d 年度") % {"year": cycle.year},
            note=cycle.title,
            url=url,
            lines=[
                Line(_("报告状态"), report.get_status_display(), url,
                     "warning" if report.status == "returned" else "", "report-status"),
                Line(_("截止日期"), cycle.report_due.isoformat(), url, "danger" if late else "", "report-due"),
            ],
            testid="card-report",
        ))  # fmt: skip
    result = scoring.published_result_of(user)
    if result is not None:
        url = reverse("scoring:explain", args=[result.pk])
        cards.append(Card(
            title=_("我的考核结果 · %(year)d 年度") % {"year": result.assessment.cycle.year},
            url=url,
            lines=[Line(_("等次"), result.grade, url, testid="my-grade"),
                   Line(_("综合得分"), result.score, url, testid="my-score")],
            testid="card-result",
        ))  # fmt: skip
    summary = rectification.unit_summary(user)
    mine = reverse("rectification:mine")
    next_deadline = summary["next_deadline"]
    cards.append(Card(
        title=_("我的整改"),
        url=mine,
        lines=[
            Line(_("未销号事项"), summary["open"], mine, testid="rect-open"),
            Line(_("逾期"), summary["overdue"], mine, "danger" if summary["overdue"] else "", "rect-overdue"),
            Line(_("最近整改时限"), next_deadline.isoformat() if next_deadline else "—", mine, testid="rect-next"),
        ],
        testid="card-rectification",
    ))  # fmt: skip
    declarations = projects.declarations_mine(user)
    if declarations:
        declaration = declarations[0]
        url = reverse("projects:declaration", args=[declaration.pk])
        due = projects.next_due(declaration.round, today=today)
        cards.append(Card(
            title=_("书记领办项目 · %(year)d 年度") % {"year": declaration.round.year},
            url=url,
            lines=[Line(_("申报状态"), declaration.get_status_display(), url, testid="decl-status"),
                   Line(_("下一个截止日期"), due.isoformat() if due else "—", url, testid="decl-next")],
            testid="card-projects",
        ))  # fmt: skip
    return cards


# --- 评议人, 督查办, 党员, 记录员 ----------------------------------------------------------------


def _reviewer(user, today: date) -> list[Card]:
    meetings = list(ballots.meetings_to_comment(user)[: MEETINGS_LISTED + 1])
    lines = [
        Line(
            m.title, m.held_on.isoformat(), reverse("ballots:comments", args=[m.pk]), testid=f"meeting-{m.pk}"
        )
        for m in meetings[:MEETINGS_LISTED]
    ]
    more = _("还有更多会议，请到述职评议中查看。") if len(meetings) > MEETINGS_LISTED else ""
    note = more or ("" if meetings else _("目前没有待点评的评议会议。"))
    return [Card(title=_("待点评的评议会议"), lines=lines, note=note, url=reverse("cycles:index"),
                 testid="card-comment")]  # fmt: skip


def _supervisor(user, today: date) -> list[Card]:
    quarter = rectification_rules.quarter_of(today)
    unchecked = rectification.units_unchecked(viewer=user, quarter=quarter)
    overdue = rectification.overdue_counts(viewer=user)
    unrated = projects.unrated_progress(user)
    url = f"{reverse('rectification:supervision')}?quarter={quarter}"
    return [Card(
        title=_("季度督查 · %(q)s") % {"q": quarter},
        url=url,
        lines=[
            Line(_("本季度未督查的单位"), unchecked, url, "warning" if unchecked else "", "unchecked"),
            Line(_("整改逾期"), overdue, f"{reverse('rectification:board')}?status=overdue",
                 "danger" if overdue else "", "rect-overdue"),
            Line(_("待评价的项目季度进展"), unrated, reverse("projects:index"), "warning" if unrated else "", "unrated"),
        ],
        testid="card-supervision",
    )]  # fmt: skip


def _member(user, today: date) -> list[Card]:
    attended = (
        records.member_attendance(member_id=user.member_id, year=today.year).count() if user.member_id else 0
    )
    return [Card(
        title=_("我的记实"),
        lines=[
            Line(_("我的档案"), "→", reverse("members:me"), testid="my-record"),
            Line(_("今年参加的组织生活"), attended, reverse("records:mine"), testid="my-meetings"),
        ],
        testid="card-member",
    )]  # fmt: skip


def _clerk(user, today: date) -> list[Card]:
    return [Card(title=_("组织生活记录"), lines=[Line(_("录入三会一课、党费"), "→", reverse("records:index"),
                                                     testid="records")], testid="card-clerk")]  # fmt: skip


# --- 三员 -------------------------------------------------------------------------------------


def _sysadmin(user, today: date) -> list[Card]:
    users = accounts.users_visible_to(user).count()
    url = reverse("accounts:user_list")
    return [Card(title=_("账号管理"), note=_("创建账号、分配角色、重置密码。"), url=url,
                 lines=[Line(_("账号"), users, url, testid="users")], testid="card-sysadmin")]  # fmt: skip


def _secadmin(user, today: date) -> list[Card]:
    locked = len(accounts.locked_accounts())
    url = reverse("accounts:locked_list")
    return [Card(
        title=_("安全管理"),
        note=_("登录失败被锁定的账号在此解锁；密码复杂度、锁定和会话超时在安全策略中设置。"),
        url=url,
        lines=[Line(_("锁定账号"), locked, url, "warning" if locked else "", "locked"),
               Line(_("安全策略"), "→", reverse("accounts:security_policy"), testid="policy")],
        testid="card-secadmin",
    )]  # fmt: skip


def _auditor(user, today: date) -> list[Card]:
    last = audit_events_visible_to(user).order_by("-seq").values("seq").first()
    return [Card(
        title=_("安全审计"),
        note=_("定期校验审计日志是否完整，下载签名摘要留存在系统之外。"),
        url=reverse("core:audit_verify"),
        lines=[Line(_("校验审计日志"), "→", reverse("core:audit_verify"), testid="verify"),
               Line(_("最新事件序号"), last["seq"] if last else 0, reverse("core:audit_list"), testid="last-seq")],
        testid="card-auditor",
    )]  # fmt: skip
