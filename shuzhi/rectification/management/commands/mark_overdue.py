from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shuzhi.rectification.services import items_mark_overdue
from shuzhi.rectification.tasks import mark_overdue_daily, next_run


class Command(BaseCommand):
    help = "把超过整改时限的事项标为逾期并提醒；--schedule 则安排每晚由后台任务自动执行（已安排则不重复）。"

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true")

    def handle(self, *args, schedule, **options):
        if schedule:
            pending = DBTaskResult.objects.filter(
                task_path=mark_overdue_daily.module_path, status="READY"
            ).exists()
            if not pending:
                mark_overdue_daily.using(run_after=next_run(timezone.now())).enqueue()
            self.stdout.write("已安排每晚自动标记逾期事项。")
            return
        self.stdout.write(f"已标记逾期事项 {items_mark_overdue()} 项。")
