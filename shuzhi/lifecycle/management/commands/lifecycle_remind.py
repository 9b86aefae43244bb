from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shuzhi.lifecycle.services import deadline_reminders_send
from shuzhi.lifecycle.tasks import next_run, remind_daily


class Command(BaseCommand):
    help = "提醒各党支部 14 天内到期或已超期的发展党员步骤；--schedule 则安排每晚由后台任务自动执行（已安排则不重复）。"

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true")

    def handle(self, *args, schedule, **options):
        if schedule:
            pending = DBTaskResult.objects.filter(task_path=remind_daily.module_path, status="READY").exists()
            if not pending:
                remind_daily.using(run_after=next_run(timezone.now())).enqueue()
            self.stdout.write("已安排每晚自动提醒发展党员步骤期限。")
            return
        self.stdout.write(f"已提醒 {deadline_reminders_send(today=timezone.localdate())} 人的步骤期限。")
