from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from shuzhi.accounts.models import SecurityPolicy, User
from shuzhi.core.access import in_subtree
from shuzhi.core.forms import StyledFormMixin
from shuzhi.core.roles import ADMIN_ROLES, Role
from shuzhi.members.selectors import member_by_id_number
from shuzhi.orgs.models import Organization

ASSIGNABLE_ROLES = [(value, label) for value, label in Role.choices if value not in ADMIN_ROLES]


class LoginForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续输错多次后账号将被暂时锁定。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
        "one_time_expired": _("初始密码已失效（未在规定时间内修改），请联系系统管理员重新发放。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.one_time_password_expired:
            raise forms.ValidationError(self.error_messages["one_time_expired"], code="one_time_expired")


class PasswordChangeForm(StyledFormMixin, forms.Form):
    old_password = forms.CharField(
        label=_("当前密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password_again = forms.CharField(
        label=_("再次输入新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("当前密码不正确。"), code="wrong_password")
        return value

    def clean(self):
        data = super().clean()
        new = data.get("new_password")
        if new and new != data.get("new_password_again"):
            self.add_error("new_password_again", _("两次输入的新密码不一致。"))
        elif new and new == data.get("old_password"):
            self.add_error("new_password", _("新密码不能与当前密码相同。"))
        return data


class UserForm(StyledFormMixin, forms.Form):
    """An ordinary account. The organisation is named by its code; the member by ID number."""

    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.@-]{3,150}$",
        error_messages={"invalid": _("用户名为3–150位字母、数字或 _ . @ -。")},
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    organization_code = forms.CharField(label=_("所属组织编码"), max_length=32)
    role = forms.ChoiceField(label=_("角色"), choices=ASSIGNABLE_ROLES)
    member_id_number = forms.CharField(
        label=_("对应党员身份证号"),
        max_length=18,
        required=False,
        help_text=_("书记、党员账号请填写，用于关联党员档案。"),
    )
    unlink_member = forms.BooleanField(label=_("解除与党员档案的关联"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, viewer, editing=None, **kwargs):
        self.viewer = viewer
        self.editing = editing
        super().__init__(*args, **kwargs)
        if editing is not None:
            self.fields["username"].disabled = True
            if editing.member_id:
                # the administrator sees the linked member masked only; blank keeps the link
                self.fields["member_id_number"].help_text = _(
                    "当前关联：%(name)s（%(id)s）。留空则保持不变。"
                ) % {
                    "name": editing.member.name,
                    "id": editing.member.id_number_masked,
                }
            else:
                del self.fields["unlink_member"]
        else:
            del self.fields["is_active"]
            del self.fields["unlink_member"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if self.editing is None and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                _("用户名“%(name)s”已被使用。"), params={"name": username}, code="taken"
            )
        return username

    def clean_organization_code(self):
        code = self.cleaned_data["organization_code"].strip()
        org = Organization.objects.filter(
            in_subtree("path", self.viewer.organization.path), code=code
        ).first()
        if org is None:
            raise forms.ValidationError(
                _("在您管理的范围内没有编码为“%(code)s”的组织。"), params={"code": code}, code="unknown_org"
            )
        self.cleaned_data["organization"] = org
        return code

    def clean_member_id_number(self):
        raw = self.cleaned_data["member_id_number"].strip()
        if not raw:
            self.cleaned_data["member"] = self.editing.member if self.editing is not None else None
            return raw
        # the system administrator may not browse members: this is an exact match only
        member = member_by_id_number(within=self.viewer.organization, id_number=raw)
        if member is None:
            raise forms.ValidationError(_("在您管理的范围内没有该身份证号的党员。"), code="unknown_member")
        self.cleaned_data["member"] = member
        return raw

    def clean(self):
        data = super().clean()
        if data.get("unlink_member"):
            data["member"] = None
        return data


class SecurityPolicyForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SecurityPolicy
        fields = ["password_min_length", "lockout_threshold", "lockout_minutes", "session_idle_minutes"]
