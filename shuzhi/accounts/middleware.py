from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.accounts.selectors import security_policy

SIGNED_IN_AT = "shuzhi_signed_in_at"
# a request with this header (a page refreshing itself) does not count as activity
POLL_HEADER = "X-Shuzhi-Poll"
RENEW_EVERY = timedelta(minutes=1)


class SessionPolicyMiddleware:
    """The session limits, and the forced change of a one-time password.

    - Idle limit (security policy): the session ends that long after the last request by the
      person, from the sign-in on. The expiry is a fixed time, moved on by real requests only,
      so a page polling by itself (the big screen, a progress bar) does not keep it alive.
    - Absolute limit (settings.SESSION_ABSOLUTE_HOURS): however active, the session ends that long
      after the sign-in.
    - A session signed in with a one-time password (a new account's, or a reset's) can do nothing
      but change it or sign out: a page is sent to the change form, any other request refused.
      So whoever handed the password over cannot use it to act as the account.
    """

    EXEMPT_PREFIXES = ("/accounts/password/", "/accounts/logout/", "/static/")
    # the read-only display links: opened in a signed-in browser they still do not count as activity
    PASSIVE_PREFIXES = ("/s/",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in_before = user.pk if user is not None and user.is_authenticated else None
        if signed_in_before is not None:
            started = request.session.get(SIGNED_IN_AT)
            now = timezone.now().timestamp()
            if started is None:
                request.session[SIGNED_IN_AT] = now
            elif now - started > settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
                return redirect_to_login(request.get_full_path())
            if self._is_activity(request):
                self._renew(request)
            if user.must_change_password and not request.path.startswith(self.EXEMPT_PREFIXES):
                if request.method in ("GET", "HEAD") and "HX-Request" not in request.headers:
                    return redirect(reverse("accounts:password_change"))
                return HttpResponseForbidden(
                    _("请先修改初始密码。").encode(), content_type="text/plain; charset=utf-8"
                )
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.pk != signed_in_before:
            # signed in by this request: both limits run from now, not from the cookie's default age
            request.session[SIGNED_IN_AT] = timezone.now().timestamp()
            self._renew(request, always=True)
        return response

    def _is_activity(self, request: HttpRequest) -> bool:
        return POLL_HEADER not in request.headers and not request.path.startswith(self.PASSIVE_PREFIXES)

    @staticmethod
    def _renew(request: HttpRequest, *, always: bool = False) -> None:
        """Move the idle expiry on. At most once a minute: the session is written only when it
        changes, so a burst of clicks does not rewrite the session row (or the Redis key) each time;
        the limit is then kept to within a minute."""
        idle = timedelta(minutes=security_policy().session_idle_minutes)
        now = timezone.now()
        if always or request.session.get_expiry_date() - now < idle - RENEW_EVERY:
            request.session.set_expiry(now + idle)
