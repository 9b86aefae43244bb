from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.core import dates
from shuzhi.core.access import in_subtree
from shuzhi.core.forms import StyledFormMixin
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices):
    return [("", _("全部")), *choices]


class MemberFilterForm(StyledFormMixin, forms.Form):
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    org_q = forms.CharField(
        label=_("组织"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("名称或编码")}),
    )
    name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"placeholder": _("完整的18位号码"), "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("党员状态"), required=False, choices=_blank(Member.Status.choices))
    category = forms.ChoiceField(label=_("人员类别"), required=False, choices=_blank(Member.Category.choices))
    education = forms.ChoiceField(label=_("学历"), required=False, choices=_blank(Member.Education.choices))
    gender = forms.ChoiceField(label=_("性别"), required=False, choices=_blank(Member.Gender.choices))
    min_age = forms.IntegerField(label=_("年龄下限"), required=False, min_value=0, max_value=130)
    max_age = forms.IntegerField(label=_("年龄上限"), required=False, min_value=0, max_value=130)
    # members who left (退党, 死亡, 转出 …) stay on record but off the roster unless asked for
    roster = forms.ChoiceField(
        label=_("在册情况"),
        required=False,
        choices=[("", _("在册党员")), ("left", _("已减少")), ("all", _("全部"))],
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error("max_age", _("年龄上限不能小于下限。"))
        return data


class MemberFindForm(StyledFormMixin, forms.Form):
    """Find a member by the whole ID number: posted, so the number never appears in an address
    (and so in no server or proxy log, browser history or Referer)."""

    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        widget=forms.TextInput(attrs={"placeholder": _("完整的18位号码"), "autocomplete": "off"}),
    )


class KnownDateField(forms.Field):
    """A date as it is known: 2015-07-01, or 2015-07 when only its month was ever recorded (a
    dates.MonthDate). Takes the ways a roster writes dates (2015.7.1, 2015年7月…)."""

    widget = forms.TextInput

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "placeholder": _("如 2015-07-01；只知年月填 2015-07"),
            "maxlength": "20",
            "autocomplete": "off",
        }

    def prepare_value(self, value):
        return dates.shown(value) if isinstance(value, date) else value

    def to_python(self, value):
        text = str(value or "").strip()[:40]
        if not text:
            return None
        try:
            return dates.parse_text(text)
        except dates.DateTextError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class MemberForm(StyledFormMixin, forms.ModelForm):
    organization_code = forms.CharField(label=_("所在党组织编码"), max_length=32)
    joined_on = KnownDateField(label=_("入党日期"))
    full_member_on = KnownDateField(label=_("转正日期"), required=False)
    id_number_input = forms.CharField(label=_("身份证号"), max_length=18, min_length=18)
    phone_input = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "education",
            "joined_on",
            "full_member_on",
            "status",
            "category",
        ]
        widgets = {"birth_date": DATE}

    field_order = ["name", "id_number_input", "gender", "ethnicity", "birth_date", "phone_input", "education",
                   "organization_code", "joined_on", "status", "full_member_on", "category"]  # fmt: skip

    def __init__(self, *args, viewer, **kwargs):
        self.viewer = viewer
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)

    def clean_organization_code(self):
        code = self.cleaned_data["organization_code"].strip()
        org = Organization.objects.filter(
            in_subtree("path", self.viewer.organization.path), code=code
        ).first()
        if org is None:
            raise forms.ValidationError(
                _("在您管理的范围内没有编码为“%(code)s”的党组织。"), params={"code": code}, code="unknown_org"
            )
        self.cleaned_data["organization"] = org
        return code

    def _post_clean(self):
        # The model is validated by the service, with the encrypted fields set the model's way.
        pass
