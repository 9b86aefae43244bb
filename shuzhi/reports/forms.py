from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.reports import documents
from shuzhi.reports.models import ReportItem
from shuzhi.reports.services import ATTACHMENT_MAX_BYTES, ITEM_MAX_CHARS, SECTION_MAX_CHARS

UPLOAD_ERRORS = {"required": _("请选择要上传的文件。"), "empty": _("文件是空的。")}


class SectionsForm(StyledFormMixin, forms.Form):
    """The eight sections; carried-over items' answers are added per item."""

    def __init__(self, *args, carried: list[ReportItem] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for key, heading in documents.SECTIONS:
            self.fields[key] = forms.CharField(
                label=heading, required=False, max_length=SECTION_MAX_CHARS,
                widget=forms.Textarea(attrs={"rows": 6, "data-section": key}),
            )  # fmt: skip
        self.carried = list(carried)
        for item in self.carried:
            self.fields[f"answer_{item.pk}"] = forms.ChoiceField(
                label=_("落实情况"), required=False, choices=[("", "—"), *list(ReportItem.Answer.choices)],
                initial=item.answer,
            )  # fmt: skip
            self.fields[f"explanation_{item.pk}"] = forms.CharField(
                label=_("说明"), required=False, max_length=ITEM_MAX_CHARS, initial=item.explanation,
                widget=forms.Textarea(attrs={"rows": 2}),
            )  # fmt: skip

    def sections(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key, _heading in documents.SECTIONS}

    def answers(self) -> dict[int, tuple[str, str]]:
        return {
            item.pk: (self.cleaned_data[f"answer_{item.pk}"], self.cleaned_data[f"explanation_{item.pk}"])
            for item in self.carried
        }

    def carried_fields(self):
        return [(item, self[f"answer_{item.pk}"], self[f"explanation_{item.pk}"]) for item in self.carried]


class ItemForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("清单"),
        choices=[(k, label) for k, label in ReportItem.Kind.choices if k != ReportItem.Kind.CARRIED],
    )
    text = forms.CharField(
        label=_("内容"), max_length=ITEM_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.CharField(
        label=_("类别"), max_length=30, required=False, help_text=_("例如：组织建设、党员管理、作风建设。")
    )
    severity = forms.ChoiceField(
        label=_("严重程度（问题必填）"),
        required=False,
        choices=[("", "—"), *list(ReportItem.Severity.choices)],
    )


class ReturnForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("签字版报告（.docx 或 .pdf）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf"}),
        help_text=_("不超过 %(mb)d MB。") % {"mb": ATTACHMENT_MAX_BYTES // 1024 // 1024},
        error_messages=UPLOAD_ERRORS,
    )


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Word 文件（.docx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
        help_text=_("按“一、二、三……”分节的常用格式；识别出的内容先给您确认，确认后才写入报告。"),
        error_messages=UPLOAD_ERRORS,
    )


class ImportConfirmForm(StyledFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, heading in documents.SECTIONS:
            self.fields[key] = forms.CharField(
                label=heading,
                required=False,
                max_length=SECTION_MAX_CHARS,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
        self.fields["problems"] = forms.CharField(
            label=_("问题清单（每行一条）"), required=False, widget=forms.Textarea(attrs={"rows": 5})
        )

    def sections(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key, _heading in documents.SECTIONS}

    def problems(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["problems"].splitlines() if line.strip()]
