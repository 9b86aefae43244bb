"""The export commands: the same files as the web exports, within the acting account's scope."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from shuzhi.core.models import AuditEvent
from shuzhi.testing.sheets import MEMBER_HEADERS, ORG_HEADERS


def _sheet(path, title):
    sheet = load_workbook(path)[title]
    return [cell.value for cell in sheet[1]], list(sheet.iter_rows(min_row=2, values_only=True))


def test_export_members_writes_the_filtered_roster_of_the_users_scope(cast, tmp_path, capsys):
    path = tmp_path / "probationary.xlsx"

    call_command("export_members", str(path), user="county_org", status="probationary")

    headers, rows = _sheet(path, "党员名册")
    assert headers == MEMBER_HEADERS
    assert [(row[0], row[1], row[9], row[11]) for row in rows] == [
        ("赵晨", cast.member_a2.id_number, "预备党员", "C01001002")
    ]
    assert rows[0][7].date() == cast.member_a2.joined_on  # a real date cell
    assert "已导出 1 名党员" in capsys.readouterr().out
    event = AuditEvent.objects.get(action="members.export")
    assert event.actor == cast.county_organiser
    assert (event.changes["rows"], event.changes["personal_data"]) == (1, "whole")


def test_export_members_with_an_org_code_exports_only_that_subtree(cast, tmp_path):
    path = tmp_path / "wangzhuang.xlsx"

    call_command("export_members", str(path), user="county_org", org="C01001001")

    _headers, rows = _sheet(path, "党员名册")
    assert sorted(row[0] for row in rows) == sorted(["王建国", "李秀英"])


def test_export_members_for_a_township_secretary_masks_personal_data(cast, tmp_path):
    path = tmp_path / "township.xlsx"

    call_command("export_members", str(path), user="township_sec")

    _headers, rows = _sheet(path, "党员名册")
    number = cast.member_a.id_number
    wang = next(row for row in rows if row[0] == "王建国")
    assert wang[1] == number[:3] + "*" * 11 + number[-4:]
    assert wang[5] == "138****1111"
    assert "说明" in load_workbook(path).sheetnames
    assert AuditEvent.objects.get(action="members.export").changes["personal_data"] == "masked"


@pytest.mark.parametrize("command", ["export_members", "export_orgs"])
@pytest.mark.parametrize("code", ["C02", "C02001001", "C", "NOPE"])
def test_an_org_code_outside_the_users_scope_is_refused_and_writes_no_file(cast, tmp_path, command, code):
    path = tmp_path / "out.xlsx"

    with pytest.raises(CommandError, match=f"管理范围内没有编码为“{code}”的党组织"):
        call_command(command, str(path), user="county_org", org=code)

    assert not path.exists()
    assert not AuditEvent.objects.filter(action__endswith=".export").exists()


@pytest.mark.parametrize("command", ["export_members", "export_orgs"])
def test_an_account_without_the_export_capability_is_refused_and_leaves_no_file(cast, tmp_path, command):
    path = tmp_path / "out.xlsx"

    with pytest.raises(CommandError, match="无权导出"):
        call_command(command, str(path), user="reviewer")

    assert not path.exists()
    assert not AuditEvent.objects.filter(action__endswith=".export").exists()


@pytest.mark.parametrize("command", ["export_members", "export_orgs"])
def test_an_unknown_account_is_refused(cast, tmp_path, command):
    with pytest.raises(CommandError, match="没有启用的账号“nobody”"):
        call_command(command, str(tmp_path / "out.xlsx"), user="nobody")

    assert not (tmp_path / "out.xlsx").exists()


def test_export_orgs_writes_the_users_subtree_parents_first(cast, tmp_path, capsys):
    path = tmp_path / "orgs.xlsx"

    call_command("export_orgs", str(path), user="county_org")

    headers, rows = _sheet(path, "党组织")
    assert headers == ORG_HEADERS
    assert [(row[0], row[1], row[5]) for row in rows] == [
        ("C01", "中共云州市东湖区委员会", None),  # the city is not the county organiser's to name
        ("C01001", "中共东湖区柳泉镇委员会", "C01"),
        ("C01001001", "王庄村党支部", "C01001"),
        ("C01001002", "李集村党支部", "C01001"),
    ]
    assert rows[1][6] == cast.secretary_a.id_number
    assert rows[1][7].date() == date(2021, 3, 1)
    assert "已导出 4 个党组织" in capsys.readouterr().out
    event = AuditEvent.objects.get(action="orgs.export")
    assert (event.target_id, event.changes["rows"]) == (str(cast.county_a.pk), 4)


def test_export_orgs_from_an_org_code_starts_there(cast, tmp_path):
    path = tmp_path / "township.xlsx"

    call_command("export_orgs", str(path), user="township_sec", org="C01001002")

    _headers, rows = _sheet(path, "党组织")
    assert [(row[0], row[5]) for row in rows] == [("C01001002", "C01001")]
