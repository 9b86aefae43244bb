from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.lifecycle import rules
from shuzhi.lifecycle.models import Departure, Step
from shuzhi.lifecycle.services import DOCUMENTS_MAX
from shuzhi.members.models import ETHNICITIES, Member

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,.jpg,.jpeg,.png,.pdf"})
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("材料扫描件（PDF 或图片，可多选）"))
        kwargs.setdefault("help_text", _("最多 %(n)d 个，每个不超过 10 MB。") % {"n": DOCUMENTS_MAX})
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ApplicantForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=30, help_text=_("出生日期和性别按身份证号确定。")
    )
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    ethnicity = forms.ChoiceField(label=_("民族"), choices=[(e, e) for e in ETHNICITIES], initial="汉族")
    education = forms.ChoiceField(label=_("学历"), choices=Member.Education.choices)
    category = forms.ChoiceField(label=_("人员类别"), choices=Member.Category.choices)
    applied_on = forms.DateField(label=_("递交入党申请书日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
    files = DocumentsField()


class StepForm(StyledFormMixin, forms.Form):
    """The next step as done: its date and what its check needs (the view drops what it does not)."""

    done_on = forms.DateField(label=_("日期"), widget=DATE)
    until = forms.DateField(label=_("结束日期"), widget=DATE, required=False)
    hours = forms.IntegerField(label=_("学时"), min_value=0, max_value=999, required=False)
    person1 = forms.CharField(label=_("第一人"), max_length=40, required=False)
    person2 = forms.CharField(label=_("第二人"), max_length=40, required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
    files = DocumentsField()

    def __init__(self, *args, step: Step, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        if step.special == rules.TWO_PEOPLE:
            self.fields["person1"].label = _("%(who)s（一）") % {"who": step.people_label}
            self.fields["person2"].label = _("%(who)s（二）") % {"who": step.people_label}
        else:
            del self.fields["person1"], self.fields["person2"]
        if step.special in (rules.TRAINING, rules.PUBLICITY):
            self.fields["done_on"].label = _("开始日期")
        else:
            del self.fields["until"]
        if step.special != rules.TRAINING:
            del self.fields["hours"]
        if step.documents:
            self.fields["files"].label = _("材料扫描件：%(what)s") % {"what": step.documents}

    def entry(self) -> rules.StepEntry:
        data = self.cleaned_data
        return rules.StepEntry(done_on=data["done_on"], until=data.get("until"), hours=data.get("hours"),
                               people=(data.get("person1", ""), data.get("person2", "")), note=data.get("note", ""))  # fmt: skip


class StopForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("终止原因"), max_length=300)


class DepartureForm(StyledFormMixin, forms.Form):
    member = forms.TypedChoiceField(label=_("党员"), coerce=int, choices=())
    kind = forms.ChoiceField(label=_("类别"), choices=Departure.Kind.choices)
    left_on = forms.DateField(label=_("日期"), widget=DATE)
    note = forms.CharField(label=_("说明（处理依据、文号）"), max_length=500, required=False)

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "—")] + [
            (m.pk, f"{m.name}（{m.get_status_display()}）") for m in roster
        ]


class AsOfForm(StyledFormMixin, forms.Form):
    day = forms.DateField(label=_("截至日期"), widget=DATE)


class TransferForm(StyledFormMixin, forms.Form):
    member = forms.TypedChoiceField(label=_("党员"), coerce=int, choices=())
    to_code = forms.CharField(label=_("转入党支部的组织编码（平台内）"), max_length=32, required=False)
    destination = forms.CharField(label=_("或：转往平台外的党组织"), max_length=100, required=False)
    reason = forms.CharField(label=_("转接原因"), max_length=200)
    sent_on = forms.DateField(label=_("转出日期"), widget=DATE)

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "—")] + [(m.pk, m.name) for m in roster]


class TransferActForm(StyledFormMixin, forms.Form):
    ACTIONS = ("receive", "confirm", "return")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    transfer = forms.IntegerField()
    day = forms.DateField(label=_("日期"), widget=DATE, required=False)
    note = forms.CharField(label=_("退回原因"), max_length=300, required=False)


class MobileForm(StyledFormMixin, forms.Form):
    member = forms.TypedChoiceField(label=_("党员"), coerce=int, choices=())
    place = forms.CharField(label=_("外出地点及单位"), max_length=100)
    inflow_code = forms.CharField(
        label=_("流入地党组织的组织编码（在平台内时填写）"), max_length=32, required=False
    )
    certificate_number = forms.CharField(label=_("流动党员活动证编号"), max_length=30)
    contact = forms.CharField(label=_("联系电话"), max_length=30)
    left_on = forms.DateField(label=_("外出日期"), widget=DATE)

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "—")] + [(m.pk, m.name) for m in roster]


class MobileActForm(StyledFormMixin, forms.Form):
    ACTIONS = ("activity", "lost", "found", "return")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    record = forms.IntegerField()
    day = forms.DateField(widget=DATE)
    what = forms.CharField(max_length=200, required=False)
