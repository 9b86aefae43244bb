import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shuzhi.core.keys import (
    encrypted_columns,
    rows_under_other_keys,
    secrets_file_add_field_key,
    secrets_file_retire_field_keys,
)
from shuzhi.core.services import field_key_rotate


class Command(BaseCommand):
    help = (
        "轮换身份证号、联系电话等加密字段的密钥。步骤：1. --new-key 在密钥文件中加入新密钥（旧密钥保留用于解密），"
        "重启应用和后台任务；2. 不带参数运行，分批用新密钥重新加密全部数据（可中断，再次运行即继续；记入审计日志）；"
        "3. --retire-old-keys 确认没有数据仍用旧密钥后，从密钥文件中删去旧密钥。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--new-key", action="store_true", help="在密钥文件中加入新密钥并置于首位")
        parser.add_argument("--retire-old-keys", action="store_true", help="删去密钥文件中的旧密钥")
        parser.add_argument("--batch-size", type=int, default=500, help="每批重新加密的行数（每批单独提交）")
        parser.add_argument("--max-batches", type=int, default=None, help="最多处理的批数（分次运行）")

    def handle(self, *args, new_key, retire_old_keys, batch_size, max_batches, **options):
        from_environment = bool(os.environ.get("SHUZHI_FIELD_ENCRYPTION_KEYS", "").strip())
        if new_key or retire_old_keys:
            if from_environment:
                raise CommandError(
                    "密钥取自环境变量 SHUZHI_FIELD_ENCRYPTION_KEYS：请在那里把新密钥放在首位（或删去旧密钥）。"
                )
            if new_key:
                secrets_file_add_field_key()
                self.stdout.write(
                    f"已在 {settings.SECRETS_FILE} 中加入新密钥。请重启应用和后台任务，再运行 rotate_field_key。"
                )
                return
            left = {m._meta.label_lower: rows_under_other_keys(m, f) for m, f in encrypted_columns()}
            if any(left.values()):
                raise CommandError(f"仍有数据使用旧密钥：{left}。请先运行 rotate_field_key 完成轮换。")
            removed = secrets_file_retire_field_keys()
            self.stdout.write(f"已从 {settings.SECRETS_FILE} 删去 {removed} 个旧密钥。")
            return
        if batch_size < 1:
            raise CommandError("--batch-size 至少为 1。")
        progress = field_key_rotate(batch_size=batch_size, max_batches=max_batches)
        counts = "，".join(f"{label} {n} 行" for label, n in progress.rows.items())
        if progress.finished:
            self.stdout.write(self.style.SUCCESS(f"已用当前密钥重新加密：{counts}。全部完成。"))
        else:
            self.stdout.write(f"本次重新加密：{counts}。尚未完成，请再次运行以继续。")
