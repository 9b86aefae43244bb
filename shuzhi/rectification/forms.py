from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.orgs.models import Organization
from shuzhi.rectification import selectors
from shuzhi.rectification.models import Accountability, Item, QuarterlyCheck
from shuzhi.rectification.services import EVIDENCE_MAX_BYTES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BoardFilterForm(StyledFormMixin, forms.Form):
    """The board's filter, shown with what was asked (the view reads and bounds the values)."""

    q = forms.CharField(label=_("单位"), required=False)
    year = forms.IntegerField(
        label=_("年度"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )


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


UNIT_ITEMS_SHOWN = 200


class _UnitForm(StyledFormMixin, forms.Form):
    """A form about one unit of the viewer's subtree, named by code or name; once the unit is
    known (from the data, or the initial values of a lookup), its items are offered."""

    unit = forms.CharField(
        label=_("单位"), max_length=100, help_text=_("填写组织编码或单位名称。"),
        error_messages={"required": _("请填写单位名称或组织编码。")},
    )  # fmt: skip

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        text = (self.data if self.is_bound else self.initial).get("unit") or ""
        self.unit_found: Organization | None = None
        self.unit_error: ValidationError | None = None
        if text.strip():
            try:
                self.unit_found = selectors.unit_lookup(viewer=viewer, text=text)
            except ValidationError as error:
                self.unit_error = error
        self.unit_items = []
        if self.unit_found is not None:
            rows = (
                selectors.items_visible_to(viewer)
                .filter(organization=self.unit_found, parent__isnull=True)
                .order_by("-cycle__year", "deadline", "id")
                .values_list("pk", "cycle__year", "title", "status")[:UNIT_ITEMS_SHOWN]
            )
            labels = dict(Item.Status.choices)
            self.unit_items = [
                (pk, f"{year}年 · {title[:40]}（{labels[status]}）") for pk, year, title, status in rows
            ]

    def clean_unit(self):
        if self.unit_error is not None:
            raise self.unit_error
        return self.unit_found


class CheckForm(_UnitForm):
    item = forms.TypedChoiceField(
        label=_("整改事项"), required=False, coerce=int, empty_value=None,
        help_text=_("不选则为对整个单位的督查；填写单位后点“查找事项”可选择该单位的事项。"),
        error_messages={"invalid_choice": _("所选整改事项不属于该单位。")},
    )  # fmt: skip
    rating = forms.ChoiceField(
        label=_("评价"), choices=[("", "—"), *QuarterlyCheck.Rating.choices],
        error_messages={"required": _("请选择评价。")},
    )  # fmt: skip
    note = forms.CharField(
        label=_("督查意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写督查意见。")},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("（整个单位）")), *self.unit_items]


class AccountabilityForm(_UnitForm):
    kind = forms.ChoiceField(
        label=_("问责方式"), choices=[("", "—"), *Accountability.Kind.choices],
        error_messages={"required": _("请选择问责方式。")},
    )  # fmt: skip
    person = forms.CharField(
        label=_("被问责人"), max_length=50,
        error_messages={"required": _("请填写被问责人姓名。")},
    )  # fmt: skip
    on = forms.DateField(label=_("问责日期"), widget=DATE)
    reason = forms.CharField(
        label=_("事由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写问责事由。")},
    )  # fmt: skip
    items = forms.TypedMultipleChoiceField(
        label=_("相关整改事项"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("可选；填写单位后点“查找事项”列出该单位的整改事项。"),
        error_messages={"invalid_choice": _("所选整改事项不属于该单位。")},
    )  # fmt: skip

    results = forms.TypedMultipleChoiceField(
        label=_("相关考核结果"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("可选；该单位历年的考核结果。"),
        error_messages={"invalid_choice": _("所选考核结果不属于该单位。")},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = self.unit_items
        self.fields["items"].widget.attrs["class"] = "form-check-input"
        unit_results = []
        if self.unit_found is not None:
            unit_results = [
                (r.pk, f"{r.assessment.cycle.title}：{r.grade}（{r.score}）")
                for r in selectors.results_of_unit(self.unit_found)
            ]
        self.fields["results"].choices = unit_results
        self.fields["results"].widget.attrs["class"] = "form-check-input"

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise ValidationError(_("问责日期不能晚于今天。"), code="future")
        return on
