"""Organisational-life records for tests: a branch keeper and a year of records written fast."""

from datetime import date

from shuzhi.core.roles import Role
from shuzhi.orgs.models import Organization
from shuzhi.records.models import Meeting
from shuzhi.records.services import completion_refresh
from shuzhi.testing.factories import UserFactory

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")  # fmt: skip


def branch_secretary(branch: Organization, *, username: str = "branch_sec", member=None):
    """A secretary account of one branch (their records: this branch only)."""
    return UserFactory(
        username=username, full_name="支部书记", role=Role.SECRETARY, organization=branch, member=member
    )


def clerk(branch: Organization, *, username: str = "clerk"):
    return UserFactory(username=username, full_name="组织委员", role=Role.CLERK, organization=branch)


def year_of_records(
    branch: Organization,
    year: int,
    *,
    skip_months: tuple[int, ...] = (),
    secretary_teaches=True,
    until_month: int = 12,
) -> int:
    """Every required record of a year (the seeded frequencies), written straight to the table,
    then the branch's completion judged: a month in `skip_months` has no 主题党日 (asked of every
    branch, whatever its size; 支委会 only of branches of seven or more)."""  # fmt: skip
    rows = []

    def add(kind, month, **extra):
        rows.append(Meeting(organization=branch, org_path=branch.path, kind=kind, held_on=date(year, month, 10),
                            topic=f"{month}月{kind}", host="主持人", present_count=5, **extra))  # fmt: skip

    for month in range(1, until_month + 1):
        add("committee", month)
        add("group", month)
        if month not in skip_months:
            add("theme_day", month)
        if month % 3 == 0:
            add("congress", month)
            add(
                "lecture",
                month,
                teacher="书记" if secretary_teaches and month == 6 else "讲师",
                by_secretary=secretary_teaches and month == 6,
            )
    if until_month == 12:
        add("life_meeting", 12)
    Meeting.objects.bulk_create(rows)
    completion_refresh(organization=branch, year=year)
    return len(rows)
