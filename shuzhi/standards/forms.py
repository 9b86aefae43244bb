from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.core import facts
from shuzhi.core.forms import StyledFormMixin
from shuzhi.standards.models import Heading, Item

MET_CHOICES = [("1", _("达标")), ("0", _("未达标"))]


class FillForm(StyledFormMixin, forms.Form):
    """The branch's own word on one hand-checked item, with what it did and a photo."""

    claimed = forms.BooleanField(label=_("本项自评达标"), required=False)
    note = forms.CharField(label=_("做法和说明"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    photo = forms.FileField(
        label=_("照片或材料（可选）"), required=False,
        help_text=_("jpg、png、pdf，不超过 10 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,.jpg,.jpeg,.png,.pdf"}),
    )  # fmt: skip


class VerdictForm(StyledFormMixin, forms.Form):
    """The level above's verdict on one item, with its reason."""

    verdict = forms.ChoiceField(label=_("上级认定"), choices=MET_CHOICES)
    reason = forms.CharField(label=_("认定理由"), max_length=300)


class ConfirmForm(StyledFormMixin, forms.Form):
    rank = forms.TypedChoiceField(label=_("确认等次"), coerce=int, choices=())
    reason = forms.CharField(
        label=_("理由"), max_length=300, required=False,
        help_text=_("与按检查结果算出的等次不同时必填。"),
    )  # fmt: skip

    def __init__(self, *args, spec, **kwargs):
        super().__init__(*args, **kwargs)
        ranks = sorted(spec.labels, reverse=True)
        self.fields["rank"].choices = [(r, spec.labels[r]) for r in ranks] + [(0, spec.standard.below_label)]


class TrainingForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=())
    title = forms.CharField(label=_("培训名称"), max_length=200)
    held_on = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    hours = forms.DecimalField(label=_("学时"), min_value=Decimal("0.5"), max_value=100, decimal_places=1,
                               help_text=_("按培训通知或课程安排写明的学时登记。"))  # fmt: skip
    members = forms.TypedMultipleChoiceField(label=_("参加人员"), coerce=int, choices=(),
                                             widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args, kinds, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["members"].choices = [(m.pk, m.name) for m in roster]
        self.fields["members"].widget.attrs["class"] = "form-check-input"


class TrainingImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("培训名单（.xlsx）"),
        help_text=_("每行一名参训党员：姓名、培训名称、类型、日期、学时。同一培训的各行学时应相同。"),
    )


class FollowUpForm(StyledFormMixin, forms.Form):
    grade = forms.ChoiceField(label=_("考察结果"), choices=())
    assessment = forms.CharField(
        label=_("现实表现"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    reviewer = forms.CharField(label=_("考察人"), max_length=50)

    def __init__(self, *args, **kwargs):
        from shuzhi.standards.models import FollowUpReview

        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = FollowUpReview.Grade.choices


class ItemForm(StyledFormMixin, forms.Form):
    """One item of a standard: its content, points and how it is judged."""

    heading = forms.ChoiceField(label=_("类别"), choices=Heading.choices)
    title = forms.CharField(label=_("内容"), max_length=200)
    points = forms.IntegerField(label=_("分值"), min_value=1, max_value=100)
    evidence = forms.ChoiceField(label=_("认定方式"), choices=Item.Evidence.choices)
    fact_key = forms.ChoiceField(
        label=_("数据来源"), required=False,
        help_text=_("自动计算的条目从平台已登记的数据来源中选择；上级检查的条目留空。"),
    )  # fmt: skip
    threshold = forms.DecimalField(
        label=_("达标值（0–100）"), required=False, min_value=0, max_value=100, decimal_places=2,
        help_text=_("数据来源的数值达到这个值即为达标。"),
    )  # fmt: skip
    order = forms.IntegerField(label=_("顺序"), min_value=0, max_value=999, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fact_key"].choices = [("", "—")] + [
            (source.key, source.label) for source in facts.sources(facts.FactKind.SCORE)
        ]


class LevelsForm(StyledFormMixin, forms.Form):
    """The levels of a standard: each rank's name and the score it needs, and the name below them."""

    below_label = forms.CharField(label=_("未达到任何等次时"), max_length=10)

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        for level in levels:
            self.fields[f"label_{level.rank}"] = forms.CharField(
                label=_("第 %(rank)d 等的名称") % {"rank": level.rank}, max_length=10, initial=level.label
            )
            self.fields[f"min_{level.rank}"] = forms.IntegerField(
                label=_("“%(label)s”最低得分") % {"label": level.label}, min_value=0, max_value=1000,
                initial=level.min_score,
            )  # fmt: skip
