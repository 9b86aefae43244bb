from django.core.management.base import BaseCommand, CommandError

from shuzhi.core.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "重新计算审计日志哈希链，报告被改动、删除或截断的记录。"

    def handle(self, *args, **options):
        report = audit_chain_verify()
        self.stdout.write(
            f"已校验 {report.checked} 条记录；链头序号 {report.head_seq}，哈希 {report.head_hash}"
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS("审计日志完整，未发现改动。"))
            return
        for problem in report.problems:
            self.stderr.write(f"#{problem.seq}: {problem.reason}")
        raise CommandError(f"审计日志校验失败：发现 {len(report.problems)} 处问题。")
