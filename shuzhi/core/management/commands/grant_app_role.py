from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from shuzhi.core.roles_sql import app_role_statements


class Command(BaseCommand):
    help = (
        "在 PostgreSQL 上为运行应用的数据库角色授权（以表的所有者身份在每次 migrate 之后运行）："
        "可读写业务数据，但不拥有任何表，不能停用触发器、清空或删除表，不能改动或删除审计日志和选票。"
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="应用连接数据库所用的角色（须已存在，且不是表的所有者）")
        parser.add_argument("--print", action="store_true", dest="print_only", help="只打印 SQL，不执行")

    def handle(self, *args, role, print_only, **options):
        if connection.vendor != "postgresql":
            raise CommandError("只有 PostgreSQL 需要分离应用角色；内置的 SQLite 没有角色。")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper, pg_has_role(%s, current_user, 'MEMBER') FROM pg_roles WHERE rolname = %s",
                           [role, role])  # fmt: skip
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"角色 {role} 不存在：请先 CREATE ROLE {role} LOGIN PASSWORD '…'。")
            if found[0] or found[1]:
                raise CommandError(f"角色 {role} 是超级用户或表所有者的成员，分离没有意义。")
            statements = app_role_statements(cursor, role)
            for statement in statements:
                if print_only:
                    self.stdout.write(statement.as_string(cursor.connection) + ";")
                else:
                    cursor.execute(statement)
        if not print_only:
            self.stdout.write(self.style.SUCCESS(f"已为角色 {role} 授权（{len(statements)} 条语句）。"))
