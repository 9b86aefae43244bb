from django.core.management.base import BaseCommand
from django.utils import timezone

from shuzhi.records.services import completions_rebuild


class Command(BaseCommand):
    help = "按现行组织生活频次要求重新判定各党支部某年度的完成情况（修改频次要求或批量导入记录后运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="年度，默认今年")

    def handle(self, *args, year, **options):
        year = year or timezone.localdate().year
        judged = completions_rebuild(year=year)
        self.stdout.write(f"已重新判定 {year} 年度 {judged} 个有记录的党支部。")
