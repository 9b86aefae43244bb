from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.core.models import TimeStampedModel
from shuzhi.core.protection import EncryptedCharField
from shuzhi.lifecycle import rules
from shuzhi.members import rules as member_rules
from shuzhi.members.models import ETHNICITIES, Member


class Stage(models.TextChoices):
    APPLICANT = rules.APPLICANT, _("入党申请人")
    ACTIVIST = rules.ACTIVIST, _("入党积极分子")
    CANDIDATE = rules.CANDIDATE, _("发展对象")
    PROBATIONARY = rules.PROBATIONARY, _("预备党员")
    FULL = rules.FULL, _("正式党员")


class Step(TimeStampedModel):
    """One step of 发展党员 and its date rule: data, seeded by a data migration."""

    class Special(models.TextChoices):
        NONE = "", _("无")
        AGE = rules.AGE, _("年满十八周岁")
        TWO_PEOPLE = rules.TWO_PEOPLE, _("两名人员")
        TRAINING = rules.TRAINING, _("不少于3天或24学时")
        PUBLICITY = rules.PUBLICITY, _("不少于5个工作日")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("顺序"), unique=True)
    stage = models.CharField(_("阶段"), max_length=16, choices=Stage.choices)
    name = models.CharField(_("步骤"), max_length=60)
    after = models.SlugField(_("起算步骤"), max_length=40, blank=True)
    min_months = models.PositiveSmallIntegerField(_("至少间隔（月）"), default=0)
    max_months = models.PositiveSmallIntegerField(_("期限（月）"), default=0)
    strict = models.BooleanField(_("超期不得补录"), default=False)
    special = models.CharField(_("特别检查"), max_length=16, choices=Special.choices, blank=True, default="")
    documents = models.CharField(_("应存材料"), max_length=200, blank=True)
    people_label = models.CharField(_("人员称谓"), max_length=20, blank=True)  # 培养联系人 / 入党介绍人
    # the step needs the 发展对象 test passed, where a test is in force for the applicant's organisation
    needs_test = models.BooleanField(_("须通过在线测试"), default=False)

    class Meta:
        ordering = ["order"]
        verbose_name = _("发展党员步骤")
        verbose_name_plural = _("发展党员步骤")

    def __str__(self) -> str:
        return self.name

    def as_rule(self) -> rules.StepRule:
        return rules.StepRule(code=self.code, order=self.order, name=self.name, stage=self.stage, after=self.after,
                              min_months=self.min_months, max_months=self.max_months, strict=self.strict,
                              check=self.special)  # fmt: skip


class Applicant(TimeStampedModel):
    """A person on the path to membership, from the application on; becomes a Member (预备) when
    the higher committee approves, and stays here with every step's record."""

    class State(models.TextChoices):
        ACTIVE = "active", _("培养中")
        MEMBER = "member", _("已转为正式党员")  # the path ended: conversion approved
        STOPPED = "stopped", _("已终止")  # withdrawn, not admitted, or 取消预备党员资格

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Member.Gender.choices)
    ethnicity = models.CharField(
        _("民族"), max_length=10, choices=[(e, e) for e in ETHNICITIES], default="汉族"
    )
    birth_date = models.DateField(_("出生日期"))
    id_number = EncryptedCharField(_("身份证号"))
    id_number_hash = models.BinaryField(max_length=32)
    phone = EncryptedCharField(_("联系电话"), blank=True)
    education = models.CharField(_("学历"), max_length=24, choices=Member.Education.choices)
    category = models.CharField(_("人员类别"), max_length=16, choices=Member.Category.choices)
    organization = models.ForeignKey("orgs.Organization", verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                                     related_name="+", db_index=False)  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.ACTIVE)
    stage = models.CharField(_("阶段"), max_length=16, choices=Stage.choices, default=Stage.APPLICANT)
    # the next step and its window, kept by the services so the board reads one row per person
    next_step = models.ForeignKey(Step, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    next_earliest = models.DateField(null=True, blank=True)
    next_deadline = models.DateField(null=True, blank=True)
    applied_on = models.DateField(_("申请日期"))
    last_done_on = models.DateField(_("最近办理日期"))
    member = models.OneToOneField(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="applicant"
    )
    stopped_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    reminded_for = models.ForeignKey(Step, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["org_path", "name", "id"]
        verbose_name = _("发展对象")
        verbose_name_plural = _("发展党员")
        indexes = [
            models.Index(fields=["org_path", "name", "id"], name="applicant_scope_order"),
            models.Index(
                fields=["next_deadline"], condition=models.Q(state="active"), name="applicant_deadline"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                name="applicant_id_number_unique",
                violation_error_message=_("该身份证号已在发展党员名单中。"),
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return member_rules.mask_id_number(self.id_number or "")

    @property
    def phone_masked(self) -> str:
        return member_rules.mask_phone(self.phone) if self.phone else ""


class StepRecord(TimeStampedModel):
    """One step done: its date, what its check needed, and who recorded it."""

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="steps")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField(_("日期"))
    until = models.DateField(_("结束日期"), null=True, blank=True)
    hours = models.PositiveSmallIntegerField(_("学时"), null=True, blank=True)
    people = models.CharField(_("人员"), max_length=100, blank=True)  # names joined by 、
    note = models.CharField(_("说明"), max_length=500, blank=True)
    # empty for rows written in bulk (demo and generated cities)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)  # fmt: skip

    class Meta:
        # steps are done in their order and no step may be dated before the one before it, so the
        # dates order them without joining the step table
        ordering = ["applicant_id", "done_on", "id"]
        verbose_name = _("发展党员步骤记录")
        constraints = [models.UniqueConstraint(fields=["applicant", "step"], name="step_record_once")]

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.step_id} {self.done_on}"


class StepDocument(TimeStampedModel):
    """A scan of a step's material (checked upload, kept sealed by the default storage)."""

    record = models.ForeignKey(StepRecord, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to="lifecycle/%Y/")
    original_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["record_id", "id"]
        verbose_name = _("发展党员材料")

    def __str__(self) -> str:
        return self.original_name


class Departure(TimeStampedModel):
    """A member leaving the party or the platform: recorded, never a deletion. The member row
    stays, so the member is counted up to the day before `left_on`."""

    class Kind(models.TextChoices):
        QUIT = "quit", _("退党")
        REMOVED = "removed", _("除名")
        EXPELLED = "expelled", _("开除党籍")
        PROBATION_CANCELLED = "probation_cancelled", _("取消预备党员资格")
        DIED = "died", _("死亡")
        TRANSFERRED_OUT = "transferred_out", _("转出")  # to an organisation outside the platform

    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="departure")
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    left_on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    org_path = models.CharField(max_length=255, editable=False)  # where the member was when leaving
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["org_path", "-left_on", "id"]
        verbose_name = _("党员减少")
        verbose_name_plural = _("党员减少")
        indexes = [models.Index(fields=["org_path", "left_on"], name="departure_scope_day")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.get_kind_display()} {self.left_on}"


class Transfer(TimeStampedModel):
    """组织关系转接: out of one organisation and into another of the platform (转出 → 接收 → 报到),
    or out of the platform with an introduction letter. Every row stays as the member's history."""

    class Status(models.TextChoices):
        SENT = "sent", _("已转出，待接收")
        RECEIVED = "received", _("已接收，待报到")  # the member is on the new organisation's roster
        CONFIRMED = "confirmed", _("已报到")
        RETURNED = "returned", _("已退回")  # the receiving side refused it; the member stays where they were
        OUTSIDE = "outside", _("已转出平台")  # to an organisation outside the platform: a Departure too

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    from_path = models.CharField(max_length=255, editable=False)
    to_org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", null=True, blank=True,
                               db_index=False)  # fmt: skip
    to_path = models.CharField(max_length=255, blank=True, editable=False)
    destination = models.CharField(_("转往党组织"), max_length=100, blank=True)  # outside the platform
    letter_number = models.CharField(_("介绍信编号"), max_length=30)
    reason = models.CharField(_("转接原因"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SENT)
    sent_on = models.DateField(_("转出日期"))
    valid_until = models.DateField(_("介绍信有效期至"))
    received_on = models.DateField(_("接收日期"), null=True, blank=True)
    confirmed_on = models.DateField(_("报到日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        indexes = [
            models.Index(fields=["from_path", "sent_on"], name="transfer_from"),
            models.Index(fields=["to_path", "sent_on"], name="transfer_to"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["letter_number"],
                name="transfer_letter_unique",
                violation_error_message=_("介绍信编号已使用。"),
            ),
            # one transfer under way per member at a time
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status__in=["sent", "received"]),
                name="transfer_one_open",
            ),
        ]

    def __str__(self) -> str:
        return self.letter_number


class MobileRecord(TimeStampedModel):
    """流动党员: a member working or living away. The outflow organisation (where the record is)
    follows them; the inflow one, when it is on the platform, runs their daily management."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="mobile_records")
    outflow_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    outflow_path = models.CharField(max_length=255, editable=False)
    inflow_org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", null=True,
                                   blank=True, db_index=False)  # fmt: skip
    inflow_path = models.CharField(max_length=255, blank=True, editable=False)
    place = models.CharField(_("外出地点及单位"), max_length=100)
    certificate_number = models.CharField(_("流动党员活动证编号"), max_length=30, unique=True)
    contact = EncryptedCharField(_("联系电话"))
    left_on = models.DateField(_("外出日期"))
    returned_on = models.DateField(_("返回日期"), null=True, blank=True)
    lost_since = models.DateField(_("失联日期"), null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["outflow_path", "-left_on", "id"]
        verbose_name = _("流动党员")
        verbose_name_plural = _("流动党员")
        indexes = [
            models.Index(fields=["outflow_path"], name="mobile_outflow"),
            models.Index(fields=["inflow_path"], name="mobile_inflow"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(returned_on__isnull=True), name="mobile_one_open"
            ),
        ]

    def __str__(self) -> str:
        return self.certificate_number

    @property
    def contact_masked(self) -> str:
        return member_rules.mask_phone(self.contact) if self.contact else ""


class MobileActivity(TimeStampedModel):
    """A mobile member's participation, recorded by the inflow organisation."""

    record = models.ForeignKey(MobileRecord, on_delete=models.PROTECT, related_name="activities")
    held_on = models.DateField(_("日期"))
    what = models.CharField(_("参加的活动"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["record_id", "-held_on", "id"]
        verbose_name = _("流动党员活动")

    def __str__(self) -> str:
        return self.what


# Training and tests online ---------------------------------------------------------------------


class Audience(models.TextChoices):
    """Whom a course or a test is for."""

    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    WORKER = "worker", _("发展党员工作者")


class Course(TimeStampedModel):
    """A course of the training with its hours, given by an organisation to its subtree."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("课程名称"), max_length=100)
    hours = models.PositiveSmallIntegerField(_("学时"))
    audience = models.CharField(_("培训对象"), max_length=12, choices=Audience.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["org_path", "title", "id"]
        verbose_name = _("培训课程")
        indexes = [models.Index(fields=["org_path"], name="course_scope")]

    def __str__(self) -> str:
        return self.title


class Attendance(TimeStampedModel):
    """An applicant took a course on a day (their hours count toward the training step)."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="attendances")
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="attendances")
    attended_on = models.DateField(_("日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["applicant_id", "attended_on", "id"]
        verbose_name = _("参训记录")
        constraints = [models.UniqueConstraint(fields=["course", "applicant"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.course_id}"


class QuestionBank(TimeStampedModel):
    """A bank of questions kept by an organisation (the county's 组织部), used by its subtree."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("题库名称"), max_length=100)

    class Meta:
        ordering = ["org_path", "title", "id"]
        verbose_name = _("题库")
        verbose_name_plural = _("题库")
        indexes = [models.Index(fields=["org_path"], name="bank_scope")]

    def __str__(self) -> str:
        return self.title


class Question(TimeStampedModel):
    """One question with its options and answer (letters: "A", "AC"; a true/false one has the
    options 正确 and 错误)."""

    class Kind(models.TextChoices):
        SINGLE = rules.SINGLE, _("单选题")
        MULTIPLE = rules.MULTIPLE, _("多选题")
        JUDGE = rules.JUDGE, _("判断题")

    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="questions")
    kind = models.CharField(_("题型"), max_length=8, choices=Kind.choices)
    text = models.CharField(_("题干"), max_length=500)
    options = models.JSONField(_("选项"), default=list)
    answer = models.CharField(_("答案"), max_length=8)
    points = models.PositiveSmallIntegerField(_("分值"), default=1)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["bank_id", "kind", "id"]
        verbose_name = _("试题")

    def __str__(self) -> str:
        return self.text[:30]

    def as_rule(self) -> rules.QuestionRule:
        return rules.QuestionRule(id=self.pk, kind=self.kind, answer=self.answer, points=self.points,
                                  options=len(self.options))  # fmt: skip


class Exam(TimeStampedModel):
    """A test drawn at random from a bank: how many of each kind, the pass mark, the attempts,
    an optional time limit. For 发展对象 (the training step needs it passed) or for workers
    (passing certifies them for `valid_months`)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    org_path = models.CharField(max_length=255, editable=False)
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="exams")
    title = models.CharField(_("测试名称"), max_length=100)
    audience = models.CharField(
        _("对象"), max_length=12, choices=Audience.choices, default=Audience.CANDIDATE
    )
    single_count = models.PositiveSmallIntegerField(_("单选题数"), default=10)
    multiple_count = models.PositiveSmallIntegerField(_("多选题数"), default=5)
    judge_count = models.PositiveSmallIntegerField(_("判断题数"), default=5)
    pass_percent = models.PositiveSmallIntegerField(_("及格线（得分率 %）"), default=60)
    max_attempts = models.PositiveSmallIntegerField(_("最多测试次数"), default=3)
    time_limit = models.PositiveSmallIntegerField(_("限时（分钟，0 为不限）"), default=0)
    valid_months = models.PositiveSmallIntegerField(_("资格有效期（月）"), default=24)  # workers only
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["org_path", "audience", "id"]
        verbose_name = _("在线测试")
        indexes = [models.Index(fields=["audience", "org_path"], name="exam_scope")]
        constraints = [
            # one test in force per organisation and audience: the nearest one up the tree applies
            models.UniqueConstraint(
                fields=["organization", "audience"],
                condition=models.Q(active=True),
                name="exam_one_active",
                violation_error_message=_("本组织已有一项面向该对象的在线测试。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def counts(self) -> dict[str, int]:
        return {
            rules.SINGLE: self.single_count,
            rules.MULTIPLE: self.multiple_count,
            rules.JUDGE: self.judge_count,
        }


class Sitting(TimeStampedModel):
    """One attempt at a test: the paper drawn for it, the answers and the grade. An applicant's
    is opened by a one-time code the organiser issues; a worker's by the worker, logged in."""

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="sittings")
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, null=True, blank=True, related_name="sittings"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)  # the applicant's or the worker's
    number = models.PositiveSmallIntegerField(_("第几次"))
    # the one-time code is shown once, when issued (the issuing service leaves it on the instance
    # as `code`); the table keeps only its keyed hash, looked up and compared in constant time
    code_hash = models.BinaryField(max_length=32, unique=True)
    paper = models.JSONField(default=list)  # question ids in the order shown
    answers = models.JSONField(default=dict)  # question id → letters
    expires_at = models.DateTimeField(_("测试码有效期至"))
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("得分"), null=True, blank=True)
    total = models.PositiveSmallIntegerField(_("满分"), default=0)
    passed = models.BooleanField(_("通过"), default=False)
    late = models.BooleanField(_("超时"), default=False)
    valid_until = models.DateField(_("资格有效期至"), null=True, blank=True)  # workers who passed
    expiry_reminded_on = models.DateField(null=True, blank=True)  # the worker was told it runs out
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["exam_id", "org_path", "-created_at", "id"]
        verbose_name = _("测试记录")
        indexes = [models.Index(fields=["org_path"], name="sitting_scope")]
        constraints = [
            models.UniqueConstraint(fields=["exam", "applicant", "number"], name="sitting_applicant_number",
                                    condition=models.Q(applicant__isnull=False)),
            models.UniqueConstraint(fields=["exam", "user", "number"], name="sitting_user_number",
                                    condition=models.Q(user__isnull=False)),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.exam_id} #{self.number}"

    @property
    def percent(self) -> int | None:
        return rules.percent(self.score, self.total) if self.score is not None else None


class Plan(TimeStampedModel):
    """发展党员计划: the year's number and structure set for an organisation by the level above."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    total = models.PositiveIntegerField(_("发展总数"))
    young = models.PositiveIntegerField(_("35岁以下"), default=0)
    women = models.PositiveIntegerField(_("女性"), default=0)
    frontline = models.PositiveIntegerField(_("生产工作一线"), default=0)
    fields = models.JSONField(_("分领域"), default=dict, blank=True)  # Organization.Field value → count
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["year", "org_path"]
        verbose_name = _("发展党员计划")
        verbose_name_plural = _("发展党员计划")
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="plan_once_a_year")]
        indexes = [models.Index(fields=["year", "org_path"], name="plan_scope")]

    def __str__(self) -> str:
        return f"{self.org_path} {self.year}"
