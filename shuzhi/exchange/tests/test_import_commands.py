"""The import commands: the same checks and the same all-or-nothing write as the pages, run at
once, with the outcome printed and a failure as a CommandError."""

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from shuzhi.accounts.models import User
from shuzhi.core.models import AuditEvent
from shuzhi.exchange.models import ExchangeJob
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.testing.factories import make_id_number
from shuzhi.testing.sheets import MEMBER_HEADERS, ORG_HEADERS, member_row, xlsx


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _file(tmp_path, rows, headers=MEMBER_HEADERS, name="名册.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx(rows, headers=headers))
    return path


def _person(name, org="C01001001", **cells):
    return member_row(name, make_id_number(date(1984, 6, 6), "M"), org, **cells)


def _run(command, path, user="county_org"):
    out, err = StringIO(), StringIO()
    call_command(command, str(path), user=user, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_members_writes_the_roster_and_prints_the_counts(cast, tmp_path):
    path = _file(tmp_path, [_person("孙立"), _person("周强", org="C01001002")])

    out, err = _run("import_members", path)

    assert re.fullmatch(r"导入成功：2 行，新增 2，更新 0，未变 0；用时 \d+\.\d 秒。\n", out)
    assert err == ""
    assert dict(
        Member.objects.filter(name__in=["孙立", "周强"]).values_list("name", "organization__code")
    ) == {
        "孙立": "C01001001",
        "周强": "C01001002",
    }
    job = ExchangeJob.objects.get()
    assert (job.status, job.created_by, job.original_name) == (
        "succeeded",
        cast.county_organiser,
        "名册.xlsx",
    )
    assert not DBTaskResult.objects.exists()  # run at once, not queued for the worker
    assert AuditEvent.objects.get(action="members.import").changes["created"] == 2


def test_import_members_run_twice_updates_instead_of_duplicating(cast, tmp_path):
    path = _file(tmp_path, [_person("孙立"), _person("周强")])
    _run("import_members", path)

    out, _err = _run("import_members", path)

    assert out.startswith("导入成功：2 行，新增 0，更新 0，未变 2；")
    assert Member.objects.count() == 6


def test_a_file_with_mistakes_raises_and_prints_each_mistake(cast, tmp_path):
    path = _file(
        tmp_path, [_person("孙立"), _person("周强", joined="去年"), _person("吴敏", org="C02001001")]
    )

    with pytest.raises(CommandError, match=r"^未导入任何数据。$"):
        _run("import_members", path)

    job = ExchangeJob.objects.get()
    assert job.status == ExchangeJob.Status.REJECTED
    assert not Member.objects.filter(name__in=["孙立", "周强", "吴敏"]).exists()
    assert not AuditEvent.objects.filter(action="members.import").exists()


def test_the_mistakes_go_to_standard_error_with_the_report(cast, tmp_path):
    path = _file(tmp_path, [_person("孙立"), _person("周强", joined="去年")])
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_members", str(path), user="county_org", stdout=StringIO(), stderr=err)

    job = ExchangeJob.objects.get()
    assert err.getvalue().splitlines() == [
        "发现 1 处错误（涉及 1 行），未导入任何数据。",
        "  第 3 行 H 列（入党日期） “去年”：日期格式不正确，应为 2021-07-01 这样的日期。",
        f"错误报告：{tmp_path / '名册-错误报告.xlsx'}",
    ]
    with job.report.open("rb") as stored:
        assert (tmp_path / "名册-错误报告.xlsx").read_bytes() == stored.read()
    assert (tmp_path / "名册-错误报告.xlsx").stat().st_mode & 0o777 == 0o600
    assert Member.objects.count() == 4


def test_only_the_first_thirty_mistakes_are_printed(cast, tmp_path):
    path = _file(tmp_path, [_person(f"人{i}", joined="去年") for i in range(35)])
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_members", str(path), user="county_org", stdout=StringIO(), stderr=err)

    lines = err.getvalue().splitlines()
    assert sum(line.startswith("  第 ") for line in lines) == 30
    assert "  ……另有 5 处" in lines
    assert Member.objects.count() == 4


def test_import_orgs_adds_the_organisations(cast, tmp_path):
    rows = [["C01001003", "赵庄村党支部", "党支部", "村社区", "农村", "C01001", "", None]]
    path = _file(tmp_path, rows, headers=ORG_HEADERS, name="党组织.xlsx")

    out, _err = _run("import_orgs", path)

    assert out.startswith("导入成功：1 行，新增 1，更新 0，未变 0；")
    assert Organization.objects.get(code="C01001003").path.startswith(cast.township_a.path)
    assert ExchangeJob.objects.get().kind == ExchangeJob.Kind.ORGANIZATIONS


def test_an_unknown_or_disabled_account_is_refused(cast, tmp_path):
    path = _file(tmp_path, [_person("孙立")])
    User.objects.filter(pk=cast.outsider.pk).update(is_active=False)

    for username in ("nobody", "outsider"):
        with pytest.raises(CommandError, match=f"没有启用的账号“{username}”"):
            _run("import_members", path, user=username)

    assert not ExchangeJob.objects.exists()
    assert not Member.objects.filter(name="孙立").exists()


def test_an_account_that_may_not_import_is_refused(cast, tmp_path):
    path = _file(tmp_path, [_person("孙立")])

    with pytest.raises(CommandError, match="账号“reviewer”无权导入党员名册。"):
        _run("import_members", path, user="reviewer")
    with pytest.raises(CommandError, match="账号“township_sec”无权导入党组织。"):
        _run("import_orgs", path, user="township_sec")

    assert not ExchangeJob.objects.exists()
    assert not Member.objects.filter(name="孙立").exists()


def test_a_missing_file_is_refused(cast, tmp_path):
    with pytest.raises(CommandError, match=r"找不到文件 .*不存在\.xlsx"):
        _run("import_members", tmp_path / "不存在.xlsx")

    assert not ExchangeJob.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused_before_a_job_is_made(cast, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_text("姓名,身份证号\n", encoding="utf-8")

    with pytest.raises(CommandError, match=re.escape("这不是 Excel 工作簿（.xlsx）文件")):
        _run("import_members", path)

    assert not ExchangeJob.objects.exists()


def test_errors_are_printed_without_empty_parts():
    from shuzhi.exchange.management.commands._import import describe_error

    cell = {"row": 5, "letter": "B", "column": "身份证号", "value": "123", "message": "校验位不正确。"}
    header = {"row": 1, "letter": "", "column": "身份证号", "value": "", "message": "缺少必填列“身份证号”。"}
    assert describe_error(cell) == "第 5 行 B 列（身份证号） “123”：校验位不正确。"
    assert describe_error(header) == "第 1 行（身份证号）：缺少必填列“身份证号”。"
