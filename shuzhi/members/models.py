from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.core import dates
from shuzhi.core.models import TimeStampedModel
from shuzhi.core.protection import EncryptedCharField, keyed_hash
from shuzhi.members import rules

ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族",
    "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族",
    "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族",
    "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族",
    "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族",
    "门巴族", "珞巴族", "基诺族",
]  # fmt: skip

ID_NUMBER_PURPOSE = "id_number"
PHONE_PURPOSE = "phone"


class DatePrecision(models.TextChoices):
    DAY = dates.DAY, _("年月日")
    MONTH = dates.MONTH, _("年月")  # the day was never recorded: stored as the 1st, shown as 1975-03


class Member(TimeStampedModel):
    """A party member (党员). ID number and phone are encrypted; look them up by keyed hash."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Status(models.TextChoices):
        FULL = "full", _("正式党员")
        PROBATIONARY = "probationary", _("预备党员")  # in the probation year after admission

    class Category(models.TextChoices):
        EMPLOYED = "employed", _("在职")
        RETIRED = "retired", _("离退休")
        FARMER = "farmer", _("农牧渔民")
        STUDENT = "student", _("学生")
        MOBILE = "mobile", _("流动")  # works away from the organisation that holds their record
        OTHER = "other", _("其他")

    class Education(models.TextChoices):
        POSTGRADUATE = "postgraduate", _("研究生")
        BACHELOR = "bachelor", _("大学本科")
        COLLEGE = "college", _("大学专科")
        SECONDARY_VOCATIONAL = "secondary_vocational", _("中专")
        HIGH_SCHOOL = "high_school", _("高中")
        JUNIOR = "junior", _("初中及以下")

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(
        _("民族"), max_length=10, choices=[(e, e) for e in ETHNICITIES], default="汉族"
    )
    birth_date = models.DateField(_("出生日期"))
    id_number = EncryptedCharField(_("身份证号"))
    id_number_hash = models.BinaryField(max_length=32)
    phone = EncryptedCharField(_("联系电话"), blank=True)
    phone_hash = models.BinaryField(max_length=32, blank=True, default=b"")
    education = models.CharField(_("学历"), max_length=24, choices=Education.choices)
    joined_on = models.DateField(_("入党日期"))
    joined_on_precision = models.CharField(
        _("入党日期精度"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    full_member_on = models.DateField(_("转正日期"), null=True, blank=True)
    full_member_on_precision = models.CharField(
        _("转正日期精度"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    status = models.CharField(_("党员状态"), max_length=16, choices=Status.choices, default=Status.FULL)
    category = models.CharField(_("人员类别"), max_length=16, choices=Category.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所在党组织"),
        on_delete=models.PROTECT,
        related_name="members",
        # rows of one organisation are found by org_path (member_scope_order), not by this column
        db_index=False,
    )
    # Copy of organization.path so that subtree filters and ordering use one index on this
    # table; kept by the member services and by organisation moves.
    org_path = models.CharField(max_length=255, editable=False)
    # Copy of the lifecycle departure's date (退党, 除名, 死亡, 转出 …), set by the departure service
    # in the same transaction: the roster and the counters leave such members out without
    # reaching up into lifecycle. Empty for a member who is still a member.
    left_on = models.DateField(_("减少日期"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["org_path", "name", "id"]
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        # Every index slows the bulk import, so only those a query uses; declared here rather than
        # with db_index/unique, which on PostgreSQL add a second (LIKE-pattern) index to text columns.
        indexes = [
            # subtree ranges, one organisation's members, and the list's order
            models.Index(fields=["org_path", "name", "id"], name="member_scope_order"),
            # probationary members by age (the list's total of a city's young 预备党员 read every
            # member, 80 ms on 290,000): partial, so the import maintains it for their few rows only
            models.Index(
                fields=["birth_date", "org_path"],
                condition=models.Q(status="probationary"),
                name="member_probationary_age",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                name="member_id_number_unique",
                violation_error_message=_("该身份证号已登记在另一名党员名下。"),
                violation_error_code="unique",  # so that the error sits on the field
            )
        ]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, raw: str) -> None:
        value = rules.normalise_id_number(raw)
        self.id_number = value
        self.id_number_hash = keyed_hash(value, purpose=ID_NUMBER_PURPOSE)

    def set_phone(self, raw: str) -> None:
        value = rules.normalise_phone(raw)
        self.phone = value
        self.phone_hash = keyed_hash(rules.phone_lookup_form(value), purpose=PHONE_PURPOSE) if value else b""

    @property
    def id_number_masked(self) -> str:
        return rules.mask_id_number(self.id_number or "")

    @property
    def phone_masked(self) -> str:
        return rules.mask_phone(self.phone) if self.phone else ""

    @property
    def age(self) -> int:
        return rules.age_on(self.birth_date, timezone.localdate())

    @property
    def joined(self):
        """入党日期 as known: a date, or a dates.MonthDate when only its month is known."""
        return dates.known(self.joined_on, self.joined_on_precision)

    @property
    def full_member(self):
        """转正日期 as known (None for a probationary member)."""
        return dates.known(self.full_member_on, self.full_member_on_precision)

    def set_dates(self, *, joined, full_member) -> None:
        """Set 入党日期 and 转正日期 from dates as known (a MonthDate keeps its month only)."""
        self.joined_on, self.joined_on_precision = dates.plain(joined), dates.precision(joined)
        self.full_member_on, self.full_member_on_precision = (
            dates.plain(full_member),
            dates.precision(full_member),
        )

    def clean(self) -> None:
        errors = rules.member_problems(
            id_number=self.id_number or "",
            birth_date=self.birth_date,
            gender=self.gender,
            phone=self.phone,
            joined_on=self.joined,
            full_member_on=self.full_member,
            probationary=self.status == self.Status.PROBATIONARY,
            today=timezone.localdate(),
        )
        for field in ("joined_on", "full_member_on"):
            value = getattr(self, field)
            if getattr(self, f"{field}_precision") == DatePrecision.MONTH and value and value.day != 1:
                errors.setdefault(field, _("只知年月的日期应存为当月1日。"))
        if errors:
            raise ValidationError(errors)
