from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuzhi.core.models import TimeStampedModel
from shuzhi.cycles.models import LATE_STATUSES, ReportStatus


class Report(TimeStampedModel):
    """A reporter's duty report (述职报告): eight sections of prose and three lists."""

    Status = ReportStatus  # named by the cycle, which follows every reporter's report by it

    reporter = models.OneToOneField(
        "cycles.Reporter", verbose_name=_("述职人"), on_delete=models.CASCADE, related_name="report"
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    sections = models.JSONField(_("正文"), default=dict)  # section key → text (documents.SECTIONS)
    return_reason = models.TextField(_("退回理由"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0)
    # set when the cycle's organiser entered the report for a unit whose secretary has no account
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代填人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["reporter_id"]
        verbose_name = _("述职报告")
        indexes = [models.Index(fields=["status"], name="report_status")]

    def __str__(self) -> str:
        return str(self.reporter)

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    def get_edit_url(self) -> str:
        return reverse("reports:edit", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in LATE_STATUSES

    @property
    def is_reviewable(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ReportItem(TimeStampedModel):
    """One entry of a report's lists: a problem, a responsibility, a commitment, or last year's
    problem or commitment carried over to be answered."""

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("问题")  # 问题清单
        RESPONSIBILITY = "responsibility", _("责任")  # 责任清单
        COMMITMENT = "commitment", _("承诺")  # 承诺事项
        CARRIED = "carried", _("上年事项")  # last year's problem or commitment, to be answered

    class Severity(models.TextChoices):
        SERIOUS = "serious", _("严重")
        MODERATE = "moderate", _("较重")
        MINOR = "minor", _("一般")

    class Answer(models.TextChoices):
        DONE = "done", _("已完成")
        IN_PROGRESS = "in_progress", _("推进中")
        NOT_DONE = "not_done", _("未完成")

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("内容"), max_length=1000)
    category = models.CharField(_("类别"), max_length=30, blank=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    # for a carried-over item: what it was last year, and this year's answer
    source = models.ForeignKey(
        "self", verbose_name=_("上年事项"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_kind = models.CharField(_("上年类型"), max_length=16, choices=Kind.choices, blank=True)
    answer = models.CharField(_("落实情况"), max_length=12, choices=Answer.choices, blank=True)
    explanation = models.TextField(_("说明"), max_length=1000, blank=True)

    class Meta:
        ordering = ["report_id", "kind", "position", "id"]
        verbose_name = _("报告条目")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="problem") | models.Q(severity=""),
                name="report_item_severity_problems",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]


class ReportVersion(models.Model):
    """The text of a report at one transition (submitted, returned, accepted), kept for diffs."""

    report = models.ForeignKey(
        Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    action = models.CharField(_("操作"), max_length=12)
    text = models.TextField(_("全文"))
    reason = models.TextField(_("理由"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["report_id", "number"]
        verbose_name = _("报告版本")
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_unique")]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


class Attachment(TimeStampedModel):
    """A signed .docx or .pdf of the report; its text is kept for search and similarity checks."""

    report = models.ForeignKey(
        Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="reports/%Y/")
    original_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    text = models.TextField(_("提取的文字"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["report_id", "created_at", "id"]
        verbose_name = _("附件")

    def __str__(self) -> str:
        return self.original_name
