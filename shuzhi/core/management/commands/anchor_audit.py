from django.core.management.base import BaseCommand

from shuzhi.core.services import audit_head_anchor


class Command(BaseCommand):
    help = "把审计日志链头写入库外锚点文件；--schedule 则交给后台任务每五分钟写一次。"

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="排入后台任务队列，此后每五分钟自动写入")

    def handle(self, *args, **options):
        if options["schedule"]:
            from django_tasks_db.models import DBTaskResult

            from shuzhi.core.tasks import anchor_audit_every_few_minutes

            pending = DBTaskResult.objects.filter(
                task_path=anchor_audit_every_few_minutes.module_path, status="READY"
            ).exists()
            if not pending:
                anchor_audit_every_few_minutes.enqueue()
            self.stdout.write("已安排每五分钟把审计日志链头写入库外锚点。")
            return
        seq, digest = audit_head_anchor()
        self.stdout.write(f"已写入链头 #{seq} {digest}")
