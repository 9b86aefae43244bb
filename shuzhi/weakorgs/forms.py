from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.orgs.models import Organization
from shuzhi.weakorgs.services import FILES_MAX

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,.jpg,.jpeg,.png,.pdf,.docx"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.TextInput)


class PlanForm(StyledFormMixin, forms.Form):
    """一村一策."""

    problems = forms.CharField(label=_("存在问题"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("整顿措施"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("整顿时限"), widget=DATE)
    responsible_leader = forms.CharField(label=_("责任领导"), max_length=50)
    liaison_leader = forms.CharField(label=_("联系领导"), max_length=50, required=False)
    first_secretary = forms.CharField(
        label=_("选派第一书记"), max_length=50, required=False, help_text=_("未选派的留空。")
    )


class ProgressForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate)
    text = forms.CharField(label=_("进展情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("照片、PDF 或 Word 文件，每个不超过 10 MB，最多 %(n)d 个。") % {"n": FILES_MAX},
    )


class DecideForm(StyledFormMixin, forms.Form):
    PASS, REFUSE = "pass", "refuse"
    decision = forms.ChoiceField(
        label=_("验收结论"), choices=[(PASS, _("验收通过")), (REFUSE, _("验收不通过，退回整顿"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    opinion = forms.CharField(label=_("验收意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class RuleForm(StyledFormMixin, forms.Form):
    threshold = forms.DecimalField(label=_("阈值"), max_digits=6, decimal_places=1, min_value=0)
    fields_ = forms.MultipleChoiceField(
        label=_("适用领域"), choices=Organization.Field.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("都不选即适用于所有领域。"),
    )  # fmt: skip
    enabled = forms.BooleanField(label=_("启用"), required=False)


class RatioForm(StyledFormMixin, forms.Form):
    percent = forms.DecimalField(
        label=_("比例（%）"), max_digits=4, decimal_places=1, min_value=0, max_value=100
    )
    enabled = forms.BooleanField(label=_("启用"), required=False)


class AssignForm(StyledFormMixin, forms.Form):
    leader_name = forms.CharField(label=_("联系领导"), max_length=50)
    leader_post = forms.CharField(
        label=_("职务"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("如 县委常委、组织部部长")}),
    )
    leader_username = forms.CharField(
        label=_("联系领导的账号（可选）"), max_length=150, required=False,
        help_text=_("填写后联系点出现在其“我的联系点”中，并可由本人记录走访。"),
    )  # fmt: skip


class VisitForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label=_("走访日期"), widget=DATE, initial=timezone.localdate)
    found = forms.CharField(label=_("发现的问题"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    solved = forms.CharField(
        label=_("解决的问题"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# ---- 基本保障 ----------------------------------------------------------------------------------


def _money(label, *, required: bool = False, help_text: str = ""):
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=0, required=required,
                              help_text=help_text)  # fmt: skip


class FloorForm(StyledFormMixin, forms.Form):
    rural_income = _money(
        _("农村居民人均可支配收入（元）"), help_text=_("当年统计数据，主职报酬按其倍数计算。")
    )
    operating_total = _money(_("村级组织运转经费合计不低于（万元）"))
    secretary_ratio = forms.DecimalField(
        label=_("主职基本报酬不低于农村居民人均可支配收入的（倍）"), max_digits=4, decimal_places=2, min_value=0,
        required=False,
    )  # fmt: skip
    secretary_pay = _money(
        _("主职基本报酬不低于（元/年）"), help_text=_("与倍数规则同时填写时，取两者中较高者。")
    )
    deputy_percent = forms.DecimalField(
        label=_("副职基本报酬不低于主职的（%）"), max_digits=5, decimal_places=1, min_value=0, max_value=100,
        required=False,
    )  # fmt: skip
    dual_percent = forms.DecimalField(
        label=_("“一肩挑”报酬不低于主职标准的（%）"), max_digits=5, decimal_places=1, min_value=100, max_value=300,
        required=False, help_text=_("如 100 即不低于主职标准。"),
    )  # fmt: skip
    office_funds = _money(_("办公经费不低于（万元）"))
    service_funds = _money(_("服务群众专项经费不低于（万元）"))
    training_per_member = _money(_("党员教育培训经费不低于（元/人）"))
    workers_per_thousand = forms.DecimalField(
        label=_("社区工作者不少于（人/千名居民）"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        required=False,
    )


class FigureForm(StyledFormMixin, forms.Form):
    operating_total = _money(_("村级组织运转经费合计（万元）"), required=True)
    secretary_pay = _money(_("书记（主职）基本报酬（元/年）"), required=True)
    dual_role = forms.BooleanField(label=_("书记、主任“一肩挑”"), required=False)
    deputy_pay = _money(_("副职基本报酬（元/年，最低一人）"), help_text=_("没有副职的留空。"))
    office_funds = _money(_("办公经费（万元）"), required=True)
    service_funds = _money(_("服务群众专项经费（万元）"), required=True)
    training_funds = _money(_("党员教育培训经费（元）"), required=True)
    members = forms.IntegerField(label=_("党员数"), min_value=0)
    residents = forms.IntegerField(
        label=_("常住居民数"), min_value=0, required=False, help_text=_("社区必填。")
    )
    workers = forms.IntegerField(label=_("社区工作者数"), min_value=0, required=False)


class FiguresImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("基本保障落实情况（.xlsx）"),
        help_text=_("每行一个村（社区）：村（社区）或组织编码、村级组织运转经费合计（万元）、书记基本报酬（元）、"
                    "一肩挑（是/否）、副职基本报酬（元）、办公经费（万元）、服务群众专项经费（万元）、"
                    "党员教育培训经费（元）、党员数、常住居民数、社区工作者数。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )  # fmt: skip


class TalkForm(StyledFormMixin, forms.Form):
    person = forms.CharField(label=_("被约谈人"), max_length=50)
    reason = forms.CharField(label=_("事由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
