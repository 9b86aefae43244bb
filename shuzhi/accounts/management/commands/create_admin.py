from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shuzhi.accounts.services import admin_account_create, generate_password
from shuzhi.core.roles import ADMIN_ROLES, Role
from shuzhi.orgs.models import Organization


class Command(BaseCommand):
    help = (
        "创建系统管理员、安全管理员或安全审计员账号（三员分立：每个账号只有一种角色），打印生成的初始密码。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, choices=sorted(str(r) for r in ADMIN_ROLES))
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", default="")
        parser.add_argument("--org", required=True, help="所属党组织编码（通常是本级党委）")

    def handle(self, *args, role, username, full_name, org, **options):
        organization = Organization.objects.filter(code=org).first()
        if organization is None:
            raise CommandError(f"没有编码为“{org}”的党组织。")
        password = generate_password()
        try:
            user = admin_account_create(
                username=username,
                full_name=full_name or str(Role(role).label),
                organization=organization,
                role=role,
                password=password,
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(f"已创建{user.get_role_display()}账号 {user.username}，初始密码：{password}")
        self.stdout.write("请登录后立即修改密码。")
