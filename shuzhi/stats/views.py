from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shuzhi.core.pagination import UncountedPage
from shuzhi.stats import export as stats_export
from shuzhi.stats import selectors
from shuzhi.stats.forms import StatsForm, TrendsForm, scope_and_day, years_of

PER_PAGE = 20


def _scope(request, form_class=StatsForm):
    form, org_id, day = scope_and_day(request.GET, form_class)
    org = selectors.scope_get(viewer=request.user, pk=org_id)
    return form, org, day


def _chart(table) -> dict:
    """What the chart of a table draws: the top-level rows (not the total), each with its link."""
    return {
        "key": table.key,
        "kind": table.chart,
        "title": table.title,
        "items": [
            {"name": row.label, "value": row.cells[0].value, "url": row.cells[0].url} for row in table.parts
        ],
    }


@login_required
@require_GET
def index(request):
    form, org, day = _scope(request)
    today = timezone.localdate()
    tables = selectors.statistics(org=org, day=day, today=today)
    charts = [_chart(t) for t in tables if t.chart]
    return render(request, "stats/index.html", {
        "form": form, "org": org, "day": day, "tables": tables, "charts": {"charts": charts},
        "charted": {c["key"] for c in charts},
        "trail": selectors.scope_trail(viewer=request.user, org=org),
        "children": selectors.children_of(org),
    })  # fmt: skip


def _series(
    key: str,
    table,
    columns: list[int],
    *,
    kind: str = "series",
    share: bool = False,
    stack: dict[int, str] | None = None,
    lines: tuple[int, ...] = (),
) -> dict:
    """A chart of several series over the table's rows (years, or the organisations below): one
    series per chosen column, each point with the link of its cell."""
    rows = [row for row in table.rows if not row.total]
    return {
        "key": key, "kind": kind, "title": table.title, "unit": "%" if share else "人",
        "categories": [row.label for row in rows],
        "series": [{
            "name": table.columns[c], "type": "line" if c in lines else "bar", "stack": (stack or {}).get(c, ""),
            "data": [{"value": (row.cells[c].share or 0) if share else row.cells[c].value, "url": row.cells[c].url}
                     for row in rows],
        } for c in columns],
    }  # fmt: skip


def _page_scope(request, form_class=StatsForm):
    form, org, day = _scope(request, form_class)
    return form, org, day, {
        "form": form, "org": org, "day": day, "trail": selectors.scope_trail(viewer=request.user, org=org),
    }  # fmt: skip


@login_required
@require_GET
def trends(request):
    """The members, new members, conversions and leavings of the last years, a chart and its table."""
    _form, org, day, context = _page_scope(request, TrendsForm)
    years = years_of(request.GET)
    table = selectors.trends(org=org, day=day, today=timezone.localdate(), years=years)
    chart = _series("trends", table, [1, 2, 3, 4, 5], stack={1: "members", 2: "members"}, lines=(3, 4, 5))
    return render(request, "stats/trends.html", {
        **context, "table": table, "years": years,
        "charts": {"charts": [chart]},
    })  # fmt: skip


@login_required
@require_GET
def compare(request):
    """The organisations one level below side by side: a chart of their members, one of the shares,
    and the table of both."""
    _form, org, day, context = _page_scope(request)
    table = selectors.compare(org=org, day=day, today=timezone.localdate())
    charts = [
        _series("compare-members", table, [0, 7], stack={}),
        _series("compare-shares", table, [1, 2, 3, 5], share=True),
    ]
    return render(request, "stats/compare.html", {
        **context, "table": table, "children": table.extra["children"], "charts": {"charts": charts},
    })  # fmt: skip


def _drilled(request):
    _form, org, day = _scope(request)
    filters = selectors.clean_filters(request.GET)
    rows = selectors.drill_members(org=org, day=day, today=timezone.localdate(), filters=filters)
    return org, day, filters, rows


@login_required
@require_GET
def members(request):
    """The members behind one figure, a page at a time and shown at once; the total follows
    (members_count), since counting a city's members under a filter reads all of them."""
    org, day, filters, rows = _drilled(request)
    page = UncountedPage(rows, request.GET.get("page") or 1, PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "stats/members.html", {
        "org": org, "day": day, "page": page, "words": selectors.describe(filters),
        "query": query.urlencode(), "back": selectors.drill_url("stats:index", org=org, day=day, filters={}),
    })  # fmt: skip


@never_cache
@login_required
@require_GET
def members_count(request):
    _org, day, filters, rows = _drilled(request)
    return render(request, "stats/_count.html", {"count": rows.order_by().count(), "day": day,
                                                 "check": "check" in filters})  # fmt: skip


@login_required
@require_GET
def orgs(request):
    _form, org, day = _scope(request)
    filters = selectors.clean_filters(request.GET)
    page = Paginator(selectors.drill_orgs(org=org, filters=filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "stats/orgs.html", {
        "org": org, "day": day, "page": page, "words": selectors.describe(filters), "query": query.urlencode(),
        "back": selectors.drill_url("stats:index", org=org, day=day, filters={}),
    })  # fmt: skip


@login_required
@require_GET
def export(request):
    """The page's tables as an .xlsx workbook (same scope and date, same gate as the page)."""
    _form, org, day = _scope(request)
    tables = selectors.statistics(org=org, day=day, today=timezone.localdate())
    content = stats_export.workbook(unit=org.name, day=day, tables=tables)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = _("党内统计") + f"-{day:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_GET
def checks(request):
    _form, org, _day = _scope(request)
    return render(request, "stats/checks.html", {
        "org": org, "checks": selectors.checks(org=org, today=timezone.localdate()),
        "trail": selectors.scope_trail(viewer=request.user, org=org),
    })  # fmt: skip
