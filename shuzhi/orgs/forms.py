from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.orgs import hooks
from shuzhi.orgs.models import Organization


class OrganizationForm(StyledFormMixin, forms.ModelForm):
    secretary_id_number = forms.CharField(
        label=_("书记身份证号"),
        max_length=18,
        required=False,
        help_text=_("书记须是本组织或下级组织的党员。留空表示不变；要清空请勾选下方“书记空缺”。"),
    )
    secretary_vacant = forms.BooleanField(label=_("书记空缺"), required=False)

    class Meta:
        model = Organization
        fields = ["name", "code", "kind", "level", "field", "secretary_since"]
        widgets = {"secretary_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            for name in ("secretary_id_number", "secretary_vacant", "secretary_since"):
                del self.fields[name]
        elif self.instance.secretary_id:
            self.fields["secretary_id_number"].help_text = _("现任书记：%(name)s。%(rest)s") % {
                "name": self.instance.secretary.name,
                "rest": self.fields["secretary_id_number"].help_text,
            }

    def clean(self):
        data = super().clean()
        raw = (data.get("secretary_id_number") or "").strip()
        data["secretary"] = None
        if raw and self.instance.pk:
            member = hooks.member_by_id_number(within=self.instance, id_number=raw)
            if member is None:
                self.add_error("secretary_id_number", _("本组织及下级组织中没有该身份证号的党员。"))
            data["secretary"] = member
        return data


class OrgSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
