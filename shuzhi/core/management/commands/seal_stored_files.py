import os

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "把旧版本以明文保存的文件（导入导出的表格、错误报告、附件）就地加密，并把数据目录中的文件权限收紧为仅本账号可读。"

    def handle(self, *args, **options):
        if not hasattr(default_storage, "seal_in_place"):
            raise CommandError("当前的文件存储不加密文件。")
        sealed = checked = 0
        for name in default_storage.listdir_all():
            checked += 1
            sealed += default_storage.seal_in_place(name)
        location = getattr(default_storage, "location", None)
        if location and os.path.isdir(location):
            for folder, _directories, files in os.walk(location):
                os.chmod(folder, 0o700)
                for file in files:
                    os.chmod(os.path.join(folder, file), 0o600)
        self.stdout.write(self.style.SUCCESS(f"已检查 {checked} 个文件，加密其中 {sealed} 个明文文件。"))
