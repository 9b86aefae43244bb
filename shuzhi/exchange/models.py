from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.core.models import TimeStampedModel


class ExchangeJob(TimeStampedModel):
    """One import or export, run by the worker. An import keeps its uploaded sheet as the
    evidence behind it; an export keeps the file it produced until it is downloaded or pruned."""

    class Direction(models.TextChoices):
        IMPORT = "import", _("导入")
        EXPORT = "export", _("导出")

    class Kind(models.TextChoices):
        ORGANIZATIONS = "orgs", _("党组织")
        MEMBERS = "members", _("党员名册")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")  # waiting for the worker
        READING = "reading", _("读取文件")  # import: opening the sheet
        VALIDATING = "validating", _("校验中")  # import: row by row; processed_rows moves
        WRITING = "writing", _("写入中")  # import: one transaction, all rows or none
        EXPORTING = "exporting", _("生成中")  # export: row by row; processed_rows moves
        SUCCEEDED = "succeeded", _("已完成")
        REJECTED = "rejected", _("有错误，未导入")  # import: the file had errors; nothing was written
        FAILED = "failed", _("处理失败")  # the system failed; nothing was written

    FINISHED = frozenset({Status.SUCCEEDED, Status.REJECTED, Status.FAILED})

    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    # the person's organisation when the job was made: the scope rows are checked against or
    # read from
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+"
    )
    # import: the uploaded sheet; export: the sheet produced
    file = models.FileField(_("文件"), upload_to="exchange/%Y/%m/", blank=True)
    original_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    # export: what to export (organisation id and the member list's filters), as submitted
    parameters = models.JSONField(_("导出条件"), default=dict, blank=True)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已校验行数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    # the first errors, for the page; all of them are in the report file
    errors = models.JSONField(_("错误"), default=list, blank=True)
    report = models.FileField(_("错误报告"), upload_to="exchange/reports/%Y/%m/", blank=True)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变"), default=0)
    message = models.TextField(_("说明"), blank=True)
    # what the import made of the sheet that the person should know: which sheet and header row
    # it read, the rows it skipped (合计, empty), what it inferred (党员状态 from 转正日期)
    notes = models.JSONField(_("读取说明"), default=list, blank=True)
    # seconds per phase (read, check, lookup, write, counters…), for operators and benchmarks
    timings = models.JSONField(_("用时"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导入导出任务")
        verbose_name_plural = _("导入导出任务")

    def __str__(self) -> str:
        return f"{self.get_direction_display()}{self.get_kind_display()} {self.original_name}"

    @property
    def is_import(self) -> bool:
        return self.direction == self.Direction.IMPORT

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def seems_stopped(self) -> bool:
        """Unfinished and silent for longer than a live job may be: its worker is not running (the
        next job a worker starts fails it for good)."""
        silent = timezone.now() - self.updated_at
        return not self.is_finished and silent > timedelta(seconds=settings.JOB_STALL_SECONDS + 60)

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if self.status in (self.Status.QUEUED, self.Status.READING) or not self.total_rows:
            return 0
        if self.status == self.Status.WRITING:
            return 99  # one transaction: it is done when it commits
        return min(98, self.processed_rows * 100 // self.total_rows)
