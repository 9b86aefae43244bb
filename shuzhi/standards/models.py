from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuzhi.core import facts
from shuzhi.core.models import TimeStampedModel
from shuzhi.orgs.models import Organization
from shuzhi.standards import rules


class Heading(models.TextChoices):
    """The five 好 under which a standard's items are grouped."""

    TEAM = "team", _("支部班子好")
    MEMBERS = "members", _("党员管理好")
    LIFE = "life", _("组织生活好")
    SYSTEMS = "systems", _("制度落实好")
    ROLE = "role", _("作用发挥好")


class Standard(TimeStampedModel):
    """The 标准化规范化 standard of one field (农村, 社区, 机关…): data, seeded by a data migration
    and changed by the organisation department."""

    field = models.CharField(_("领域"), max_length=24, choices=Organization.Field.choices, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    below_label = models.CharField(_("未达到任何等次时"), max_length=10, default="未定级")
    # the assessment's fact standards.star_level counts branches at this rank or above
    counted_rank = models.PositiveSmallIntegerField(_("计入考核的最低等次"), default=3)

    class Meta:
        ordering = ["field"]
        verbose_name = _("党支部建设标准")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("standards:standard", args=[self.pk])


class Level(TimeStampedModel):
    """A rank of a standard and the score it needs (五星…一星, or 达标 alone): thresholds as data."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="levels")
    rank = models.PositiveSmallIntegerField(_("等次"))  # 1 the lowest; 0 is below every level
    label = models.CharField(_("名称"), max_length=10)
    min_score = models.PositiveSmallIntegerField(_("最低得分"))

    class Meta:
        ordering = ["standard_id", "-rank"]
        verbose_name = _("等次")
        constraints = [
            models.UniqueConstraint(fields=["standard", "rank"], name="standards_level_rank_once"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="standards_level_rank_positive"),
        ]

    def __str__(self) -> str:
        return self.label


class Item(TimeStampedModel):
    """One item of a standard: its points and its evidence, computed from a fact source against a
    threshold or checked by hand by the level above."""

    class Evidence(models.TextChoices):
        COMPUTED = rules.COMPUTED, _("平台数据自动计算")
        CHECKED = rules.CHECKED, _("上级实地检查（附说明和照片）")

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="items")
    heading = models.CharField(_("类别"), max_length=10, choices=Heading.choices)
    title = models.CharField(_("内容"), max_length=200)
    points = models.PositiveSmallIntegerField(_("分值"))
    evidence = models.CharField(_("认定方式"), max_length=10, choices=Evidence.choices)
    fact_key = models.CharField(_("数据来源"), max_length=60, blank=True)
    threshold = models.DecimalField(
        _("达标值（0–100）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["standard_id", "order", "id"]
        verbose_name = _("标准条目")
        constraints = [
            models.CheckConstraint(condition=models.Q(points__gte=1), name="standards_item_points"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.evidence == rules.COMPUTED:
            source = facts.get(self.fact_key)
            if source is None:
                errors["fact_key"] = ValidationError(
                    _("数据来源“%(key)s”不存在，请从已登记的数据来源中选择。") % {"key": self.fact_key},
                    code="unknown_fact",
                )
            elif source.kind != facts.FactKind.SCORE:
                errors["fact_key"] = ValidationError(
                    _("数据来源“%(label)s”是条件，不是 0–100 的数值，不能设达标值。")
                    % {"label": source.label},
                    code="not_a_score",
                )
            if self.threshold is None or not (0 <= self.threshold <= 100):
                errors["threshold"] = ValidationError(
                    _("自动计算的条目需要 0–100 之间的达标值。"), code="bad_threshold"
                )
        else:
            if self.fact_key:
                errors["fact_key"] = ValidationError(
                    _("上级检查的条目不使用数据来源，请清空。"), code="fact_on_checked"
                )
            self.threshold = None
        if errors:
            raise ValidationError(errors)

    def source_label(self) -> str:
        source = facts.get(self.fact_key) if self.fact_key else None
        return str(source.label) if source else ""


class Rating(TimeStampedModel):
    """A branch's yearly rating against its field's standard: computed in bulk from the facts,
    proposed by the branch's own checklist, confirmed (or changed) by the level above, published."""

    class Status(models.TextChoices):
        OPEN = "open", _("自评中")  # computed; the branch fills its checklist
        SUBMITTED = "submitted", _("待上级确认")  # the branch has proposed its level
        CONFIRMED = "confirmed", _("已确认")  # the level above has confirmed or changed the level
        PUBLISHED = "published", _("已公布")  # in the published list of branches by level

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # item id (as text) → the fact's value as text, or None for no data (computed items only)
    values = models.JSONField(default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("得分"), default=0)
    rank = models.PositiveSmallIntegerField(_("自评等次"), default=0)  # by the checklist
    final_rank = models.PositiveSmallIntegerField(_("确认等次"), null=True, blank=True)
    reason = models.CharField(_("调整理由"), max_length=300, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("自评提交时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["year", "org_path"]
        verbose_name = _("星级评定")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="standards_rating_once"),
        ]
        indexes = [
            models.Index(fields=["year", "org_path"], include=["rank", "final_rank", "status"],
                         name="standards_rating_scope"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.year} {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("standards:branch", args=[self.organization_id]) + f"?year={self.year}"

    @property
    def effective_rank(self) -> int:
        return self.final_rank if self.final_rank is not None else self.rank


class Check(TimeStampedModel):
    """One item of a branch's checklist as filled by hand: the branch's claim with its notes and
    photo, and the level above's verdict with its reason (which overrides the claim or the fact)."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    claimed = models.BooleanField(_("自评达标"), default=False)
    note = models.TextField(_("说明"), max_length=2000, blank=True)
    photo = models.FileField(upload_to="standards/%Y/", blank=True)
    photo_name = models.CharField(_("照片文件名"), max_length=200, blank=True)
    photo_kind = models.CharField(max_length=8, blank=True)
    verdict = models.BooleanField(_("上级认定"), null=True, blank=True)
    verdict_reason = models.CharField(_("认定理由"), max_length=300, blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["rating_id", "item_id"]
        verbose_name = _("检查记录")
        constraints = [
            models.UniqueConstraint(fields=["rating", "item"], name="standards_check_once"),
            models.CheckConstraint(
                condition=models.Q(verdict__isnull=True) | ~models.Q(verdict_reason=""),
                name="standards_verdict_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating_id}/{self.item_id}"


class HourNorm(TimeStampedModel):
    """The yearly hours of study a member must reach (data: 32 学时 for every member, 56 for
    the secretaries of party organisations), changed by the organisation department."""

    class Group(models.TextChoices):
        MEMBER = "member", _("党员")
        CADRE = "cadre", _("党组织书记")  # whoever is the secretary of an organisation

    group = models.CharField(_("对象"), max_length=10, choices=Group.choices, unique=True)
    hours = models.PositiveSmallIntegerField(_("每年最少学时"))

    class Meta:
        ordering = ["group"]
        verbose_name = _("学时要求")

    def __str__(self) -> str:
        return f"{self.get_group_display()} {self.hours}"


class Training(TimeStampedModel):
    """One training activity with its stated hours (hours are recorded per activity, never
    measured as time on a screen) and who took part."""

    class Kind(models.TextChoices):
        ROTATION = "rotation", _("集中轮训")
        LECTURE = "lecture", _("党课")
        SPECIAL = "special", _("专题培训")
        ONLINE = "online", _("网络学习")

    organization = models.ForeignKey(Organization, verbose_name=_("组织单位"), on_delete=models.PROTECT,
                                     related_name="+")  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("培训名称"), max_length=200)
    held_on = models.DateField(_("日期"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    participants = models.ManyToManyField("members.Member", through="Participation", related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("培训活动")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "held_on", "title"], name="standards_training_once"
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=100), name="standards_training_hours"
            ),
        ]
        indexes = [models.Index(fields=["org_path", "held_on"], name="standards_training_scope")]

    def __str__(self) -> str:
        return self.title


class Participation(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="participations")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["training_id", "member_id"]
        verbose_name = _("参训人员")
        constraints = [
            models.UniqueConstraint(fields=["training", "member"], name="standards_participation_once")
        ]
        indexes = [models.Index(fields=["member", "training"], name="standards_participation_member")]

    def __str__(self) -> str:
        return f"{self.training_id}/{self.member_id}"


class FollowUpPeriod(TimeStampedModel):
    """How long new members are followed after conversion to full membership (data: three years
    in the seeds' city, 新党员3年跟踪考察制); one row."""

    years = models.PositiveSmallIntegerField(_("跟踪考察年限"), default=3)

    class Meta:
        ordering = ["id"]
        verbose_name = _("新党员跟踪考察期")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(years__gte=1, years__lte=10), name="standards_followup_years"
            )
        ]

    def __str__(self) -> str:
        return f"{self.years}"


class FollowUpReview(TimeStampedModel):
    """The branch's yearly review of a member under follow-up: how they have done, who reviewed."""

    class Grade(models.TextChoices):
        GOOD = "good", _("好")
        FAIR = "fair", _("较好")
        AVERAGE = "average", _("一般")
        POOR = "poor", _("差")  # to be talked to and helped by the branch

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.CharField(_("考察结果"), max_length=10, choices=Grade.choices)
    assessment = models.TextField(_("现实表现"), max_length=2000)
    reviewer = models.CharField(_("考察人"), max_length=50)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["year", "org_path", "member_id"]
        verbose_name = _("新党员跟踪考察")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="standards_followup_once")]
        indexes = [models.Index(fields=["year", "org_path"], name="standards_followup_scope")]

    def __str__(self) -> str:
        return f"{self.year} {self.member_id}"
