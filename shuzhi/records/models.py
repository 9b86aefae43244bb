import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuzhi.core.models import TimeStampedModel
from shuzhi.core.protection import EncryptedCharField
from shuzhi.records import rules


class Kind(models.TextChoices):
    """The kinds of organisational life (三会一课 and the rest)."""

    CONGRESS = rules.CONGRESS, _("支部党员大会")
    COMMITTEE = rules.COMMITTEE, _("支委会")
    GROUP = rules.GROUP, _("党小组会")
    LECTURE = rules.LECTURE, _("党课")
    THEME_DAY = rules.THEME_DAY, _("主题党日")
    LIFE_MEETING = rules.LIFE_MEETING, _("组织生活会")
    DEMOCRATIC_LIFE = rules.DEMOCRATIC_LIFE, _("民主生活会")  # leadership groups (党委、党组)


class Requirement(TimeStampedModel):
    """How often a branch must hold one kind of organisational life: data, seeded by a data
    migration and changed by the organisation department, never code."""

    class Period(models.TextChoices):
        MONTH = rules.MONTH, _("每月")
        QUARTER = rules.QUARTER, _("每季度")
        YEAR = rules.YEAR, _("每年")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices)
    times = models.PositiveSmallIntegerField(_("次数"), default=1)
    secretary_only = models.BooleanField(_("限支部书记讲授"), default=False)
    label = models.CharField(_("名称"), max_length=40)
    # asked only of branches with at least this many members (支委会: a branch of 7 or more
    # full members has a committee; a smaller one has only a secretary)
    min_members = models.PositiveSmallIntegerField(_("适用的最少党员数"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("组织生活频次要求")
        constraints = [
            models.UniqueConstraint(fields=["kind", "secretary_only"], name="records_requirement_once"),
            models.CheckConstraint(condition=models.Q(times__gte=1), name="records_requirement_times"),
        ]

    def __str__(self) -> str:
        return self.label

    def as_rule(self) -> rules.Rule:
        return rules.Rule(kind=self.kind, period=self.period, times=self.times,
                          secretary_only=self.secretary_only, label=self.label, min_members=self.min_members)  # fmt: skip


class Meeting(TimeStampedModel):
    """One occasion of organisational life of a branch, entered once by its secretary or clerk."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)  # subtree scoping by index range
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("日期"))
    topic = models.CharField(_("主题"), max_length=200)
    host = models.CharField(_("主持人"), max_length=50)
    teacher = models.CharField(_("授课人"), max_length=50, blank=True)  # a 党课 names its teacher
    # the 党课 was taught by the branch's secretary at the time (the yearly requirement)
    by_secretary = models.BooleanField(_("支部书记讲授"), default=False)
    minutes = models.TextField(_("会议记录"), max_length=20000, blank=True)
    present_count = models.PositiveIntegerField(_("出席人数"), default=0)
    absent_count = models.PositiveIntegerField(_("缺席人数"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("组织生活记录")
        indexes = [
            models.Index(fields=["org_path", "held_on"], name="records_meeting_scope"),
            models.Index(fields=["organization", "held_on"], name="records_meeting_branch"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("records:meeting", args=[self.pk])


class Attendance(models.Model):
    """Whether one member of the roster attended, and why not."""

    class Absence(models.TextChoices):
        SICK = "sick", _("病假")
        PERSONAL = "personal", _("事假")
        AWAY = "away", _("外出")
        OTHER = "other", _("其他")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("出席"), default=True)
    absence = models.CharField(_("缺席原因"), max_length=10, choices=Absence.choices, blank=True)
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["meeting_id", "id"]
        verbose_name = _("出席情况")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="records_attendance_once"),
            models.CheckConstraint(
                condition=models.Q(present=True, absence="")
                | models.Q(present=False) & ~models.Q(absence=""),
                name="records_absence_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["member", "meeting"], name="records_attendance_member")]

    def __str__(self) -> str:
        return f"{self.member_id} {'出席' if self.present else self.get_absence_display()}"


class Attachment(TimeStampedModel):
    """A photo or a scanned sign-in sheet of a meeting (checked upload, storage API)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="records/%Y/")
    original_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["meeting_id", "id"]
        verbose_name = _("会议附件")

    def __str__(self) -> str:
        return self.original_name


class Completion(models.Model):
    """A branch's year as judged by `rules.year_status`, kept by the services whenever its
    records change, so that roll-ups count rows of one index instead of a year of meetings."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255)
    year = models.PositiveSmallIntegerField()
    q1 = models.BooleanField(default=False)
    q2 = models.BooleanField(default=False)
    q3 = models.BooleanField(default=False)
    q4 = models.BooleanField(default=False)
    yearly = models.BooleanField(default=False)
    met = models.BooleanField(default=False)
    meetings = models.PositiveIntegerField(default=0)
    missing = models.JSONField(default=list, blank=True)
    missing_in = models.JSONField(default=list, blank=True)  # each phrase's quarter, 0: the year
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "org_path"]
        verbose_name = _("组织生活完成情况")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="records_completion_once"),
        ]
        indexes = [
            models.Index(
                fields=["year", "org_path"],
                include=["q1", "q2", "q3", "q4", "met"],
                name="records_completion_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.org_path}"

    def quarter(self, q: int) -> bool:
        return bool(getattr(self, f"q{q}"))

    def missing_due(self, quarters_due: int) -> list[str]:
        """What is short in the quarters that have ended (and in the year, once it has)."""
        quarters = self.missing_in if len(self.missing_in) == len(self.missing) else [0] * len(self.missing)
        return [text for text, q in zip(self.missing, quarters, strict=True)
                if (q and q <= quarters_due) or (not q and quarters_due >= 4)]  # fmt: skip


class DuesBand(TimeStampedModel):
    """A rate band of the dues rules (data, seeded by a data migration): 在职 and 离退休 pay a
    share of their monthly base by band; 农牧渔民 and students a flat amount."""

    class Group(models.TextChoices):
        EMPLOYED = rules.EMPLOYED, _("在职党员")
        RETIRED = rules.RETIRED, _("离退休党员")
        FLAT = rules.FLAT, _("农牧渔民、学生")

    group = models.CharField(_("适用对象"), max_length=10, choices=Group.choices)
    lower = models.DecimalField(_("月基数以上（元）"), max_digits=10, decimal_places=2, default=0)
    upper = models.DecimalField(_("至（元，含）"), max_digits=10, decimal_places=2, null=True, blank=True)
    percent = models.DecimalField(_("比例（%）"), max_digits=5, decimal_places=2, default=0)
    amount = models.DecimalField(
        _("固定金额（元/月）"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["group", "lower"]
        verbose_name = _("党费标准")

    def __str__(self) -> str:
        return f"{self.get_group_display()} {self.lower}–{self.upper or ''}"

    def as_band(self) -> rules.Band:
        return rules.Band(group=self.group, lower=self.lower, upper=self.upper, percent=self.percent,
                          amount=self.amount)  # fmt: skip


class DuesAccount(TimeStampedModel):
    """A member's dues for a year: the monthly base and the amount due by the bands, or an
    exemption (减免) with its reason."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    base = models.DecimalField(_("月交纳基数（元）"), max_digits=10, decimal_places=2, default=0)
    amount = models.DecimalField(_("每月应交（元）"), max_digits=8, decimal_places=2, default=0)
    exempt = models.BooleanField(_("减免"), default=False)
    exempt_reason = models.CharField(_("减免理由"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["year", "org_path", "member_id"]
        verbose_name = _("党费核定")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="records_dues_account_once"),
            models.CheckConstraint(
                condition=models.Q(exempt=False) | ~models.Q(exempt_reason=""),
                name="records_dues_exemption_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["year", "org_path"], name="records_dues_account_scope")]

    def __str__(self) -> str:
        return f"{self.year} {self.member_id} {self.amount}"


class DuesPayment(TimeStampedModel):
    """One month's dues paid by one member (recorded by the branch, or imported)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    month = models.DateField(_("所属月份"))  # the first of the month
    amount = models.DecimalField(_("金额（元）"), max_digits=8, decimal_places=2)
    paid_on = models.DateField(_("交纳日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["month", "member_id"]
        verbose_name = _("党费交纳")
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="records_dues_paid_once")]
        indexes = [models.Index(fields=["org_path", "month"], name="records_dues_payment_scope")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.member_id} {self.amount}"


class Commitment(TimeStampedModel):
    """承诺践诺: what a member promised for the year, and whether the branch found it kept."""

    class Status(models.TextChoices):
        PENDING = "pending", _("践诺中")  # written, not yet reviewed
        KEPT = "kept", _("已践诺")
        PARTLY = "partly", _("部分践诺")
        NOT_KEPT = "not_kept", _("未践诺")

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    text = models.CharField(_("承诺事项"), max_length=300)
    status = models.CharField(_("践诺情况"), max_length=10, choices=Status.choices, default=Status.PENDING)
    review_note = models.CharField(_("评价说明"), max_length=300, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["year", "org_path", "member_id", "id"]
        verbose_name = _("承诺践诺")
        indexes = [models.Index(fields=["org_path", "year"], name="records_commitment_scope")]

    def __str__(self) -> str:
        return self.text[:40]


class PointsScheme(TimeStampedModel):
    """How a member's points are made (记实积分): parts adding to 100, each from the records or
    given by hand with reasons. An organisation's scheme holds for its subtree; the one without
    an organisation (seeded) holds everywhere else."""

    organization = models.OneToOneField(
        "orgs.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField(max_length=255, blank=True, editable=False)
    name = models.CharField(_("名称"), max_length=60)
    parts = models.JSONField(_("计分项目"), default=list)

    class Meta:
        ordering = ["org_path"]
        verbose_name = _("记实积分办法")

    def __str__(self) -> str:
        return self.name


class PointsItem(TimeStampedModel):
    """Points given by hand to one member for one part, with the reason (民主评议, 贡献…)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    part = models.CharField(_("项目"), max_length=60)
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    reason = models.CharField(_("理由"), max_length=200)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["year", "member_id", "id"]
        verbose_name = _("积分评定")
        indexes = [models.Index(fields=["org_path", "year"], name="records_points_item_scope")]

    def __str__(self) -> str:
        return f"{self.part} {self.points}"


class PointsExemption(TimeStampedModel):
    """A member whose organisational life is not held against them for a year (70 岁以上、患病、
    外出务工…), with the reason."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    reason = models.CharField(_("理由"), max_length=200)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["year", "member_id"]
        verbose_name = _("积分免考")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="records_points_exempt_once")]

    def __str__(self) -> str:
        return self.reason


# ---- 民主评议党员 --------------------------------------------------------------------------------
# Secrecy is in the tables' shape, as for the review meeting's ballots: who evaluated (a code was
# used) and what was said (sheets and marks) are apart, with nothing linking them; sheets carry
# no code, no user, no time and a random id. When the round closes the uses are counted and
# dropped, and the sheets rewritten in a random order, so that neither a transaction id nor a
# row's place can tie a sheet to the moment its code was used.
class EvaluationGrade(models.TextChoices):
    EXCELLENT = "优秀", _("优秀")
    QUALIFIED = "合格", _("合格")
    BASIC = "基本合格", _("基本合格")
    UNQUALIFIED = "不合格", _("不合格")


class EvaluationRound(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("评议中")  # codes handed out, sheets coming in
        CLOSED = "closed", _("已结束")  # counted; the branch decides

    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    min_group = models.PositiveSmallIntegerField(_("显示分项的最少份数"), default=5)
    sheets = models.PositiveIntegerField(_("收回评议表"), default=0)  # counted at closing
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "org_path"]
        verbose_name = _("民主评议")
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="records_round_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.org_path}"


class EvaluationCode(models.Model):
    """A one-time code on a slip handed to a member at the meeting. Found by its keyed hash."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="codes")
    serial = models.PositiveIntegerField(_("编号"))
    token_hash = models.BinaryField(max_length=32, unique=True)
    token = EncryptedCharField(_("评议码"))  # sealed, so the slips can be printed again

    class Meta:
        ordering = ["round_id", "serial"]
        verbose_name = _("评议码")

    def __str__(self) -> str:
        return f"{self.round_id}-{self.serial}"


class EvaluationUse(models.Model):
    """This code has been used (while the round is open); nothing about the sheet."""

    code = models.OneToOneField(
        EvaluationCode, primary_key=True, on_delete=models.CASCADE, related_name="use"
    )
    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("已用评议码")

    def __str__(self) -> str:
        return str(self.code_id)


class EvaluationSheet(models.Model):
    """One anonymous evaluation sheet: no code, no user, no time; a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("评议表")

    def __str__(self) -> str:
        return str(_("评议表"))


class EvaluationMark(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="marks")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("评价"), max_length=4, choices=EvaluationGrade.choices)

    class Meta:
        ordering = ["id"]
        verbose_name = _("互评")

    def __str__(self) -> str:
        return self.grade


class SelfAssessment(TimeStampedModel):
    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="self_assessments")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("个人自评"), max_length=3000)

    class Meta:
        ordering = ["round_id", "member_id"]
        verbose_name = _("个人自评")
        constraints = [models.UniqueConstraint(fields=["round", "member"], name="records_self_once")]

    def __str__(self) -> str:
        return self.text[:40]


class EvaluationDecision(TimeStampedModel):
    """The branch's decision on one member, and what follows a 不合格, with dates."""

    class FollowUp(models.TextChoices):
        CORRECT = "correct", _("限期改正")
        ADVISE = "advise", _("劝其退党")
        EXPEL = "expel", _("除名")

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="decisions")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("评定等次"), max_length=4, choices=EvaluationGrade.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    follow_up = models.CharField(_("处置"), max_length=8, choices=FollowUp.choices, blank=True)
    follow_up_on = models.DateField(_("处置日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["round_id", "member_id"]
        verbose_name = _("评定结果")
        constraints = [models.UniqueConstraint(fields=["round", "member"], name="records_decision_once")]

    def __str__(self) -> str:
        return self.grade
