from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.core.models import TimeStampedModel
from shuzhi.core.protection import EncryptedCharField
from shuzhi.members import rules as member_rules
from shuzhi.members.models import Member


class ChecklistItem(TimeStampedModel):
    """One entry of the standard 党员档案 checklist: data, seeded by a data migration."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("顺序"), unique=True)
    name = models.CharField(_("材料"), max_length=60)
    required = models.BooleanField(_("必备"), default=True)
    # required only of 正式党员 (转正 materials): a 预备党员's file is complete without them
    full_only = models.BooleanField(_("仅正式党员必备"), default=False)
    # 发展党员 steps (lifecycle Step codes, comma-separated) whose scans count as this entry
    step_codes = models.CharField(_("对应发展党员步骤"), max_length=200, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("党员档案材料")
        verbose_name_plural = _("党员档案材料目录")

    def __str__(self) -> str:
        return self.name

    @property
    def steps(self) -> list[str]:
        return [code.strip() for code in self.step_codes.split(",") if code.strip()]


class Scan(TimeStampedModel):
    """A scan of one checklist entry of a member's file (checked upload, sealed by the storage)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="file_scans")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="scans")
    file = models.FileField(upload_to="dossiers/%Y/")
    original_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    # empty for rows written in bulk (demo and generated cities)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)  # fmt: skip

    class Meta:
        ordering = ["member_id", "item_id", "id"]
        verbose_name = _("党员档案扫描件")
        verbose_name_plural = _("党员档案扫描件")
        indexes = [models.Index(fields=["member", "item"], name="dossier_scan_member_item")]

    def __str__(self) -> str:
        return self.original_name


class TalentRule(TimeStampedModel):
    """The talent reserve's targets (seed 002: 每个村不少于20人, 党员能人占20%以上) and the reserve
    cadres wanted per post: one row, seeded by a data migration, changed by the organiser."""

    code = models.SlugField(max_length=20, unique=True, default="default")
    min_count = models.PositiveSmallIntegerField(_("每村能人不少于（人）"), default=20)
    member_share = models.PositiveSmallIntegerField(_("党员能人占比不低于（%）"), default=20)
    reserves_per_post = models.PositiveSmallIntegerField(_("每个岗位后备干部（人）"), default=2)

    class Meta:
        ordering = ["code"]
        verbose_name = _("能人储备标准")

    def __str__(self) -> str:
        return self.code


class Talent(TimeStampedModel):
    """A village's capable person (能人) in the reserve; a party member is linked to the roster,
    and one who applied to join is linked to their 发展党员 record."""

    class Category(models.TextChoices):
        RICH = "rich", _("致富能手")
        GRADUATE = "graduate", _("返乡大学生")
        VETERAN = "veteran", _("退役军人")
        MIGRANT = "migrant", _("外出务工经商返乡人员")
        COOPERATIVE = "cooperative", _("合作社带头人")
        PROFESSIONAL = "professional", _("乡村医生教师等专业人才")
        OTHER = "other", _("其他")

    village = models.ForeignKey("orgs.Organization", verbose_name=_("所在村"), on_delete=models.PROTECT,
                                related_name="+", db_index=False)  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    contact = EncryptedCharField(_("联系电话"), blank=True)
    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")  # fmt: skip
    applicant = models.ForeignKey("lifecycle.Applicant", verbose_name=_("发展党员记录"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")  # fmt: skip
    note = models.CharField(_("备注"), max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                 blank=True)  # fmt: skip

    class Meta:
        ordering = ["org_path", "name", "id"]
        verbose_name = _("能人")
        verbose_name_plural = _("能人储备库")
        indexes = [models.Index(fields=["org_path", "name", "id"], name="talent_scope_order")]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_masked(self) -> str:
        return member_rules.mask_phone(self.contact) if self.contact else ""


class ReserveCadre(TimeStampedModel):
    """A talent named as 后备干部 for one of the village's posts."""

    class Post(models.TextChoices):
        SECRETARY = "secretary", _("村党组织书记")
        COMMITTEE = "committee", _("村“两委”委员")

    talent = models.ForeignKey(Talent, on_delete=models.PROTECT, related_name="reserve_posts")
    post = models.CharField(_("后备岗位"), max_length=12, choices=Post.choices)
    named_on = models.DateField(_("确定日期"))

    class Meta:
        ordering = ["talent_id", "post"]
        verbose_name = _("后备干部")
        verbose_name_plural = _("后备干部")
        constraints = [models.UniqueConstraint(fields=["talent", "post"], name="reserve_once_per_post")]

    def __str__(self) -> str:
        return f"{self.talent_id} {self.post}"


class CommunityRegistration(TimeStampedModel):
    """到社区报到: an in-service member registered with the community where they live."""

    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="community_registration")
    community = models.ForeignKey("orgs.Organization", verbose_name=_("报到社区"), on_delete=models.PROTECT,
                                  related_name="+", db_index=False)  # fmt: skip
    community_path = models.CharField(max_length=255, editable=False)
    registered_on = models.DateField(_("报到日期"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                      blank=True)  # fmt: skip

    class Meta:
        ordering = ["community_path", "member_id"]
        verbose_name = _("到社区报到")
        verbose_name_plural = _("到社区报到")
        indexes = [models.Index(fields=["community_path"], name="registration_community")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.community_id}"


class ServiceActivity(TimeStampedModel):
    """A service activity held by a community, with the registered members who joined it."""

    community = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    community_path = models.CharField(max_length=255, editable=False)
    held_on = models.DateField(_("日期"))
    title = models.CharField(_("活动内容"), max_length=200)
    members = models.ManyToManyField(Member, related_name="service_activities", verbose_name=_("参加党员"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)  # fmt: skip

    class Meta:
        ordering = ["community_path", "-held_on", "id"]
        verbose_name = _("社区服务活动")
        verbose_name_plural = _("社区服务活动")
        indexes = [models.Index(fields=["community_path", "held_on"], name="service_community_day")]

    def __str__(self) -> str:
        return self.title


class FileState(models.Model):
    """Whether a member's own scans hold every required entry, for a 正式 and for a 预备 member:
    kept by the services whenever a scan is stored or removed or the checklist changes (through
    `services.file_states_refresh`, also run by `manage.py files_refresh` after bulk writes), so
    that a county's roll-up counts rows of one table instead of every scan. Scans kept with the
    发展党员 steps are added when the roll-up is read (they change outside this app)."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, primary_key=True, related_name="+")
    full_ok = models.BooleanField(default=False)
    probationary_ok = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["member_id"]
        verbose_name = _("党员档案齐全情况")

    def __str__(self) -> str:
        return f"{self.member_id} {self.full_ok} {self.probationary_ok}"
