from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from shuzhi.accounts.models import SecurityPolicy, User
from shuzhi.core.access import get_scoped_or_404, in_subtree, require
from shuzhi.core.roles import Capability

POLICY_CACHE_KEY = "security-policy"
# Several app servers each cache the policy; a change reaches all of them within this time.
POLICY_CACHE_SECONDS = 30


def security_policy() -> SecurityPolicy:
    policy = cache.get(POLICY_CACHE_KEY)
    if policy is None:
        policy = SecurityPolicy.objects.filter(pk=1).first() or SecurityPolicy(pk=1)
        cache.set(POLICY_CACHE_KEY, policy, POLICY_CACHE_SECONDS)
    return policy


def lockout_failure_limit(request, credentials) -> int:
    return security_policy().lockout_threshold


def lockout_cooloff(request=None) -> timedelta:
    return timedelta(minutes=security_policy().lockout_minutes)


def address_failure_key(address: str) -> str:
    return f"login-failures:{address}"


def address_refused(address: str) -> bool:
    """Has this source address failed to sign in too often lately (whatever the names tried)?"""
    return (cache.get(address_failure_key(address)) or 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def locked_accounts() -> list[dict]:
    """The (username, address) pairs locked now, newest first, with the account where it exists."""
    policy = security_policy()
    since = timezone.now() - timedelta(minutes=policy.lockout_minutes)
    rows = list(
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=policy.lockout_threshold)
        .order_by("-last")
    )
    accounts = User.objects.in_bulk([row["username"] for row in rows], field_name="username")
    for row in rows:
        row["account"] = accounts.get(row["username"])
        row["until"] = row["last"] + timedelta(minutes=policy.lockout_minutes)
    return rows


def users_visible_to(user: User) -> QuerySet[User]:
    require(user, Capability.MANAGE_USERS)
    return User.objects.filter(in_subtree("organization__path", user.organization.path)).select_related(
        "organization"
    )


def user_list(*, viewer: User, query: str = "", role: str = "") -> QuerySet[User]:
    users = users_visible_to(viewer)
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    if role:
        users = users.filter(role=role)
    return users.order_by("organization__path", "username")


def user_get(*, viewer: User, pk: int) -> User:
    return get_scoped_or_404(users_visible_to(viewer), pk=pk)
