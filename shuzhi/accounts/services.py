import secrets
import string
from datetime import timedelta
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.accounts.models import SecurityPolicy, User
from shuzhi.accounts.selectors import POLICY_CACHE_KEY, address_failure_key
from shuzhi.core.errors import field_error
from shuzhi.core.roles import ADMIN_ROLES, Capability, Role
from shuzhi.core.services import audit_diff, audit_record, notify
from shuzhi.orgs.models import Organization

_ALPHABETS = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "!@#$%^&*-_=+?")


def generate_password(length: int = 14) -> str:
    """A random password with every character class, for first logins and resets."""
    chars = [secrets.choice(alphabet) for alphabet in _ALPHABETS]
    pool = "".join(_ALPHABETS)
    chars += [secrets.choice(pool) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def _issue_one_time_password(user: User) -> str:
    """Give the account a generated password that only lets its holder choose their own.

    Until it is changed the session can do nothing else (SessionPolicyMiddleware); it stops
    working after settings.ONE_TIME_PASSWORD_HOURS, and after its first sign-in only for the
    rest of that session's idle limit, so whoever handed it over cannot keep using it.
    """
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.password_expires_at = timezone.now() + timedelta(hours=settings.ONE_TIME_PASSWORD_HOURS)
    return password


def one_time_password_used(user: User, *, idle_minutes: int) -> None:
    """The first sign-in with a one-time password: it works no longer than this session may idle."""
    limit = timezone.now() + timedelta(minutes=idle_minutes)
    # (a password the deployer chose for an administrator on the command line has no expiry: it
    # was never shown to anyone else)
    if (
        user.must_change_password
        and user.password_expires_at is not None
        and user.password_expires_at > limit
    ):
        user.password_expires_at = limit
        User.objects.filter(pk=user.pk).update(password_expires_at=limit)


def user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "organization": user.organization.name if user.organization_id else None,
        "organization_id": user.organization_id,
        "role": user.role,
        "member_id": user.member_id,
        "is_active": user.is_active,
    }


def _check_assignment(*, actor: User, organization: Organization, role: str, member) -> None:
    if not actor.can(Capability.MANAGE_USERS):
        raise PermissionDenied
    if role in ADMIN_ROLES:
        raise field_error(
            "role",
            _("系统管理员、安全管理员、安全审计员账号由部署人员在服务器上创建，不能在此分配。"),
            "admin_role",
        )
    if not organization.path.startswith(actor.organization.path):
        raise field_error("organization", _("只能把账号设在本组织及下级组织。"), "org_outside")
    if member is not None and not member.org_path.startswith(organization.path):
        raise field_error("member", _("对应党员应在该账号所属组织或其下级组织中。"), "member_outside")


@transaction.atomic
def user_create(
    *, actor: User, username: str, full_name: str, organization: Organization, role: str, member=None
) -> tuple[User, str]:
    """Create an ordinary account with a generated password that must be changed at first login."""
    _check_assignment(actor=actor, organization=organization, role=role, member=member)
    user = User(username=username, full_name=full_name, organization=organization, role=role, member=member)
    password = _issue_one_time_password(user)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor, action="user.create", target=user, org_path=organization.path, after=user_snapshot(user)
    )
    return user, password


@transaction.atomic
def user_update(
    *, actor: User, user: User, full_name: str, organization: Organization, role: str, member, is_active: bool
) -> User:
    if not user.can_be_managed_by(actor):
        raise PermissionDenied
    _check_assignment(actor=actor, organization=organization, role=role, member=member)
    before = user_snapshot(user)
    user.full_name = full_name
    user.organization = organization
    user.role = role
    user.member = member
    user.is_active = is_active
    user.full_clean()
    user.save()
    old, new = audit_diff(before, user_snapshot(user))
    if new:
        audit_record(
            actor=actor, action="user.update", target=user, org_path=organization.path, before=old, after=new
        )
    return user


@transaction.atomic
def user_reset_password(*, actor: User, user: User) -> str:
    if not user.can_be_managed_by(actor):
        raise PermissionDenied
    password = _issue_one_time_password(user)
    user.save(update_fields=["password", "must_change_password", "password_expires_at", "updated_at"])
    audit_record(actor=actor, action="user.reset_password", target=user, org_path=user.organization.path)
    # the holder learns of it (in the app, and by e-mail when they have an address), so a reset
    # they did not ask for is noticed
    notify(
        recipients=[user],
        text=_("您的登录密码已于 %(when)s 由%(actor)s重置。如非您本人申请，请立即联系安全管理员。")
        % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M"), "actor": actor},
    )
    return password


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> None:
    if not user.can_be_managed_by(actor):
        raise PermissionDenied
    axes_reset(username=user.username)
    audit_record(actor=actor, action="user.unlock", target=user, org_path=user.organization.path)


def _check_organiser_over(actor: User, organization: Organization) -> None:
    if actor.role != Role.ORGANISER or not actor.is_active:
        raise PermissionDenied
    if organization.path == actor.organization.path or not organization.path.startswith(
        actor.organization.path
    ):
        raise PermissionDenied


def _free_username(base: str) -> str:
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    return next(f"{base}_{n}" for n in range(2, 10_000) if f"{base}_{n}" not in taken)


@transaction.atomic
def secretary_placeholder_create(*, actor: User, organization: Organization) -> User:
    """The secretary account of a unit that has none yet: it cannot sign in (no password) until
    the organiser invites its holder; meanwhile the organiser may enter the unit's report."""
    _check_organiser_over(actor, organization)
    secretary = organization.secretary
    user = User(
        username=_free_username(f"sec_{organization.code}".lower()[:140]),
        full_name=secretary.name
        if secretary is not None
        else _("%(unit)s书记") % {"unit": organization.name},
        organization=organization,
        role=Role.SECRETARY,
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        action="user.create_placeholder",
        target=user,
        org_path=organization.path,
        after=user_snapshot(user),
    )
    return user


@transaction.atomic
def secretary_invite(*, actor: User, user: User, full_name: str = "") -> str:
    """The organiser hands a unit's secretary account to its holder: a one-time password, shown
    once, under the same rules as the system administrator's (changed at first sign-in, expiring).
    Only for a secretary account of the organiser's subtree that nobody has signed in to yet."""
    user = User.objects.select_for_update().select_related("organization").get(pk=user.pk)
    _check_organiser_over(actor, user.organization)
    if user.role != Role.SECRETARY or not user.is_active:
        raise PermissionDenied
    if not user.is_unclaimed:
        raise ValidationError(
            _("“%(name)s”已由本人登录使用，不能再发放初始密码；如忘记密码请联系系统管理员重置。")
            % {"name": user.full_name},
            code="claimed",
        )
    if full_name.strip():
        user.full_name = full_name.strip()[:50]
    password = _issue_one_time_password(user)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        action="user.invite",
        target=user,
        org_path=user.organization.path,
        after={"username": user.username, "full_name": user.full_name},
    )
    return password


@transaction.atomic
def account_unlock(*, actor: User, username: str) -> int:
    """The security administrator lifts a lockout: any account's, administrators' included."""
    if not actor.can(Capability.MANAGE_SECURITY):
        raise PermissionDenied
    cleared = axes_reset(username=username)
    user = User.objects.filter(username=username).first()
    audit_record(
        actor=actor,
        action="user.unlock",
        target=user,
        target_repr="" if user is not None else username,
        org_path=user.organization.path if user is not None else "",
        extra={"cleared": cleared},
    )
    return cleared


def login_failed_from(address: str) -> int:
    """Count a failed sign-in against its source address; the count lapses after the window."""
    if not address:
        return 0
    key = address_failure_key(address)
    cache.add(key, 0, settings.LOGIN_ADDRESS_WINDOW_MINUTES * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # lapsed between add and incr
        cache.set(key, 1, settings.LOGIN_ADDRESS_WINDOW_MINUTES * 60)
        count = 1
    if count == settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        audit_record(
            actor=None, action="auth.address_limited", target_repr=address, extra={"failures": count}
        )
    return count


@transaction.atomic
def user_set_own_password(*, user: User, password: str) -> None:
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = False
    user.password_expires_at = None
    user.save(update_fields=["password", "must_change_password", "password_expires_at", "updated_at"])
    audit_record(actor=user, action="user.change_password", target=user, org_path=user.organization.path)


@transaction.atomic
def admin_account_create(
    *, username: str, full_name: str, organization: Organization, role: str, password: str
) -> User:
    """Create one of the three administrators (system, security, audit) from the command line."""
    if role not in ADMIN_ROLES:
        raise field_error("role", _("此命令只创建三类管理员账号。"), "not_admin_role")
    user = User(
        username=username,
        full_name=full_name,
        organization=organization,
        role=role,
        must_change_password=True,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=None,
        action="user.create_admin",
        target=user,
        org_path=organization.path,
        after=user_snapshot(user),
    )
    return user


@transaction.atomic
def security_policy_update(*, actor: User, **fields: Any) -> SecurityPolicy:
    if not actor.can(Capability.MANAGE_SECURITY):
        raise PermissionDenied
    policy = SecurityPolicy.objects.select_for_update().filter(pk=1).first() or SecurityPolicy(pk=1)
    before = {name: getattr(policy, name) for name in fields}
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    # forget the cached policy now and again after commit, so that no request in between
    # re-caches the old one for long
    cache.delete(POLICY_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(POLICY_CACHE_KEY))
    old, new = audit_diff(before, fields)
    if new:
        audit_record(
            actor=actor, action="security.update_policy", target=policy, org_path="", before=old, after=new
        )
    return policy
