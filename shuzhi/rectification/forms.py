from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.rectification.services import EVIDENCE_MAX_BYTES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(StyledFormMixin, forms.Form):
    measures = forms.CharField(label=_("整改措施"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    responsible = forms.CharField(label=_("责任人"), max_length=50)
    deadline = forms.DateField(label=_("整改时限"), widget=DATE)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.docx,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class MilestoneForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE)
    text = forms.CharField(label=_("进展情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(
        label=_("佐证材料（照片、文件，可多选）"), required=False,
        help_text=_("jpg、png、docx、pdf，每个不超过 %(mb)d MB。") % {"mb": EVIDENCE_MAX_BYTES // 1024 // 1024},
    )  # fmt: skip


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class SplitForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("步骤"), max_length=300)
    deadline = forms.DateField(label=_("时限"), widget=DATE)
    weight = forms.IntegerField(label=_("权重"), min_value=1, max_value=100, initial=1)
