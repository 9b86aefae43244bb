"""What the import and export commands share: who acts, and how a job's outcome is printed."""

from django.core.management.base import CommandError

from shuzhi.accounts.models import User
from shuzhi.orgs.models import Organization


def acting_user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"没有启用的账号“{username}”。导入导出以该账号的身份和管理范围进行。")
    return user


def organization_in_scope(user: User, code: str | None) -> Organization:
    if not code:
        return user.organization
    org = Organization.objects.filter(code=code).first()
    if org is None or not org.path.startswith(user.organization.path):
        raise CommandError(f"账号“{user.username}”的管理范围内没有编码为“{code}”的党组织。")
    return org
