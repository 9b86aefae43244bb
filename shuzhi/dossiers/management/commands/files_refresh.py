from django.core.management.base import BaseCommand

from shuzhi.dossiers.services import file_states_refresh


class Command(BaseCommand):
    help = "重新计算每名党员档案的齐全情况（修改档案材料目录的必备项后运行）"

    def handle(self, *args, **options):
        written = file_states_refresh(within_path="")
        self.stdout.write(f"已重新计算 {written} 名党员的档案齐全情况。")
