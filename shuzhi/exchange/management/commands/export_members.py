from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from shuzhi.exchange.management.commands._base import acting_user, organization_in_scope
from shuzhi.exchange.services import member_filter_from, members_export
from shuzhi.members.models import Member
from shuzhi.members.selectors import FILTER_FIELDS


class Command(BaseCommand):
    help = "把（按条件筛选的）党员名册导出为 .xlsx，格式与导入模板相同。"

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path)
        parser.add_argument("--user", required=True, help="以哪个账号的身份和管理范围导出")
        parser.add_argument("--org", help="只导出该组织及下级组织（组织编码）")
        parser.add_argument("--status", choices=Member.Status.values)
        parser.add_argument("--category", choices=Member.Category.values)
        parser.add_argument("--education", choices=Member.Education.values)
        parser.add_argument("--gender", choices=Member.Gender.values)
        parser.add_argument("--min-age", type=int)
        parser.add_argument("--max-age", type=int)

    def handle(self, *args, output: Path, user: str, org: str | None, **options):
        actor = acting_user(user)
        parameters = {k: options[k] for k in FILTER_FIELDS if options.get(k) not in (None, "")}
        parameters["org"] = organization_in_scope(actor, org).pk
        try:
            with output.open("wb") as target:
                count = members_export(
                    viewer=actor, filters=member_filter_from(actor, parameters), target=target
                )
        except PermissionDenied:
            output.unlink(missing_ok=True)
            raise CommandError(f"账号“{actor.username}”无权导出党员名册。") from None
        self.stdout.write(f"已导出 {count} 名党员到 {output}")
