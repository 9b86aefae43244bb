import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shuzhi.demo.generator import CityGenerator
from shuzhi.demo.lifecycle import demo_pipeline_ensure
from shuzhi.demo.services import city_write, demo_records_ensure


class Command(BaseCommand):
    help = (
        "生成城市规模的测试数据（默认 21,800 个党组织、290,000 名党员），用于压测和基准测试；数据库须为空。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=21800)
        parser.add_argument("--members", type=int, default=290000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--as-of", type=date.fromisoformat, default=None, help="生成数据所依据的日期，默认今天"
        )
        parser.add_argument(
            "--pipeline",
            action="store_true",
            help="同时生成发展党员名单（近一年半的入党申请人，每年约为党员数的1%%）及其已办步骤",
        )
        parser.add_argument(
            "--records",
            action="store_true",
            help="同时生成上一年度全年的组织生活记录（约 72 万条，只记出席人数）",
        )

    def handle(self, *args, orgs, members, seed, as_of, records, pipeline=False, **options):
        started = time.perf_counter()
        generator = CityGenerator(
            seed=seed, organizations=orgs, members=members, as_of=as_of or timezone.localdate()
        )

        def progress(done: int, total: int) -> None:
            if done % 50000 < 5000 or done == total:
                self.stdout.write(f"  党员 {done}/{total}")

        try:
            stats = city_write(generator=generator, progress=progress)
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"已生成“{stats.root.name}”：党组织 {stats.organizations} 个，党员 {stats.members} 名，用时 {elapsed:.1f} 秒。"
        )
        if records:
            started = time.perf_counter()
            day = as_of or timezone.localdate()
            written = demo_records_ensure(
                root=stats.root, year=day.year - 1, until=day, seed=seed, attendance=False
            )
            elapsed = time.perf_counter() - started
            self.stdout.write(f"已生成 {day.year - 1} 年度组织生活记录 {written} 条，用时 {elapsed:.1f} 秒。")
        if pipeline:
            started = time.perf_counter()
            people = demo_pipeline_ensure(root=stats.root, today=as_of or timezone.localdate(), seed=seed)
            elapsed = time.perf_counter() - started
            self.stdout.write(f"已生成发展党员名单 {people} 人，用时 {elapsed:.1f} 秒。")
