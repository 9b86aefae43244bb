from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shuzhi.weakorgs.services import flags_compute
from shuzhi.weakorgs.tasks import compute_flags_nightly, next_run


class Command(BaseCommand):
    help = "研判软弱涣散基层党组织（默认本年度）；--schedule 则安排每晚由后台任务自动研判（已安排则不重复）。"

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true")
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args, schedule, year, **options):
        if schedule:
            pending = DBTaskResult.objects.filter(
                task_path=compute_flags_nightly.module_path, status="READY"
            ).exists()
            if not pending:
                compute_flags_nightly.using(run_after=next_run(timezone.now())).enqueue()
            self.stdout.write("已安排每晚自动研判软弱涣散基层党组织。")
            return
        run = flags_compute(year=year or timezone.localdate().year)
        self.stdout.write(
            f"已研判 {run.organizations} 个基层党组织，{run.flagged} 个命中规则，用时 {run.seconds} 秒。"
        )
