from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.core.models import TimeStampedModel
from shuzhi.cycles import rules

DEFAULT_GROUPS = ["县区", "市直机关", "国企", "高校"]


class ReportStatus(models.TextChoices):
    """Where a reporter's duty report stands. The cycle follows every reporter by it (its page,
    the roll-up, the reminders), so it is named here, below the reports; `Report.Status` is it."""

    NOT_STARTED = "not_started", _("未开始")  # opened for the reporter, nothing written yet
    DRAFT = "draft", _("草稿")  # being written (saved automatically)
    SUBMITTED = "submitted", _("已提交")  # waiting for the organiser's review
    RETURNED = "returned", _("已退回")  # sent back with a reason, to be edited and resubmitted
    ACCEPTED = "accepted", _("已通过")  # accepted by the organiser; no longer editable


# not in yet: the reporter may still edit it, and it is late once the due date has passed
LATE_STATUSES = (ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED)


class Cycle(TimeStampedModel):
    """One organisation's yearly 述职评议考核: who reports, in which groups, by which scheme."""

    class Status(models.TextChoices):
        DRAFT = rules.DRAFT, _("筹备中")  # the organiser sets it up; everything may change
        REPORTS_OPEN = rules.REPORTS_OPEN, _("述职报告撰写")  # reporters, groups and scheme frozen
        MEETING = rules.MEETING, _("评议会议")  # the review meeting (大会述职 and ballots)
        ASSESSING = rules.ASSESSING, _("考核评定")  # scores and grades are worked out
        PUBLISHED = rules.PUBLISHED, _("已公布")  # results published
        ARCHIVED = rules.ARCHIVED, _("已归档")  # read only, kept for later years

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="cycles"
    )
    # the organising unit's path, so that "cycles in my subtree" is an index range
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    groups = models.JSONField(_("评议分组"), default=list)
    report_due = models.DateField(_("报告截止日期"))
    meeting_on = models.DateField(_("评议会议日期"))
    scheme = models.JSONField(_("考核方案"), default=dict)
    frozen_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重新开放次数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    # 联述联评联考: offered to the organisations below as a template (scheme, groups, timetable)
    offered_at = models.DateTimeField(_("下发为模板时间"), null=True, blank=True)
    # the level above's cycle this one was made from; its dates fall on or before that one's
    template = models.ForeignKey(
        "self",
        verbose_name=_("所用模板"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived",
    )

    class Meta:
        ordering = ["-year", "org_path"]
        verbose_name = _("述职评议周期")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="cycle_one_per_org_year",
                violation_error_message=_("本单位该年度已有述职评议周期。"),
            ),
            models.CheckConstraint(
                condition=models.Q(report_due__lte=models.F("meeting_on")),
                name="cycle_due_before_meeting",
                violation_error_message=_("报告截止日期不能晚于评议会议日期。"),
            ),
        ]
        indexes = [models.Index(fields=["org_path", "year"], name="cycle_scope")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        """Reporters, groups and scheme decide the outcome: fixed once reports open."""
        return self.status != self.Status.DRAFT

    @property
    def accepts_reports(self) -> bool:
        return self.status in (self.Status.REPORTS_OPEN, self.Status.MEETING)


class Reporter(TimeStampedModel):
    """A unit that reports in a cycle, with the secretary who reports for it."""

    class Mode(models.TextChoices):
        ONSITE = "onsite", _("大会述职")  # reports in person at the review meeting
        WRITTEN = "written", _("书面述职")  # reports in writing only

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("周期"), on_delete=models.CASCADE, related_name="reporters"
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("述职单位"), on_delete=models.PROTECT, related_name="+"
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("述职书记"),
        on_delete=models.PROTECT,
        related_name="reporting",
    )
    group = models.CharField(_("分组"), max_length=30)
    mode = models.CharField(_("述职方式"), max_length=8, choices=Mode.choices, default=Mode.ONSITE)
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["cycle_id", "position", "id"]
        verbose_name = _("述职人")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organization"],
                name="reporter_once_per_cycle",
                violation_error_message=_("该单位已在本周期的述职名单中。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization.name} · {self.secretary.full_name}"
