import io
import json

from django.core.management import call_command

from shuzhi.accounts.models import User
from shuzhi.analytics.models import CopyFinding
from shuzhi.core.roles import Role
from shuzhi.core.selectors import audit_chain_verify
from shuzhi.core.services import audit_head_anchor
from shuzhi.cycles.models import Cycle
from shuzhi.lifecycle.models import Transfer
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.reports.models import Report


def test_load_demo_builds_the_city_and_its_accounts_and_can_run_twice(db, tmp_path, settings):
    settings.DEMO_LOGINS_FILE = tmp_path / "logins.json"
    out = io.StringIO()
    call_command("load_demo", orgs=320, members=800, stdout=out)
    assert Organization.objects.count() == 320 and Member.objects.count() == 800
    root = Organization.objects.get(depth=1)
    assert root.total_members == 800 - Member.objects.exclude(left_on=None).count()  # the demo's leavings
    assert Member.objects.exclude(left_on=None).exists()
    logins = json.loads(settings.DEMO_LOGINS_FILE.read_text())
    roles = dict(User.objects.values_list("username", "role"))
    assert roles["admin"] == Role.SYSTEM_ADMIN and roles["auditor"] == Role.AUDITOR
    assert {"organiser", "secretary", "reviewer", "member", "security"} <= set(logins)
    for username, password in logins.items():
        assert User.objects.get(username=username).check_password(password)
        assert password in out.getvalue()
    member = User.objects.get(username="member")
    assert member.member is not None and member.member.organization == member.organization
    secretary = User.objects.get(username="secretary")
    assert secretary.member == secretary.organization.secretary

    cycle = Cycle.objects.get(status=Cycle.Status.REPORTS_OPEN)
    assert cycle.organization == root
    # last year's archived cycle, for the copies the demo reports show (analytics)
    assert Cycle.objects.get(status=Cycle.Status.ARCHIVED).year == cycle.year - 1
    demo_report = Report.objects.get(reporter__secretary=secretary, reporter__cycle=cycle)
    assert CopyFinding.objects.filter(document__object_id=demo_report.pk).exists()
    assert CopyFinding.objects.filter(source__kind="template").exists()
    assert cycle.reporters.count() == root.numchild
    assert demo_report.status == Report.Status.DRAFT
    # transfers: one waits for the clerk's branch to receive it, one into it is done
    clerk = User.objects.get(username="clerk")
    into = Transfer.objects.filter(to_org=clerk.organization)
    assert into.filter(status=Transfer.Status.SENT).count() == 1
    assert into.filter(status=Transfer.Status.CONFIRMED).exists() and "组织关系转接" in out.getvalue()
    # the other units' secretaries exist to be named reporters; they cannot log in
    assert not any(u.has_usable_password() for u in User.objects.filter(username__startswith="sec_"))

    again = io.StringIO()
    call_command("load_demo", orgs=320, members=800, stdout=again)
    assert "已存在" in again.getvalue()
    assert Organization.objects.count() == 320
    assert User.objects.filter(username__in=logins).count() == len(logins)
    assert Cycle.objects.count() == 2  # the demo cycle (and last year's) too are made once
    assert json.loads(settings.DEMO_LOGINS_FILE.read_text()) == logins
    audit_head_anchor()  # what each commit and the worker do
    assert audit_chain_verify().ok


def test_counters_and_paths_written_in_bulk_match_the_rows(db, tmp_path, settings):
    settings.DEMO_LOGINS_FILE = tmp_path / "logins.json"
    call_command("load_demo", orgs=320, members=800, stdout=io.StringIO())
    for org in Organization.objects.all():
        members = Member.objects.filter(organization=org, left_on=None)  # the counters leave out who left
        assert org.member_count == members.count()
        assert org.probationary_count == members.filter(status="probationary").count()
        assert (
            org.numchild
            == Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).count()
        )
    assert not Member.objects.exclude(org_path__in=Organization.objects.values("path")).exists()
    assert Organization.objects.find_problems() == ([], [], [], [], [])
