from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.core.grades import Grade


class ScoresForm(StyledFormMixin, forms.Form):
    """The entered components of one reporter."""

    def __init__(self, *args, components: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name in components:
            self.fields[name] = forms.DecimalField(
                label=name, min_value=0, max_value=100, decimal_places=2, required=False
            )


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("得分表（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=_("第一行为表头：“述职单位”列填单位名称或组织编码，其余各列以考核项目命名。可先下载模板。"),
        error_messages={"required": _("请选择要上传的文件。"), "empty": _("文件是空的。")},
    )


class AdjustmentForm(StyledFormMixin, forms.Form):
    points = forms.DecimalField(
        label=_("分值（加分为正，减分为负）"), min_value=-100, max_value=100, decimal_places=2
    )
    reason = forms.CharField(label=_("理由"), max_length=200)


class VetoForm(StyledFormMixin, forms.Form):
    veto = forms.ChoiceField(label=_("否决情形"))
    note = forms.CharField(label=_("依据"), max_length=200)

    def __init__(self, *args, vetoes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["veto"].choices = [(v, v) for v in vetoes]


class PublishForm(StyledFormMixin, forms.Form):
    objection_days = forms.IntegerField(
        label=_("公示期（天，0 表示不公示直接确定）"), min_value=0, max_value=30, initial=5
    )


class ObjectionForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(StyledFormMixin, forms.Form):
    answer = forms.CharField(label=_("答复"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AmendForm(StyledFormMixin, forms.Form):
    grade = forms.ChoiceField(label=_("更正后的等次"), choices=Grade.choices)
    reason = forms.CharField(label=_("更正理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ResultFilterForm(StyledFormMixin, forms.Form):
    group = forms.ChoiceField(label=_("分组"), required=False)
    grade = forms.ChoiceField(label=_("等次"), required=False, choices=[("", _("全部")), *Grade.choices])
    sort = forms.ChoiceField(
        label=_("排序"), required=False,
        choices=[("rank", _("组内排名")), ("-score", _("得分从高到低")), ("score", _("得分从低到高")), ("name", _("单位名称"))],
    )  # fmt: skip

    def __init__(self, *args, groups: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("全部")), *((g, g) for g in groups)]


class BulletinTemplateForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("模板文件（.docx）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
    )
