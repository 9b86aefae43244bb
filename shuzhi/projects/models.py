"""The year's commitments: a round of declarations (问题清单, 责任清单, 书记领办项目) opened by
an organiser for its reporting units, the projects' quarterly progress and 督查办's ratings."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuzhi.core.models import TimeStampedModel
from shuzhi.core.protection import EncryptedCharField
from shuzhi.cycles.models import LATE_STATUSES, ReportStatus

QUARTERS = (1, 2, 3, 4)


class Round(TimeStampedModel):
    """One organisation's declaration round for a year: who declares, by when, the quarters'
    due dates for progress reports and the rating scheme 督查办 rates by."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    declare_due = models.DateField(_("申报截止日期"))
    q1_due = models.DateField(_("第一季度进展截止"))
    q2_due = models.DateField(_("第二季度进展截止"))
    q3_due = models.DateField(_("第三季度进展截止"))
    q4_due = models.DateField(_("第四季度进展截止"))
    # the ratings 督查办 chooses from, best first: [{"label": "好", "score": 100}, …]
    rating_scheme = models.JSONField(_("评价等次"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "org_path"]
        verbose_name = _("申报批次")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="project_round_one_per_org_year",
                violation_error_message=_("本单位该年度已开启申报。"),
            )
        ]
        indexes = [models.Index(fields=["org_path", "year"], name="project_round_scope")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:round", args=[self.pk])

    def quarter_due(self, quarter: int):
        return getattr(self, f"q{quarter}_due")

    def clean(self) -> None:
        dues = [self.quarter_due(q) for q in QUARTERS]
        if (
            all(dues)
            and self.declare_due
            and not (self.declare_due <= dues[0] <= dues[1] <= dues[2] <= dues[3])
        ):
            raise ValidationError(
                {"q1_due": _("各季度进展截止日期须不早于申报截止日期，并按季度先后排列。")},
                code="dues_order",
            )


class Declaration(TimeStampedModel):
    """A reporting unit's declaration for the year; it follows the duty report's workflow
    (draft → submitted → returned/accepted) by the same statuses."""

    Status = ReportStatus

    round = models.ForeignKey(
        Round, verbose_name=_("申报批次"), on_delete=models.CASCADE, related_name="declarations"
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("申报单位"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("书记"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.CharField(_("分组"), max_length=30)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    return_reason = models.TextField(_("退回理由"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["round_id", "position", "id"]
        verbose_name = _("年度申报")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"],
                name="declaration_once_per_round",
                violation_error_message=_("该单位已在本批次的申报名单中。"),
            )
        ]
        indexes = [models.Index(fields=["org_path"], name="declaration_scope")]

    def __str__(self) -> str:
        return f"{self.organization.name} · {self.round.year}"

    def get_absolute_url(self) -> str:
        return reverse("projects:declaration", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in LATE_STATUSES

    @property
    def is_reviewable(self) -> bool:
        return self.status == self.Status.SUBMITTED


class DeclaredItem(TimeStampedModel):
    """One line of a declaration: a problem (问题清单) or a duty (责任清单)."""

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("问题")  # 问题清单: what is wrong, how it was found
        DUTY = "duty", _("责任")  # 责任清单: a measurable target with an owner

    declaration = models.ForeignKey(
        Declaration, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("内容"), max_length=300)
    category = models.CharField(_("类别"), max_length=30, blank=True)
    evidence = models.CharField(_("查找依据"), max_length=300, blank=True)
    target = models.CharField(_("量化目标"), max_length=200, blank=True)
    owner = models.CharField(_("责任人"), max_length=50, blank=True)
    due = models.DateField(_("完成时限"), null=True, blank=True)
    # a problem offered from last year's rectification, so it is not typed twice
    carried_from = models.ForeignKey(
        "rectification.Item",
        verbose_name=_("来自整改事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # a problem found by a questionnaire (问卷调查), turned into this item in one step
    found_by = models.ForeignKey(
        "projects.Question",
        verbose_name=_("来自问卷题目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems",
    )
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["declaration_id", "kind", "position", "id"]
        verbose_name = _("申报条目")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="duty") | (models.Q(target="") & models.Q(owner="")),
                name="declared_item_target_duties",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]

    def clean(self) -> None:
        if self.kind == self.Kind.DUTY and not (self.target.strip() and self.owner.strip()):
            raise ValidationError(
                {"target": _("责任清单的每一项都要写明量化目标和责任人。")}, code="duty_incomplete"
            )


class Project(TimeStampedModel):
    """A 书记领办项目: the problem it attacks, its goals and quarterly milestones."""

    declaration = models.ForeignKey(
        Declaration, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="projects"
    )
    title = models.CharField(_("项目名称"), max_length=100)
    problem = models.ForeignKey(
        DeclaredItem, verbose_name=_("针对的问题"), on_delete=models.PROTECT, related_name="projects"
    )
    goals = models.JSONField(_("目标"), default=list)  # [{"goal", "target", "due"}] (rules.parse_goals)
    milestones = models.JSONField(_("季度节点"), default=list)  # four texts, one per quarter
    team = models.CharField(_("团队成员"), max_length=300, blank=True)
    budget = models.DecimalField(_("预算（万元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    exemplary = models.BooleanField(_("可复制可推广"), default=False)
    exemplary_note = models.CharField(_("推广理由"), max_length=300, blank=True)
    exemplary_at = models.DateTimeField(_("评为典型时间"), null=True, blank=True)

    class Meta:
        ordering = ["declaration_id", "id"]
        verbose_name = _("书记领办项目")
        indexes = [models.Index(fields=["exemplary"], name="project_exemplary")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:project", args=[self.pk])

    def clean(self) -> None:
        if len(self.milestones) != 4 or not all(str(m).strip() for m in self.milestones):
            raise ValidationError({"milestones": _("请填写四个季度各自的节点目标。")}, code="milestones")
        if not self.goals:
            raise ValidationError({"goals": _("请至少写一条目标及其量化指标和完成日期。")}, code="goals")
        if self.problem_id and self.declaration_id and self.problem.declaration_id != self.declaration_id:
            raise ValidationError({"problem": _("只能选择本单位问题清单中的问题。")}, code="problem_other")
        if self.problem_id and self.problem.kind != DeclaredItem.Kind.PROBLEM:
            raise ValidationError({"problem": _("项目须针对问题清单中的一项。")}, code="problem_kind")


class Progress(TimeStampedModel):
    """A unit's report of one quarter of a project: what was done against the milestone."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="progress"
    )
    quarter = models.PositiveSmallIntegerField(_("季度"))
    done = models.TextField(_("推进情况"), max_length=2000)
    figures = models.CharField(_("数据指标"), max_length=300, blank=True)
    late = models.BooleanField(_("逾期报送"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["project_id", "quarter"]
        verbose_name = _("季度进展")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "quarter"],
                name="progress_once_per_quarter",
                violation_error_message=_("该季度的进展已经报送。"),
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="progress_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} Q{self.quarter}"


class Rating(TimeStampedModel):
    """督查办's rating of one quarter's progress, by the round's scheme."""

    progress = models.OneToOneField(
        Progress, verbose_name=_("季度进展"), on_delete=models.CASCADE, related_name="rating"
    )
    label = models.CharField(_("评价"), max_length=20)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    comment = models.TextField(_("督查意见"), max_length=1000)
    onsite = models.TextField(_("实地查看情况"), max_length=2000, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("督查人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["progress_id"]
        verbose_name = _("督查评价")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100), name="rating_score_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.progress} {self.label}"


class ProjectFile(TimeStampedModel):
    """An attachment of a project (its plan) or evidence of one quarter's progress."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="files"
    )
    progress = models.ForeignKey(
        Progress,
        verbose_name=_("季度进展"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
    )
    file = models.FileField(_("文件"), upload_to="projects/%Y/")
    original_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["project_id", "id"]
        verbose_name = _("项目附件")

    def __str__(self) -> str:
        return self.original_name


# ---- 问卷调查: finding problems before reporting ---------------------------------------------------
# A questionnaire is answered anonymously, the way ballots are: a one-time code (printed on a slip
# with its QR code) or an open link limited per address. Who used a code (QuestionnaireUse) and
# what was answered (QuestionnaireResponse and its answers) are stored apart, without user,
# address or time, with random ids, and rewritten in a random order at closing
# (core.secrecy.rewrite_shuffled), so no order in the storage ties a code to a response.
class Questionnaire(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")  # questions being built; nobody can answer
        PUBLISHED = "published", _("收集中")  # codes handed out or link shared; answers coming in
        CLOSED = "closed", _("已结束")  # counted, rewritten; results shown

    class Mode(models.TextChoices):
        CODES = "codes", _("一次性答题码")  # printed slips, one answer each
        OPEN = "open", _("公开链接")  # one link, answers limited per address

    class Audience(models.TextChoices):
        MEMBERS = "members", _("党员")
        RESIDENTS = "residents", _("群众")

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("调查单位"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("问卷名称"), max_length=100)
    intro = models.TextField(_("说明"), max_length=1000, blank=True)
    audience = models.CharField(
        _("调查对象"), max_length=10, choices=Audience.choices, default=Audience.MEMBERS
    )
    mode = models.CharField(_("答题方式"), max_length=8, choices=Mode.choices, default=Mode.CODES)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    min_group = models.PositiveSmallIntegerField(_("显示结果的最少份数"), default=5)
    open_key = models.CharField(max_length=32, blank=True, editable=False)  # the open link's key
    responses = models.PositiveIntegerField(_("收回问卷"), default=0)  # counted at closing
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "org_path", "-id"]
        verbose_name = _("调查问卷")
        indexes = [models.Index(fields=["org_path", "year"], name="questionnaire_scope")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:survey", args=[self.pk])


class Question(TimeStampedModel):
    class Kind(models.TextChoices):
        SINGLE = "single", _("单选")
        MULTIPLE = "multiple", _("多选")
        RATING = "rating", _("评分（1–5）")
        TEXT = "text", _("文字")

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("题号"))
    kind = models.CharField(_("题型"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("题目"), max_length=200)
    options = models.JSONField(_("选项"), default=list, blank=True)  # texts, for single and multiple
    required = models.BooleanField(_("必答"), default=True)

    class Meta:
        ordering = ["questionnaire_id", "position", "id"]
        verbose_name = _("问卷题目")

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:30]}"

    @property
    def has_options(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)


class QuestionnaireCode(models.Model):
    """A one-time code on a slip. Found by its keyed hash; the token sealed so slips can be printed again."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="codes")
    serial = models.PositiveIntegerField(_("编号"))
    token_hash = models.BinaryField(max_length=32, unique=True)
    token = EncryptedCharField(_("答题码"))

    class Meta:
        ordering = ["questionnaire_id", "serial"]
        verbose_name = _("答题码")

    def __str__(self) -> str:
        return f"{self.questionnaire_id}-{self.serial}"


class QuestionnaireUse(models.Model):
    """This code has been used; nothing about the response, no time."""

    code = models.OneToOneField(
        QuestionnaireCode, primary_key=True, on_delete=models.CASCADE, related_name="use"
    )
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("已用答题码")

    def __str__(self) -> str:
        return str(self.code_id)


class QuestionnaireResponse(models.Model):
    """One anonymous filled-in questionnaire: no code, no user, no address, no time; a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("答卷")

    def __str__(self) -> str:
        return str(_("答卷"))


class Answer(models.Model):
    """One answer of a response: a chosen option (one row per option of a multiple choice), a
    rating 1–5 or a text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(QuestionnaireResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    option = models.PositiveSmallIntegerField(null=True, blank=True)  # index into question.options
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(max_length=1000, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("答案")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="answer_rating_range",
            )
        ]

    def __str__(self) -> str:
        return str(_("答案"))
