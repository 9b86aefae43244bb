"""Opening the reports of a cycle, and the rectification facts the assessment reads, cost the same
number of queries for 3 units as for 30: carry-over and facts are read in bulk, never per unit."""

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shuzhi.core import facts
from shuzhi.core.roles import Role
from shuzhi.cycles.services import cycle_advance, cycle_create, reporters_add
from shuzhi.rectification import facts as rectification_facts
from shuzhi.rectification.models import Accountability, Item
from shuzhi.reports.models import Report, ReportItem
from shuzhi.testing.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _units(cast, n):
    units = [
        OrganizationFactory(name=f"中共东湖区第{i}镇委员会", kind="committee", level="township", field="rural",
                            parent=cast.county_a)
        for i in range(n)
    ]  # fmt: skip
    for unit in units:
        UserFactory(role=Role.SECRETARY, organization=unit)
    return units


def _cycle(cast, units, year):
    due = timezone.localdate() + timedelta(days=10)
    cycle = cycle_create(actor=cast.county_organiser, year=year, title=f"东湖区{year}年度述职评议", groups=["乡镇"],
                         report_due=due, meeting_on=due + timedelta(days=5))  # fmt: skip
    reporters_add(actor=cast.county_organiser, cycle=cycle, organizations=units, group="乡镇", mode="onsite")
    return cycle


def _queries_to_open(cast, n):
    """Queries to open this year's reports for n units that each carry last year's problems,
    commitments and open rectification items."""
    units = _units(cast, n)
    year = timezone.localdate().year
    last = cycle_advance(actor=cast.county_organiser, cycle=_cycle(cast, units, year - 1))
    for report in Report.objects.filter(reporter__cycle=last):
        ReportItem.objects.bulk_create(
            ReportItem(
                report=report,
                kind=kind,
                text=f"{kind}{i}",
                position=i,
                severity="moderate" if kind == ReportItem.Kind.PROBLEM else "",
            )
            for i, kind in enumerate((ReportItem.Kind.PROBLEM, ReportItem.Kind.COMMITMENT))
        )
    Item.objects.bulk_create(
        Item(
            cycle=last, organization=unit, org_path=unit.path, title=f"整改{i}", deadline=timezone.localdate()
        )
        for unit in units
        for i in range(2)
    )
    cycle = _cycle(cast, units, year)
    with CaptureQueriesContext(connection) as captured:
        cycle_advance(actor=cast.county_organiser, cycle=cycle)
    carried = ReportItem.objects.filter(report__reporter__cycle=cycle, kind=ReportItem.Kind.CARRIED).count()
    assert carried == n * 4  # two items, one problem (not followed up as an item), one commitment
    return _shape(query["sql"] for query in captured.captured_queries)


def _shape(statements) -> list[str]:
    """Each statement's kind and table, one bulk insert counted once (SQLite splits a large one
    into batches of 999 values: a limit of the database, not a query per unit)."""
    shape: list[str] = []
    for sql in statements:
        words = re.sub(r'"s\d+_x\d+"', "", sql).split()
        step = " ".join(words[:3])
        if not (shape and step == shape[-1] and step.startswith("INSERT")):
            shape.append(step)
    return shape


class _Undo(Exception):
    pass


def _measured(cast, n):
    """Queries to open n units' reports, the database put back afterwards."""
    found = []
    try:
        with transaction.atomic():
            found.append(_queries_to_open(cast, n))
            raise _Undo
    except _Undo:
        pass
    return found[0]


def test_opening_reports_for_30_units_costs_what_it_costs_for_3(cast):
    few, many = _measured(cast, 3), _measured(cast, 30)
    assert many == few


def _subjects(units):
    return [facts.Subject(id=unit.id, path=unit.path, name=unit.name) for unit in units]


@pytest.mark.parametrize(
    "source", [rectification_facts.accountability_in_year, rectification_facts.on_time_rate]
)
def test_the_rectification_facts_read_in_one_query_for_any_number_of_units(
    cast, source, django_assert_num_queries
):
    units = _units(cast, 30)
    year = timezone.localdate().year
    cycle = _cycle(cast, units, year)
    for unit in units:
        Item.objects.create(
            cycle=cycle, organization=unit, org_path=unit.path, title="整改", deadline=timezone.localdate()
        )
        Accountability.objects.create(organization=unit, org_path=unit.path, on=timezone.localdate(), person="某某",
                                      kind=Accountability.Kind.choices[0][0], reason="事由",
                                      created_by=cast.county_organiser)  # fmt: skip
    with django_assert_num_queries(1):
        few = source(year, _subjects(units[:3]))
    with django_assert_num_queries(1):
        many = source(year, _subjects(units))
    assert len(few) == 3 and len(many) == 30
