from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from shuzhi.accounts import selectors, services
from shuzhi.accounts.forms import (
    ASSIGNABLE_ROLES,
    LoginForm,
    PasswordChangeForm,
    SecurityPolicyForm,
    UserForm,
)
from shuzhi.core.access import capability_required
from shuzhi.core.forms import apply_service_errors
from shuzhi.core.roles import Capability, Role

# model field → the form field a person typed it in
USER_FORM_FIELDS = {"member": "member_id_number", "organization": "organization_code"}


class ShuzhiLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # before the form is read: no password is hashed and no row written for a refused try
        if selectors.address_refused(request.META.get("REMOTE_ADDR", "")):
            form = LoginForm(request)
            message = _("此地址登录失败次数过多，请 %(m)d 分钟后再试。") % {
                "m": settings.LOGIN_ADDRESS_WINDOW_MINUTES
            }
            return render(request, self.template_name, {"form": form, "lockout_message": message}, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        services.one_time_password_used(
            form.get_user(), idle_minutes=selectors.security_policy().session_idle_minutes
        )
        return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this instead of the login view once an account is locked."""
    policy = selectors.security_policy()
    form = LoginForm(request, data=request.POST or None)
    form.errors.clear()
    message = _(
        "连续登录失败已达 %(n)d 次，账号已锁定 %(m)d 分钟（仅对此地址），请稍后再试或联系管理员解锁。"
    ) % {
        "n": policy.lockout_threshold,
        "m": policy.lockout_minutes,
    }
    return render(request, "accounts/login.html", {"form": form, "lockout_message": message}, status=403)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_own_password(user=request.user, password=form.cleaned_data["new_password"])
        except ValidationError as error:
            form.add_error("new_password", error)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect("workbench:home")
    return render(request, "accounts/password_change.html", {"form": form})


@capability_required(Capability.MANAGE_USERS)
@require_http_methods(["GET"])
def user_list(request):
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    users = selectors.user_list(viewer=request.user, query=query, role=role if role in Role.values else "")
    page = Paginator(users, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "query": query, "role": role, "roles": Role.choices},
    )


@never_cache
@capability_required(Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                organization=data["organization"],
                role=data["role"],
                member=data["member"],
            )
        except ValidationError as error:
            apply_service_errors(form, error, USER_FORM_FIELDS)
        else:
            return render(request, "accounts/user_password.html", {"account": user, "password": password})
    return render(request, "accounts/user_form.html", {"form": form, "roles": ASSIGNABLE_ROLES})


@capability_required(Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_edit(request, pk: int):
    account = selectors.user_get(viewer=request.user, pk=pk)
    if not account.can_be_managed_by(request.user):
        messages.error(request, _("管理员账号和您自己的账号不能在此修改。"))
        return redirect("accounts:user_list")
    initial = {
        "username": account.username,
        "full_name": account.full_name,
        "organization_code": account.organization.code,
        "role": account.role,
        "is_active": account.is_active,
    }
    form = UserForm(request.POST or None, viewer=request.user, editing=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor=request.user,
                user=account,
                full_name=data["full_name"],
                organization=data["organization"],
                role=data["role"],
                member=data["member"],
                is_active=data["is_active"],
            )
        except ValidationError as error:
            apply_service_errors(form, error, USER_FORM_FIELDS)
        else:
            messages.success(request, _("账号“%(name)s”已保存。") % {"name": account.username})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "account": account})


@never_cache
@capability_required(Capability.MANAGE_USERS)
@require_POST
def user_reset_password(request, pk: int):
    account = selectors.user_get(viewer=request.user, pk=pk)
    if not account.can_be_managed_by(request.user):
        messages.error(request, _("管理员账号和您自己的账号不能在此重置密码。"))
        return redirect("accounts:user_list")
    password = services.user_reset_password(actor=request.user, user=account)
    return render(
        request, "accounts/user_password.html", {"account": account, "password": password, "reset": True}
    )


@capability_required(Capability.MANAGE_USERS)
@require_POST
def user_unlock(request, pk: int):
    account = selectors.user_get(viewer=request.user, pk=pk)
    if not account.can_be_managed_by(request.user):
        messages.error(request, _("管理员账号和您自己的账号不能在此解锁。"))
        return redirect("accounts:user_list")
    services.user_unlock(actor=request.user, user=account)
    messages.success(request, _("账号“%(name)s”已解锁。") % {"name": account.username})
    return redirect("accounts:user_list")


@capability_required(Capability.MANAGE_SECURITY)
@require_http_methods(["GET"])
def locked_list(request):
    return render(request, "accounts/locked_list.html", {"locked": selectors.locked_accounts()})


@capability_required(Capability.MANAGE_SECURITY)
@require_POST
def locked_unlock(request):
    username = request.POST.get("username", "").strip()[:150]
    if username:
        services.account_unlock(actor=request.user, username=username)
        messages.success(request, _("账号“%(name)s”已解锁。") % {"name": username})
    return redirect("accounts:locked_list")


@capability_required(Capability.MANAGE_SECURITY)
@require_http_methods(["GET", "POST"])
def security_policy(request):
    policy = selectors.security_policy()
    form = SecurityPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in SecurityPolicyForm.Meta.fields}
        try:
            services.security_policy_update(actor=request.user, **fields)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("安全策略已保存。"))
            return redirect("accounts:security_policy")
    return render(request, "accounts/security_policy.html", {"form": form})
