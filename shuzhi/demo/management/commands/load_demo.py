from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shuzhi.demo.dossiers import demo_dossiers_ensure
from shuzhi.demo.generator import PROVINCE_PREFIX, CityGenerator
from shuzhi.demo.lifecycle import (
    demo_departures_ensure,
    demo_pipeline_ensure,
    demo_training_ensure,
    demo_transfers_ensure,
)
from shuzhi.demo.projects import demo_projects_ensure
from shuzhi.demo.services import (
    city_write,
    demo_accounts_ensure,
    demo_commitments_ensure,
    demo_cycle_ensure,
    demo_dues_ensure,
    demo_evaluations_ensure,
    demo_records_ensure,
    demo_standards_ensure,
    demo_texts_ensure,
    demo_trainings_ensure,
    demo_weakorgs_ensure,
)
from shuzhi.orgs.models import Organization


class Command(BaseCommand):
    help = "载入演示城市（约320个党组织、3000名党员）和各角色演示账号；可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=320)
        parser.add_argument("--members", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, orgs, members, seed, **options):
        root = Organization.objects.filter(code=PROVINCE_PREFIX, depth=1).first()
        if root is None:
            if Organization.objects.exists():
                raise CommandError("数据库中已有其他党组织数据，不能再载入演示城市。")
            generator = CityGenerator(
                seed=seed, organizations=orgs, members=members, as_of=timezone.localdate()
            )
            stats = city_write(generator=generator)
            root = stats.root
            self.stdout.write(
                f"已载入演示城市“{root.name}”：党组织 {stats.organizations} 个，党员 {stats.members} 名。"
            )
        else:
            self.stdout.write(f"演示城市“{root.name}”已存在，未重复载入。")
        logins = demo_accounts_ensure(root=root)
        cycle = demo_cycle_ensure(root=root)
        if cycle is not None:
            self.stdout.write(
                f"已建立演示述职评议周期“{cycle.title}”（{cycle.reporters.count()} 个述职单位）。"
            )
            written = demo_texts_ensure(cycle=cycle)
            self.stdout.write(
                f"已为 {written} 份述职报告写入演示文字（含雷同段落），并建立上年度归档周期和范文库。"
            )
        today = timezone.localdate()
        records = sum(
            demo_records_ensure(root=root, year=year, until=today, seed=seed)
            for year in (today.year - 1, today.year)
        )
        if records:
            self.stdout.write(f"已写入上年度和本年度的组织生活记录 {records} 条（含出席情况）。")
        payments = sum(
            demo_dues_ensure(root=root, year=year, until=today, seed=seed)
            for year in (today.year - 1, today.year)
        )
        if payments:
            self.stdout.write(f"已写入上年度和本年度的党费核定和交纳记录（交纳 {payments} 笔）。")
        promised = sum(
            demo_commitments_ensure(root=root, year=year, seed=seed) for year in (today.year - 1, today.year)
        )
        if promised:
            self.stdout.write(f"已写入上年度和本年度的党员承诺 {promised} 项。")
        declared = demo_projects_ensure(root=root, seed=seed)
        if declared:
            self.stdout.write(
                f"已写入本年度 {declared} 个单位的问题清单、责任清单、书记领办项目及季度督查评价。"
            )
        people = demo_pipeline_ensure(root=root, today=today, seed=seed)
        if people:
            self.stdout.write(f"已写入发展党员名单 {people} 人（入党申请人至发展对象，含已办步骤）。")
        organiser = root_organiser(root)
        questions = demo_training_ensure(root=root, year=today.year, actor=organiser)
        if questions:
            self.stdout.write(
                f"已写入发展党员题库 {questions} 道题、入党前培训课程和知识测试，以及本年度各县区发展党员计划。"
            )
        clerk = get_user_model().objects.filter(username="clerk").select_related("organization").first()
        moved = demo_transfers_ensure(root=root, today=today, actor=organiser, seed=seed,
                                      focus=clerk.organization if clerk else None)  # fmt: skip
        if moved:
            self.stdout.write(f"已写入组织关系转接 {moved} 笔（已办结、待报到和待接收的都有）。")
        left = demo_departures_ensure(root=root, today=today, actor=organiser, seed=seed)
        if left:
            self.stdout.write(f"已记录近五年减少的党员 {left} 名（死亡、转出、退党）。")
        scans, talents, registered = demo_dossiers_ensure(root=root, today=today, seed=seed)
        if scans or talents or registered:
            self.stdout.write(
                f"已写入党员档案扫描件 {scans} 份、能人 {talents} 人、到社区报到党员 {registered} 人。"
            )
        rounds = demo_evaluations_ensure(root=root, year=today.year - 1, seed=seed)
        if rounds:
            self.stdout.write(f"已写入上年度 {rounds} 个党支部的民主评议党员结果。")
        listed = demo_weakorgs_ensure(root=root, year=today.year - 1, seed=seed)
        if listed:
            self.stdout.write(f"已研判软弱涣散党组织，并将 {listed} 个列入台账（含整顿、验收、销号各阶段）。")
        from shuzhi.demo.guarantees import guarantees_write

        figures = guarantees_write(root=root, year=today.year - 1, seed=seed, audited=True)
        if figures:
            self.stdout.write(f"已写入上年度基本保障标准和 {figures} 个村（社区）的落实情况（含约谈建议）。")
        trainings = sum(
            demo_trainings_ensure(root=root, year=year, until=today, seed=seed)
            for year in (today.year - 1, today.year)
        )
        if trainings:
            self.stdout.write(f"已写入上年度和本年度的培训活动 {trainings} 项（含参训人员）。")
        rated = demo_standards_ensure(root=root, year=today.year - 1, seed=seed)
        if rated:
            self.stdout.write(f"已写入上年度 {rated} 个党支部的星级评定（自评、上级确认和公布）。")
        self.stdout.write("")
        self.stdout.write("演示账号（密码在本机生成，保存在 var/demo_logins.json，仅供本机演示）：")
        width = max(len(login["username"]) for login in logins)
        for login in logins:
            self.stdout.write(
                f"  {login['username']:<{width}}  {login['password']}  {login['role']} · {login['organization']}"
            )


def root_organiser(root):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(organization=root, role="organiser").order_by("id").first()
