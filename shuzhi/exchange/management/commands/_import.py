import os
import shutil
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from shuzhi.exchange.management.commands._base import acting_user
from shuzhi.exchange.models import ExchangeJob
from shuzhi.exchange.services import exchange_job_run, import_job_create

SHOWN_ERRORS = 30


def describe_error(error: dict) -> str:
    """'第 5 行 B 列（身份证号） “…”：reason', leaving out the parts an error does not have."""
    where = f"第 {error['row']} 行"
    if error["letter"]:
        where += f" {error['letter']} 列"
    if error["column"]:
        where += f"（{error['column']}）"
    value = f" “{error['value']}”" if error["value"] else ""
    return f"{where}{value}：{error['message']}"


def _save_beside(job: ExchangeJob, file: Path) -> Path:
    """Copy the job's error report out of the file storage (which may be an object store) next
    to the file imported, readable by its owner only, as the rows in it hold personal data."""
    target = file.with_name(f"{file.stem}-错误报告.xlsx")
    with (
        job.report.open("rb") as report,
        open(target, "wb", opener=lambda path, flags: os.open(path, flags, 0o600)) as out,
    ):
        shutil.copyfileobj(report, out)
    return target


class ImportCommand(BaseCommand):
    kind: str

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="以哪个账号的身份和管理范围导入（组织部账号）")

    def handle(self, *args, file: Path, user: str, **options):
        actor = acting_user(user)
        if not file.is_file():
            raise CommandError(f"找不到文件 {file}")
        started = time.perf_counter()
        try:
            with file.open("rb") as handle:
                job = import_job_create(
                    actor=actor,
                    kind=self.kind,
                    upload=handle,
                    name=file.name,
                    size=file.stat().st_size,
                    enqueue=False,
                )
        except PermissionDenied:
            raise CommandError(
                f"账号“{actor.username}”无权导入{ExchangeJob.Kind(self.kind).label}。"
            ) from None
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        job = exchange_job_run(job_id=job.pk)
        elapsed = time.perf_counter() - started
        if job.status == ExchangeJob.Status.SUCCEEDED:
            self.stdout.write(
                f"导入成功：{job.total_rows} 行，新增 {job.created_count}，更新 {job.updated_count}，"
                f"未变 {job.unchanged_count}；用时 {elapsed:.1f} 秒。"
            )
            return
        self.stderr.write(job.message)
        for error in job.errors[:SHOWN_ERRORS]:
            self.stderr.write("  " + describe_error(error))
        if job.error_count > SHOWN_ERRORS:
            self.stderr.write(f"  ……另有 {job.error_count - SHOWN_ERRORS} 处")
        if job.report:
            self.stderr.write(f"错误报告：{_save_beside(job, file)}")
        raise CommandError("未导入任何数据。")
