from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shuzhi.core.anchors import anchor_file, digest_read
from shuzhi.core.selectors import audit_chain_verify


class Command(BaseCommand):
    help = (
        "用审计密钥重新计算审计日志哈希链，并与库外锚点（锚点文件、审计员保存的签名摘要）核对，"
        "报告被改动、删除或截断的记录；发现任何问题即以非零状态退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--digest", action="append", default=[], metavar="文件", help="审计员下载保存的签名摘要（可重复）"
        )

    def handle(self, *args, digest, **options):
        digests = []
        for name in digest:
            try:
                digests.append(digest_read(Path(name).read_text(encoding="utf-8"), source=name))
            except (OSError, ValueError) as error:
                raise CommandError(f"审计日志校验失败：{error}") from None
        report = audit_chain_verify(digests=digests)
        self.stdout.write(
            f"已校验 {report.checked} 条记录；链头序号 {report.head_seq}，哈希 {report.head_hash}；"
            f"锚点文件 {anchor_file()}，签名摘要 {len(digests)} 份"
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS("审计日志完整，未发现改动。"))
            return
        for problem in report.problems:
            self.stderr.write(f"#{problem.seq}: {problem.reason}")
        raise CommandError(f"审计日志校验失败：发现 {len(report.problems)} 处问题。")
