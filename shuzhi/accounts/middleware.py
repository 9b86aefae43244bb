from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from shuzhi.accounts.selectors import security_policy


class SessionPolicyMiddleware:
    """Idle timeout from the security policy, and the forced change of a one-time password.

    A session signed in with a one-time password (a new account's, or a reset's) can do nothing
    but change it or sign out: a page is sent to the change form, any other request refused. So
    whoever handed the password over cannot use it to act as the account.
    """

    EXEMPT_PREFIXES = ("/accounts/password/", "/accounts/logout/", "/static/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # saved on every request (SESSION_SAVE_EVERY_REQUEST), so this is an idle timeout
            request.session.set_expiry(security_policy().session_idle_minutes * 60)
            if user.must_change_password and not request.path.startswith(self.EXEMPT_PREFIXES):
                if request.method in ("GET", "HEAD") and "HX-Request" not in request.headers:
                    return redirect(reverse("accounts:password_change"))
                return HttpResponseForbidden(
                    _("请先修改初始密码。").encode(), content_type="text/plain; charset=utf-8"
                )
        return self.get_response(request)
