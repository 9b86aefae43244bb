from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.core.forms import StyledFormMixin
from shuzhi.dossiers.models import ReserveCadre, Talent
from shuzhi.dossiers.services import SCANS_MAX
from shuzhi.lifecycle.forms import DocumentsField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScanForm(StyledFormMixin, forms.Form):
    item = forms.TypedChoiceField(label=_("档案材料"), coerce=int, choices=())
    files = DocumentsField(required=True, label=_("扫描件（PDF 或图片，可多选）"),
                           help_text=_("一次最多 %(n)d 个，每个不超过 10 MB。") % {"n": SCANS_MAX})  # fmt: skip

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—")] + [
            (i.pk, f"{i.name}{'' if i.required else '（选备）'}") for i in items
        ]
        self.fields["files"].error_messages["required"] = _("请选择要上传的扫描件。")


class ChecklistItemForm(StyledFormMixin, forms.Form):
    required = forms.BooleanField(label=_("必备"), required=False)
    full_only = forms.BooleanField(label=_("仅正式党员必备"), required=False)


class TalentForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    category = forms.ChoiceField(label=_("类别"), choices=Talent.Category.choices)
    contact = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    member = forms.TypedChoiceField(label=_("是党员的，选择本村党员"), coerce=int, choices=(), required=False,
                                    empty_value=None)  # fmt: skip
    applicant = forms.TypedChoiceField(label=_("已申请入党的，选择发展党员记录"), coerce=int, choices=(),
                                       required=False, empty_value=None)  # fmt: skip
    note = forms.CharField(label=_("备注（特长、从业情况）"), max_length=300, required=False)

    def __init__(self, *args, roster, applicants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "—")] + [(m.pk, m.name) for m in roster]
        self.fields["applicant"].choices = [("", "—")] + [
            (a.pk, f"{a.name}（{a.get_stage_display()}）") for a in applicants
        ]


class ReserveForm(StyledFormMixin, forms.Form):
    talent = forms.TypedChoiceField(label=_("能人"), coerce=int, choices=())
    post = forms.ChoiceField(label=_("后备岗位"), choices=ReserveCadre.Post.choices)
    named_on = forms.DateField(label=_("确定日期"), widget=DATE)

    def __init__(self, *args, talents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["talent"].choices = [("", "—")] + [(t.pk, t.name) for t in talents]


class RegisterForm(StyledFormMixin, forms.Form):
    member = forms.TypedChoiceField(label=_("在职党员"), coerce=int, choices=())
    community_code = forms.CharField(label=_("居住地社区党组织的组织编码"), max_length=32)
    registered_on = forms.DateField(label=_("报到日期"), widget=DATE)

    def __init__(self, *args, roster=None, **kwargs):
        super().__init__(*args, **kwargs)
        if roster is None:  # a member registering themself
            del self.fields["member"]
        else:
            self.fields["member"].choices = [("", "—")] + [(m.pk, m.name) for m in roster]


class ActivityForm(StyledFormMixin, forms.Form):
    held_on = forms.DateField(label=_("活动日期"), widget=DATE)
    title = forms.CharField(label=_("活动内容"), max_length=200)
    members = forms.TypedMultipleChoiceField(label=_("参加的报到党员"), coerce=int, choices=(),
                                             widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args, registered, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(r.member_id, r.member.name) for r in registered]
        self.fields["members"].widget.attrs["class"] = "form-check-input"
