from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.core.grades import Grade
from shuzhi.core.models import TimeStampedModel

SCORE = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}


class ComponentScore(TimeStampedModel):
    """A score on a 0–100 scale for a component the organiser enters (日常考核, 重点任务 …)."""

    reporter = models.ForeignKey(
        "cycles.Reporter", verbose_name=_("述职人"), on_delete=models.CASCADE, related_name="component_scores"
    )
    component = models.CharField(_("考核项目"), max_length=30)
    score = models.DecimalField(_("得分"), **SCORE)
    source = models.CharField(_("来源"), max_length=120, blank=True)  # "页面录入" or the imported file's name
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["reporter_id", "component"]
        verbose_name = _("考核得分")
        constraints = [models.UniqueConstraint(fields=["reporter", "component"], name="component_score_once")]

    def __str__(self) -> str:
        return f"{self.component} {self.score}"


class Adjustment(TimeStampedModel):
    """加减分: a bonus (positive) or a deduction (negative) with its reason."""

    reporter = models.ForeignKey(
        "cycles.Reporter", verbose_name=_("述职人"), on_delete=models.CASCADE, related_name="adjustments"
    )
    points = models.DecimalField(
        _("分值"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
    )
    reason = models.CharField(_("理由"), max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["reporter_id", "created_at", "id"]
        verbose_name = _("加减分")
        constraints = [models.CheckConstraint(condition=~models.Q(points=0), name="adjustment_not_zero")]

    def __str__(self) -> str:
        return f"{self.points:+} {self.reason}"


class VetoFinding(TimeStampedModel):
    """A veto condition of the scheme found to apply to a reporter (问责, 核心指标未完成 …)."""

    reporter = models.ForeignKey(
        "cycles.Reporter", verbose_name=_("述职人"), on_delete=models.CASCADE, related_name="veto_findings"
    )
    veto = models.CharField(_("否决情形"), max_length=30)
    note = models.CharField(_("依据"), max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["reporter_id", "veto"]
        verbose_name = _("否决情形")
        constraints = [models.UniqueConstraint(fields=["reporter", "veto"], name="veto_finding_once")]

    def __str__(self) -> str:
        return self.veto


class Assessment(TimeStampedModel):
    """A cycle's assessment: the results computed under the frozen scheme, then published, then
    final (sealed with a hash); a final result changes only by an audited amendment."""

    class Status(models.TextChoices):
        COMPUTED = "computed", _("已测算")  # may be recomputed while scores are still entered
        PUBLISHED = "published", _("公示中")  # shown; objections recorded and answered
        FINAL = "final", _("已确定")  # sealed; changes only by amendment

    cycle = models.OneToOneField(
        "cycles.Cycle", verbose_name=_("周期"), on_delete=models.PROTECT, related_name="assessment"
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.COMPUTED)
    scheme = models.JSONField(_("所用考核方案"))
    scheme_hash = models.CharField(_("方案指纹"), max_length=64)
    computed_at = models.DateTimeField(_("测算时间"))
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    objection_until = models.DateField(_("公示截止"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("确定时间"), null=True, blank=True)
    seal = models.CharField(_("结果封存指纹"), max_length=64, blank=True)

    class Meta:
        ordering = ["-computed_at"]
        verbose_name = _("考核结果")

    def __str__(self) -> str:
        return str(self.cycle)


class Result(models.Model):
    """One reporter's result and everything it came from (the engine's whole answer)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    reporter = models.ForeignKey("cycles.Reporter", on_delete=models.PROTECT, related_name="results")
    group = models.CharField(_("分组"), max_length=30)
    score = models.DecimalField(_("综合得分"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("等次"), max_length=4, choices=Grade.choices)
    grade_by_score = models.CharField(_("按分数的等次"), max_length=4, choices=Grade.choices)
    rank = models.PositiveIntegerField(_("组内排名"))
    quota_cut = models.BooleanField(_("因比例限制调整"), default=False)
    vetoes = models.JSONField(_("否决情形"), default=list)
    explanation = models.JSONField(_("计算过程"))

    class Meta:
        ordering = ["assessment_id", "group", "rank"]
        verbose_name = _("个人考核结果")
        constraints = [models.UniqueConstraint(fields=["assessment", "reporter"], name="result_once")]

    def __str__(self) -> str:
        return f"{self.grade} {self.score}"


class Objection(TimeStampedModel):
    """An objection raised during 公示, and its answer."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="objections")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("异议"), max_length=2000)
    answer = models.TextField(_("答复"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        ordering = ["result_id", "created_at"]
        verbose_name = _("异议")

    def __str__(self) -> str:
        return self.text[:40]


class Amendment(TimeStampedModel):
    """A visible, audited correction of a final result."""

    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="amendments")
    before = models.JSONField(_("修改前"))
    after = models.JSONField(_("修改后"))
    reason = models.TextField(_("理由"), max_length=1000)
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["result_id", "created_at"]
        verbose_name = _("结果更正")

    def __str__(self) -> str:
        return self.reason[:40]


class BulletinTemplate(TimeStampedModel):
    """An organisation's own 通报 template (.docx with docxtpl placeholders), replacing the default."""

    organization = models.OneToOneField(
        "orgs.Organization", on_delete=models.CASCADE, related_name="bulletin_template"
    )
    file = models.FileField(upload_to="templates/")
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["organization_id"]
        verbose_name = _("通报模板")

    def __str__(self) -> str:
        return self.original_name
