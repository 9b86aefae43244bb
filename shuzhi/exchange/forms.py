from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.exchange.workbook import MAX_UPLOAD_BYTES


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        help_text=_("不超过 %(mb)d MB。") % {"mb": MAX_UPLOAD_BYTES // 1024 // 1024},
        error_messages={"required": _("请选择要上传的文件。"), "empty": _("文件是空的。")},
    )
