from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.records.models import Attendance, Kind, Requirement
from shuzhi.records.services import ATTACHMENT_MAX_BYTES, ATTACHMENTS_MAX, MIN_MEMBERS_MAX, TIMES_MAX, Mark

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PRESENT = "present"
MARKS = [(PRESENT, _("出席")), *Attendance.Absence.choices]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        # a phone offers its camera as well as its files for images
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,.jpg,.jpeg,.png,.pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class MeetingForm(StyledFormMixin, forms.Form):
    """One record: what, when, who led it, who attended (the roster, each present or absent with
    a reason) and its photos or sign-in sheets. Nothing about where or when anyone checked in."""

    kind = forms.ChoiceField(label=_("类型"), choices=())
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    topic = forms.CharField(label=_("主题"), max_length=200)
    host = forms.CharField(label=_("主持人"), max_length=50)
    teacher = forms.CharField(
        label=_("授课人"),
        max_length=50,
        required=False,
        help_text=_("党课必填；支部书记讲授的党课计入“书记每年讲党课”。"),
    )
    minutes = forms.CharField(label=_("会议记录"), max_length=20000, required=False,
                              widget=forms.Textarea(attrs={"rows": 5}))  # fmt: skip
    files = MultipleFileField(
        label=_("照片、签到表（可多选）"), required=False,
        help_text=_("jpg、png、pdf，每个不超过 %(mb)d MB，最多 %(n)d 个；不要求上传。")
        % {"mb": ATTACHMENT_MAX_BYTES // 1024 // 1024, "n": ATTACHMENTS_MAX},
    )  # fmt: skip

    def __init__(self, *args, kinds, roster, secretary_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.roster = list(roster)
        if not self.is_bound:
            self.fields["held_on"].initial = timezone.localdate()
            if secretary_name:
                self.fields["host"].initial = secretary_name
        for member in self.roster:
            self.fields[f"a{member.pk}"] = forms.ChoiceField(
                label=member.name,
                choices=MARKS,
                initial=PRESENT,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        self.fields["teacher"].widget.attrs["list"] = "roster-names"

    def attendance_rows(self):
        return [(member, self[f"a{member.pk}"]) for member in self.roster]

    def marks(self) -> dict[int, Mark]:
        out = {}
        for member in self.roster:
            value = self.cleaned_data.get(f"a{member.pk}") or PRESENT
            out[member.pk] = Mark(present=value == PRESENT, absence="" if value == PRESENT else value)
        return out


class WithdrawForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


KIND_CHOICES = Kind.choices


class DuesAccountForm(StyledFormMixin, forms.Form):
    base = forms.DecimalField(label=_("月交纳基数（元）"), min_value=0, max_digits=10, decimal_places=2,
                              help_text=_("在职党员按每月工资收入（税后）计算；农牧渔民、学生按固定标准，可填 0。"))  # fmt: skip
    exempt_reason = forms.CharField(
        label=_("减免理由"), max_length=200, required=False,
        help_text=_("生活困难等经支部研究同意减免的，填写理由；不减免请留空。"),
    )  # fmt: skip


class DuesPaymentForm(StyledFormMixin, forms.Form):
    month = forms.DateField(label=_("所属月份"), input_formats=["%Y-%m", "%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))  # fmt: skip
    paid_on = forms.DateField(label=_("交纳日期"), widget=DATE)
    members = forms.TypedMultipleChoiceField(label=_("已交纳的党员"), coerce=int, choices=(),
                                             widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(m.pk, m.name) for m in roster]
        self.fields["members"].widget.attrs["class"] = "form-check-input"
        if not self.is_bound:
            today = timezone.localdate()
            self.fields["month"].initial = today.replace(day=1)
            self.fields["paid_on"].initial = today


class LedgerForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("台账文件（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )


class CommitmentForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("承诺事项"), max_length=300)


class ReviewForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("践诺情况"), choices=[
        ("kept", _("已践诺")), ("partly", _("部分践诺")), ("not_kept", _("未践诺"))])  # fmt: skip
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class PointsItemForm(StyledFormMixin, forms.Form):
    part = forms.ChoiceField(label=_("项目"), choices=())
    points = forms.DecimalField(label=_("分值"), max_digits=5, decimal_places=1)
    reason = forms.CharField(label=_("理由"), max_length=200)

    def __init__(self, *args, parts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["part"].choices = [(p["name"], f"{p['name']}（满分 {p['points']}）") for p in parts
                                       if p["source"] == "manual"]  # fmt: skip


class ExemptionForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("免考组织生活的理由"), max_length=200, required=False,
                             help_text=_("如 70 岁以上、患病、外出务工；留空并保存即取消。"))  # fmt: skip


class DecisionForm(StyledFormMixin, forms.Form):
    grade = forms.ChoiceField(label=_("评定等次"), choices=[("优秀", _("优秀")), ("合格", _("合格")),
                                                        ("基本合格", _("基本合格")), ("不合格", _("不合格"))])  # fmt: skip
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    follow_up = forms.ChoiceField(label=_("不合格的处置"), required=False, choices=[
        ("", "—"), ("correct", _("限期改正")), ("advise", _("劝其退党")), ("expel", _("除名"))])  # fmt: skip
    follow_up_on = forms.DateField(label=_("处置日期"), required=False, widget=DATE)


class SelfAssessmentForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("个人自评"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))


class RequirementForm(StyledFormMixin, forms.Form):
    """One frequency: how many times per month, quarter or year, asked of branches of at least
    so many members, or not asked at all."""

    label = forms.CharField(
        label=_("名称"),
        max_length=40,
        help_text=_("在各支部的完成情况中显示，请与频次一致，如“支部党员大会每季度至少 1 次”。"),
    )
    period = forms.ChoiceField(label=_("周期"), choices=Requirement.Period.choices)
    times = forms.IntegerField(label=_("每个周期至少次数"), min_value=1, max_value=TIMES_MAX)
    min_members = forms.IntegerField(
        label=_("适用的最少党员数"), min_value=0, max_value=MIN_MEMBERS_MAX,
        help_text=_("党员人数少于此数的支部不要求（如支委会：7 人以上的支部才设支委会）；0 表示所有支部。"),
    )  # fmt: skip
    active = forms.BooleanField(label=_("启用（计入完成情况）"), required=False)


SOURCE_CHOICES = [
    ("attendance", _("组织生活（按出席比例）")),
    ("dues", _("党费（按交纳月份比例）")),
    ("commitments", _("承诺践诺（按践诺情况）")),
    ("manual", _("手工评定（逐条写明理由）")),
]


class SchemeForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("积分办法名称"), max_length=60)


class SchemePartForm(StyledFormMixin, forms.Form):
    """One part of a points scheme; a row left empty is not a part."""

    part_name = forms.CharField(label=_("项目名称"), max_length=30)
    source = forms.ChoiceField(
        label=_("计分来源"), choices=[("", "—"), *SOURCE_CHOICES]
    )  # a blank row stays blank
    points = forms.IntegerField(label=_("分值"), min_value=1, max_value=100)


SchemePartFormSet = forms.formset_factory(
    SchemePartForm, extra=2, max_num=10, validate_max=True, can_delete=True
)


class DuesBandForm(StyledFormMixin, forms.Form):
    lower = forms.DecimalField(label=_("月基数以上（元）"), max_digits=10, decimal_places=2, required=False)
    upper = forms.DecimalField(
        label=_("至（元，含；不填表示没有上限）"), max_digits=10, decimal_places=2, required=False
    )
    percent = forms.DecimalField(label=_("比例（%）"), max_digits=5, decimal_places=2, required=False)
    amount = forms.DecimalField(label=_("固定金额（元/月）"), max_digits=8, decimal_places=2, required=False)

    def __init__(self, *args, flat: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lower", "upper", "percent") if flat else ("amount",):
            del self.fields[name]
        for name in ("amount",) if flat else ("lower", "percent"):
            self.fields[name].required = True
