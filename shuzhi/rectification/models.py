from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuzhi.core.audit_actions import RECTIFICATION_STEPS
from shuzhi.core.models import TimeStampedModel
from shuzhi.rectification import rules


class Item(TimeStampedModel):
    """A rectification item (整改事项): a problem or a finding to put right, by a unit, with
    measures, a deadline and a responsible person; it may be broken into child steps."""

    class Status(models.TextChoices):
        NOT_STARTED = rules.NOT_STARTED, _("未开始")  # generated, the plan not yet under way
        IN_PROGRESS = rules.IN_PROGRESS, _("整改中")  # the unit is working on it
        AWAITING = rules.AWAITING, _("已完成待审核")  # the unit asks the level above to sign off
        CLOSED = rules.CLOSED, _("已销号")  # signed off by the level above
        OVERDUE = rules.OVERDUE, _("逾期")  # past its deadline, marked by the scheduled job
        RETURNED = rules.RETURNED, _("退回")  # sign-off refused, with a reason

    class Source(models.TextChoices):
        PROBLEM = "problem", _("述职报告问题")
        COMMENT = "comment", _("点评意见")
        OTHER = "other", _("其他")

    cycle = models.ForeignKey(
        "cycles.Cycle", verbose_name=_("周期"), on_delete=models.PROTECT, related_name="rectification_items"
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("整改单位"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(
        max_length=255, editable=False
    )  # the unit's path: subtree scoping by index range
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级事项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.OTHER)
    source_id = models.PositiveBigIntegerField(_("来源编号"), null=True, blank=True)
    title = models.CharField(_("问题"), max_length=300)
    measures = models.TextField(_("整改措施"), max_length=2000, blank=True)
    responsible = models.CharField(_("责任人"), max_length=50, blank=True)
    deadline = models.DateField(_("整改时限"))
    weight = models.PositiveSmallIntegerField(_("权重"), default=1)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    started = models.BooleanField(_("已开始"), default=False)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    plan_confirmed_at = models.DateTimeField(_("方案确认时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)

    class Meta:
        ordering = ["org_path", "deadline", "id"]
        verbose_name = _("整改事项")
        indexes = [
            # the board: top-level items of a subtree grouped by unit, from the index alone
            models.Index(
                fields=["org_path", "status"],
                include=["progress"],
                condition=models.Q(parent__isnull=True),
                name="rect_item_board",
            ),
            models.Index(fields=["status", "deadline"], name="rect_item_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organization", "source", "source_id"],
                condition=models.Q(source_id__isnull=False),
                name="rect_item_once_per_source",
            )
        ]

    def __str__(self) -> str:
        return self.title[:40]

    def get_absolute_url(self) -> str:
        return reverse("rectification:item", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN


class ItemEvent(models.Model):
    """One change of an item: the history shown on its page (the audit log keeps it too)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    # the steps' names are the audit log's (core.audit_actions): one vocabulary for both
    action = models.CharField(_("操作"), max_length=30, choices=list(RECTIFICATION_STEPS.items()))
    from_status = models.CharField(_("原状态"), max_length=16, blank=True, choices=Item.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True, choices=Item.Status.choices)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item_id", "created_at", "id"]
        verbose_name = _("整改记录")

    def __str__(self) -> str:
        return self.action


class Milestone(TimeStampedModel):
    """A step reached, with a date, a text and evidence (photos, documents)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="milestones")
    on = models.DateField(_("日期"))
    text = models.TextField(_("进展情况"), max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["item_id", "on", "id"]
        verbose_name = _("整改进展")

    def __str__(self) -> str:
        return self.text[:40]


class Evidence(TimeStampedModel):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/")
    original_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["milestone_id", "id"]
        verbose_name = _("佐证材料")

    def __str__(self) -> str:
        return self.original_name


class QuarterlyCheck(TimeStampedModel):
    """督查办's quarterly check of an item (or of a unit as a whole): a rating and a note."""

    class Rating(models.TextChoices):
        GOOD = "good", _("进展良好")
        FAIR = "fair", _("基本正常")
        POOR = "poor", _("进展滞后")

    quarter = models.CharField(_("季度"), max_length=7)  # e.g. 2026Q4
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="checks")
    rating = models.CharField(_("评价"), max_length=8, choices=Rating.choices)
    note = models.TextField(_("督查意见"), max_length=2000)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-quarter", "organization_id", "id"]
        verbose_name = _("季度督查")

    def __str__(self) -> str:
        return f"{self.quarter} {self.get_rating_display()}"


class Accountability(TimeStampedModel):
    """问责: a record of who was held to account, for what; it feeds the next assessment's vetoes."""

    class Kind(models.TextChoices):
        TALK = "talk", _("约谈")
        WRITTEN = "written", _("书面检查")
        ADMONISH = "admonish", _("诫勉")
        CRITICISE = "criticise", _("通报批评")
        ADJUST = "adjust", _("组织调整")
        DISCIPLINE = "discipline", _("党纪处分")

    kind = models.CharField(_("方式"), max_length=12, choices=Kind.choices)
    person = models.CharField(_("被问责人"), max_length=50)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    on = models.DateField(_("日期"))
    reason = models.TextField(_("事由"), max_length=2000)
    items = models.ManyToManyField(
        Item, verbose_name=_("相关整改事项"), blank=True, related_name="accountabilities"
    )
    results = models.ManyToManyField(
        "scoring.Result", verbose_name=_("相关考核结果"), blank=True, related_name="accountabilities"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-on", "id"]
        verbose_name = _("问责记录")
        indexes = [models.Index(fields=["org_path", "on"], name="accountability_scope")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()}"
