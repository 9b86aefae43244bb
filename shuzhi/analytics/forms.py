from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin


class SearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), max_length=100, required=False, strip=True)


class TemplateForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    file = forms.FileField(label=_("文件（.txt / .docx / .pdf）"))
