from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from shuzhi.core.anchors import digest_read


class StyledFormMixin:
    """Give every widget the Bootstrap class it needs, so templates render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def apply_service_errors(form: forms.Form, error, renamed: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: on the field it names (a model field may
    appear on the form under another name, given in `renamed`), else above the form."""
    renamed = renamed or {}
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            field = renamed.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class AuditFilterForm(StyledFormMixin, forms.Form):
    action = forms.CharField(label=_("操作"), required=False, max_length=64)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    target = forms.CharField(label=_("对象"), required=False, max_length=200)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AuditVerifyForm(StyledFormMixin, forms.Form):
    digests = forms.FileField(
        label=_("已保存的签名摘要（可选）"),
        required=False,
        help_text=_(
            "选择以前下载的摘要文件（.json），校验时一并核对：数据库中的日志须仍包含摘要记下的链头。"
        ),
    )

    def clean_digests(self):
        upload = self.cleaned_data.get("digests")
        if upload is None:
            return []
        if upload.size > 64 * 1024:
            raise forms.ValidationError(_("摘要文件不应超过 64 KB，请确认选择的是下载的摘要文件。"))
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("无法读取该文件：它不是下载的摘要文件。")) from None
        try:
            return [digest_read(text, source=upload.name)]
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class BootstrapRenderer(TemplatesSetting):
    """Render `{{ form }}` and `{{ field.as_field_group }}` in Bootstrap's layout."""

    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"


def show_errors(request, error) -> None:
    """Show a service's refusal (a ValidationError) or a bound form's errors, each field's with
    its label, as messages above the page the user is sent back to."""
    from django.contrib import messages

    if isinstance(error, forms.BaseForm):
        for field, errors in error.errors.items():
            label = error.fields[field].label if field in error.fields else ""
            for message in errors:
                messages.error(request, f"{label}：{message}" if label else message)
        return
    for message in error.messages:
        messages.error(request, message)
