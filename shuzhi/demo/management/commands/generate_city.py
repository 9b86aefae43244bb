import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shuzhi.demo.generator import CityGenerator
from shuzhi.demo.lifecycle import city_organiser, demo_pipeline_ensure, demo_transfers_ensure
from shuzhi.demo.services import city_weak_list, city_write, demo_records_ensure, demo_standards_ensure


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
            help="同时生成发展党员名单（近一年半的入党申请人，每年约为党员数的1%%）及其已办步骤，以及组织关系转接（已办结和待接收的）",
        )
        parser.add_argument(
            "--dossiers",
            action="store_true",
            help="同时生成党员档案扫描件记录（三成党员，其中约一半档案齐全）",
        )
        parser.add_argument(
            "--records",
            action="store_true",
            help="同时生成上一年度全年的组织生活记录（约 72 万条，只记出席人数）",
        )
        parser.add_argument(
            "--weak",
            action="store_true",
            help="同时研判上一年度软弱涣散基层党组织，并按各县区农村党组织 10%% 的比例列入台账；生成市级基本保障标准和每个村（社区）的落实情况",
        )
        parser.add_argument(
            "--standards",
            action="store_true",
            help="同时生成上一年度每个党支部的星级评定（自评、确认、公布；与 --records 一起使用）",
        )
        parser.add_argument(
            "--projects",
            action="store_true",
            help="同时生成本年度书记领办项目（2000 个单位 × 2 个项目 × 4 个季度的进展和督查评价）",
        )

    def handle(
        self,
        *args,
        orgs,
        members,
        seed,
        as_of,
        records,
        weak,
        standards,
        projects,
        pipeline,
        dossiers=False,
        **options,
    ):
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
        if weak:
            started = time.perf_counter()
            day = as_of or timezone.localdate()
            listed = city_weak_list(root=stats.root, year=day.year - 1)
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"已研判 {day.year - 1} 年度软弱涣散党组织并列入台账 {listed} 个，用时 {elapsed:.1f} 秒。"
            )
            from shuzhi.demo.guarantees import guarantees_write

            started = time.perf_counter()
            figures = guarantees_write(root=stats.root, year=day.year - 1, seed=seed)
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"已生成 {day.year - 1} 年度 {figures} 个村（社区）的基本保障落实情况，用时 {elapsed:.1f} 秒。"
            )
        if standards:
            started = time.perf_counter()
            day = as_of or timezone.localdate()
            rated = demo_standards_ensure(root=stats.root, year=day.year - 1, seed=seed)
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"已生成 {day.year - 1} 年度 {rated} 个党支部的星级评定，用时 {elapsed:.1f} 秒。"
            )
        if projects:
            from shuzhi.demo.projects import city_projects_write

            started = time.perf_counter()
            day = as_of or timezone.localdate()
            written = city_projects_write(root=stats.root, year=day.year, seed=seed)
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"已生成 {day.year} 年度书记领办项目 {written} 个及其季度进展，用时 {elapsed:.1f} 秒。"
            )
        if dossiers:
            from shuzhi.demo.dossiers import files_write

            started = time.perf_counter()
            day = as_of or timezone.localdate()
            written = files_write(root=stats.root, seed=seed, share=0.3, today=day)
            self.stdout.write(
                f"已生成党员档案扫描件记录 {written} 份，用时 {time.perf_counter() - started:.1f} 秒。"
            )
        if pipeline:
            started = time.perf_counter()
            people = demo_pipeline_ensure(root=stats.root, today=as_of or timezone.localdate(), seed=seed)
            elapsed = time.perf_counter() - started
            self.stdout.write(f"已生成发展党员名单 {people} 人，用时 {elapsed:.1f} 秒。")
            started = time.perf_counter()
            moved = demo_transfers_ensure(root=stats.root, today=as_of or timezone.localdate(), seed=seed,
                                          actor=city_organiser(stats.root))  # fmt: skip
            elapsed = time.perf_counter() - started
            self.stdout.write(f"已生成组织关系转接 {moved} 笔，用时 {elapsed:.1f} 秒。")
