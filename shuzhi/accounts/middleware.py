from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from shuzhi.accounts.selectors import security_policy


class SessionPolicyMiddleware:
    """Idle timeout from the security policy, and the forced change of an initial password."""

    EXEMPT_PREFIXES = ("/accounts/password/", "/accounts/logout/", "/static/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # saved on every request (SESSION_SAVE_EVERY_REQUEST), so this is an idle timeout
            request.session.set_expiry(security_policy().session_idle_minutes * 60)
            if user.must_change_password and not request.path.startswith(self.EXEMPT_PREFIXES):
                return redirect(reverse("accounts:password_change"))
        return self.get_response(request)
