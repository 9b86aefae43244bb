"""Sign-in events become audit events. Django and django-axes announce them as signals."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from shuzhi.accounts.services import login_failed_from
from shuzhi.core.services import audit_record


def _org_path(user) -> str:
    return user.organization.path if user is not None and user.organization_id else ""


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    audit_record(actor=user, action="auth.login", target=user, org_path=_org_path(user))


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="auth.logout", target=user, org_path=_org_path(user))


def _named_user(username: str):
    return get_user_model().objects.select_related("organization").filter(username=username).first()


@receiver(user_login_failed)
def record_login_failure(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    user = _named_user(username)
    audit_record(
        actor=None,
        action="auth.login_failed",
        target=user,
        target_repr=username,
        org_path=_org_path(user),
    )
    if request is not None:
        login_failed_from(request.META.get("REMOTE_ADDR", ""))


@receiver(user_locked_out)
def record_lockout(sender, request, username, ip_address, **kwargs):
    user = _named_user(username or "")
    audit_record(
        actor=None,
        action="auth.locked_out",
        target=user,
        target_repr=username or "",
        org_path=_org_path(user),
    )
