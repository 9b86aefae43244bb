from django.core.management.base import BaseCommand

from shuzhi.dossiers.services import file_states_refresh


class Command(BaseCommand):
    help = "重新计算每名党员档案的齐全情况（批量写入或删除扫描件后运行；在“档案材料目录”页修改必备项时已自动重新计算）"

    def handle(self, *args, **options):
        written = file_states_refresh(within_path="")
        self.stdout.write(f"已重新计算 {written} 名党员的档案齐全情况。")
