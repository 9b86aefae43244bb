from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from shuzhi.exchange.management.commands._base import acting_user, organization_in_scope
from shuzhi.exchange.services import organizations_export


class Command(BaseCommand):
    help = "把党组织树（某组织及其全部下级）导出为 .xlsx，格式与导入模板相同。"

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path)
        parser.add_argument("--user", required=True, help="以哪个账号的身份和管理范围导出")
        parser.add_argument("--org", help="从哪个组织开始（组织编码），默认账号所属组织")

    def handle(self, *args, output: Path, user: str, org: str | None, **options):
        actor = acting_user(user)
        root = organization_in_scope(actor, org)
        try:
            with output.open("wb") as target:
                count = organizations_export(viewer=actor, root=root, target=target)
        except PermissionDenied:
            output.unlink(missing_ok=True)
            raise CommandError(f"账号“{actor.username}”无权导出党组织。") from None
        self.stdout.write(f"已导出 {count} 个党组织到 {output}")
