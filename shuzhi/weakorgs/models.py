from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuzhi.core.models import TimeStampedModel
from shuzhi.weakorgs import rules

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Rule(TimeStampedModel):
    """One sign of a weak organisation, as data: its threshold, the fields it applies to and an
    on/off switch. The set of keys is fixed by rules.RULE_KEYS (seeded by a data migration)."""

    key = models.CharField(_("规则"), max_length=24, unique=True, choices=[(k, k) for k in rules.RULE_KEYS])
    label = models.CharField(_("名称"), max_length=60)
    threshold = models.DecimalField(_("阈值"), max_digits=6, decimal_places=1)
    unit = models.CharField(_("阈值单位"), max_length=10, blank=True)
    fields = models.JSONField(
        _("适用领域"), default=list, blank=True
    )  # Organization.Field values; empty: all
    enabled = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "key"]
        verbose_name = _("软弱涣散研判规则")
        verbose_name_plural = _("软弱涣散研判规则")

    def __str__(self) -> str:
        return self.label

    @property
    def has_source(self) -> bool:
        return self.key not in rules.WITHOUT_SOURCE

    def applies_to(self, field: str) -> bool:
        return not self.fields or field in self.fields


class RatioPractice(TimeStampedModel):
    """The ratio practice: at least `percent` of a field's grassroots organisations on the year's
    list, counted from the bottom (e.g. villages 10%, communities 5%)."""

    field = models.CharField(_("领域"), max_length=24, unique=True)
    percent = models.DecimalField(_("比例（%）"), max_digits=4, decimal_places=1, validators=PERCENT)
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["field"]
        verbose_name = _("倒排比例")
        verbose_name_plural = _("倒排比例")

    def __str__(self) -> str:
        return f"{self.field} {self.percent}%"


class FlagRun(TimeStampedModel):
    """One computation of every flag of a year (on demand or by the nightly worker)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    organizations = models.PositiveIntegerField(_("研判组织数"), default=0)
    flagged = models.PositiveIntegerField(_("命中组织数"), default=0)
    seconds = models.DecimalField(_("用时（秒）"), max_digits=8, decimal_places=2, default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("研判记录")
        verbose_name_plural = _("研判记录")

    def __str__(self) -> str:
        return f"{self.year} {self.created_at:%Y-%m-%d %H:%M}"


class Flag(models.Model):
    """A rule that an organisation hit in a year, with the evidence it rests on (labelled figures
    and links). Replaced whole by each run of the year."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255)
    year = models.PositiveSmallIntegerField(_("年度"))
    rule = models.CharField(_("规则"), max_length=24)
    summary = models.CharField(_("情况"), max_length=200)
    evidence = models.JSONField(_("依据"), default=list)
    computed_at = models.DateTimeField(_("研判时间"))

    class Meta:
        ordering = ["org_path", "rule"]
        verbose_name = _("软弱涣散研判结果")
        verbose_name_plural = _("软弱涣散研判结果")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "rule"], name="weak_flag_once"),
        ]
        indexes = [models.Index(fields=["year", "org_path"], name="weak_flag_scope")]

    def __str__(self) -> str:
        return f"{self.year} {self.org_path} {self.rule}"


class Entry(TimeStampedModel):
    """An organisation on the year's 软弱涣散台账, from the organiser's confirmation to 销号."""

    class Status(models.TextChoices):
        LISTED = "listed", _("整顿中")  # confirmed onto the list, the plan being carried out
        AWAITING = "awaiting", _("待验收")  # the unit asked the level above to accept
        RETURNED = "returned", _("验收未通过")  # acceptance refused with a reason: back to work
        ACCEPTED = "accepted", _("已验收")  # the level above accepted it, with its opinion
        CLOSED = "closed", _("已销号")  # struck off the list after acceptance
        REMOVED = "removed", _("已移出")  # taken off the list by the organiser, with a reason

    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.LISTED)
    reason = models.CharField(_("列入理由"), max_length=300)
    flags = models.JSONField(_("列入时的研判情况"), default=list, blank=True)
    removal_reason = models.CharField(_("移出理由"), max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # 一村一策
    problems = models.TextField(_("存在问题"), max_length=2000, blank=True)
    measures = models.TextField(_("整顿措施"), max_length=2000, blank=True)
    deadline = models.DateField(_("整顿时限"), null=True, blank=True)
    responsible_leader = models.CharField(_("责任领导"), max_length=50, blank=True)
    liaison_leader = models.CharField(_("联系领导"), max_length=50, blank=True)
    first_secretary = models.CharField(_("选派第一书记"), max_length=50, blank=True)
    acceptance_opinion = models.CharField(_("验收意见"), max_length=500, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "org_path"]
        verbose_name = _("软弱涣散台账")
        verbose_name_plural = _("软弱涣散台账")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="weak_entry_once_a_year"),
        ]
        indexes = [models.Index(fields=["year", "org_path"], name="weak_entry_scope")]

    def __str__(self) -> str:
        return f"{self.year} {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("weakorgs:entry", args=[self.pk])

    @property
    def has_plan(self) -> bool:
        return bool(self.problems and self.measures and self.deadline and self.responsible_leader)

    @property
    def on_list(self) -> bool:
        return self.status != self.Status.REMOVED


class Progress(TimeStampedModel):
    """A step of the 整顿, with its evidence."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="progress")
    on = models.DateField(_("日期"))
    text = models.TextField(_("进展情况"), max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("整顿进展")
        verbose_name_plural = _("整顿进展")

    def __str__(self) -> str:
        return f"{self.on} {self.text[:20]}"


class ProgressFile(TimeStampedModel):
    progress = models.ForeignKey(Progress, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="weakorgs/%Y/")
    original_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("整顿佐证")
        verbose_name_plural = _("整顿佐证")

    def __str__(self) -> str:
        return self.original_name


class EntryEvent(models.Model):
    """The entry's history as a person reads it: listed, plan, asked, refused, accepted, 销号."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("台账记录")
        verbose_name_plural = _("台账记录")

    def __str__(self) -> str:
        return f"{self.action} {self.note[:20]}"


class LiaisonPoint(TimeStampedModel):
    """A leader's 联系点: a county leader or township committee member assigned a grassroots
    organisation (weak ones first). The leader is named, and linked to their account if they have one."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("联系领导账号"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    leader_name = models.CharField(_("联系领导"), max_length=50)
    leader_post = models.CharField(_("职务"), max_length=60)
    active = models.BooleanField(_("联系中"), default=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_reason = models.CharField(_("调整理由"), max_length=300, blank=True)

    class Meta:
        ordering = ["org_path", "leader_name"]
        verbose_name = _("联系点")
        verbose_name_plural = _("联系点")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "leader_name"], condition=models.Q(active=True), name="weak_liaison_once",
                violation_error_message=_("该领导已联系这个党组织。"),
            )
        ]  # fmt: skip
        indexes = [models.Index(fields=["org_path", "active"], name="weak_liaison_scope")]

    def __str__(self) -> str:
        return f"{self.leader_name} → {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("weakorgs:point", args=[self.pk])


class Visit(TimeStampedModel):
    """A leader's visit to their point: what was found and what was solved."""

    point = models.ForeignKey(LiaisonPoint, on_delete=models.CASCADE, related_name="visits")
    on = models.DateField(_("日期"))
    found = models.TextField(_("发现的问题"), max_length=2000)
    solved = models.TextField(_("解决的问题"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")

    def __str__(self) -> str:
        return f"{self.on} {self.point}"


# ---- 基本保障 (basic guarantees) ---------------------------------------------------------------

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class GuaranteeFloor(TimeStampedModel):
    """The floors a province or city sets for a year (基本保障标准): what every village and
    community must get. A floor left empty is not set by that level; a village is judged by the
    floors of its nearest ancestor (a city's over its province's) that has a row for the year."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("制定单位"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    rural_income = models.DecimalField(
        _("农村居民人均可支配收入（元）"), null=True, blank=True, **MONEY
    )  # the year's figure the ratio rule multiplies
    operating_total = models.DecimalField(_("村级组织运转经费合计（万元）"), null=True, blank=True, **MONEY)
    secretary_ratio = models.DecimalField(
        _("主职基本报酬不低于农村居民人均可支配收入的（倍）"), max_digits=4, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    secretary_pay = models.DecimalField(_("主职基本报酬不低于（元/年）"), null=True, blank=True, **MONEY)
    deputy_percent = models.DecimalField(
        _("副职基本报酬不低于主职的（%）"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    dual_percent = models.DecimalField(
        _("“一肩挑”报酬不低于主职标准的（%）"), max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(100), MaxValueValidator(300)],
    )  # fmt: skip
    office_funds = models.DecimalField(_("办公经费（万元）"), null=True, blank=True, **MONEY)
    service_funds = models.DecimalField(_("服务群众专项经费（万元）"), null=True, blank=True, **MONEY)
    training_per_member = models.DecimalField(_("党员教育培训经费（元/人）"), null=True, blank=True, **MONEY)
    workers_per_thousand = models.DecimalField(
        _("社区工作者（人/千名居民）"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "org_path"]
        verbose_name = _("基本保障标准")
        verbose_name_plural = _("基本保障标准")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="guarantee_floor_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.organization}"


class GuaranteeFigure(TimeStampedModel):
    """What a village or community actually got in a year (entered or imported)."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    operating_total = models.DecimalField(_("村级组织运转经费合计（万元）"), **MONEY)
    secretary_pay = models.DecimalField(_("书记（主职）基本报酬（元/年）"), **MONEY)
    dual_role = models.BooleanField(_("书记、主任“一肩挑”"), default=False)
    deputy_pay = models.DecimalField(
        _("副职基本报酬（元/年，最低一人）"), null=True, blank=True, **MONEY
    )  # empty: no 副职
    office_funds = models.DecimalField(_("办公经费（万元）"), **MONEY)
    service_funds = models.DecimalField(_("服务群众专项经费（万元）"), **MONEY)
    training_funds = models.DecimalField(_("党员教育培训经费（元）"), **MONEY)
    members = models.PositiveIntegerField(_("党员数"))
    residents = models.PositiveIntegerField(_("常住居民数"), null=True, blank=True)  # communities
    workers = models.PositiveIntegerField(_("社区工作者数"), null=True, blank=True)  # communities
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip

    class Meta:
        ordering = ["org_path", "-year"]
        verbose_name = _("基本保障落实情况")
        verbose_name_plural = _("基本保障落实情况")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="guarantee_figure_once_a_year"),
        ]
        indexes = [models.Index(fields=["year", "org_path"], name="guarantee_figure_scope")]

    def __str__(self) -> str:
        return f"{self.year} {self.organization}"


class TalkDraft(TimeStampedModel):
    """The follow-up the seeds name for funds not in place: a 约谈 of the county secretary,
    suggested from the compliance table, confirmed by the organiser above (then a 问责 record of
    the rectification area) or set aside with a reason."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("建议约谈")  # suggested from the year's shortfalls, awaiting the organiser
        CONFIRMED = "confirmed", _("已确认约谈")  # recorded as 问责 (约谈)
        DISMISSED = "dismissed", _("不予约谈")  # set aside with a reason

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("县区"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    person = models.CharField(_("被约谈人"), max_length=50, blank=True)
    reason = models.TextField(_("事由"), max_length=2000)
    note = models.CharField(_("处理说明"), max_length=300, blank=True)
    accountability = models.ForeignKey(
        "rectification.Accountability", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "org_path"]
        verbose_name = _("约谈建议")
        verbose_name_plural = _("约谈建议")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="guarantee_talk_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.organization} {self.get_status_display()}"
