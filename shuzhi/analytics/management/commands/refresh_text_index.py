from django.core.management.base import BaseCommand

from shuzhi.analytics.services import checks_refresh


class Command(BaseCommand):
    help = "更新全文检索和雷同检查的索引，并检查有改动的述职报告；--schedule 则交给后台任务每五分钟运行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="排入后台任务队列，此后每五分钟自动运行")

    def handle(self, *args, **options):
        if options["schedule"]:
            from django_tasks_db.models import DBTaskResult

            from shuzhi.analytics.tasks import refresh_every_few_minutes

            pending = DBTaskResult.objects.filter(
                task_path=refresh_every_few_minutes.module_path, status="READY"
            ).exists()
            if not pending:
                refresh_every_few_minutes.enqueue()
            self.stdout.write("已安排每五分钟自动更新检索索引和雷同检查。")
            return
        count = checks_refresh()
        self.stdout.write(f"已检查 {count} 份报告。")
