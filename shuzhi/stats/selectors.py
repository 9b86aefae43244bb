"""Reads of the party statistics (党内统计), scoped to the viewer's subtree.

Every table of the page comes from a few aggregate queries (one GROUP BY over the members as of
the day, one over the organisations, one each for the flows), folded into tables by `rules`; a
drill-down turns the same filter into a WHERE clause over the same rows.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.core.access import get_scoped_or_404, in_subtree
from shuzhi.core.roles import Capability, Role
from shuzhi.lifecycle.models import Departure, MobileRecord, Transfer
from shuzhi.members.models import ETHNICITIES, Member
from shuzhi.orgs.models import Organization
from shuzhi.records.models import EvaluationDecision, EvaluationGrade
from shuzhi.stats import rules
from shuzhi.stats.rules import Table

MOVED = (Transfer.Status.RECEIVED, Transfer.Status.CONFIRMED)
SMALL_BRANCH = 3  # a 党支部 needs at least three full members
LARGE_BRANCH = 50  # above this a 党支部 should be split (or become a 总支)
UNLISTED_LABEL = gettext_lazy("其他/未列")  # an ethnicity not among the 56
PROBATION_DAYS = 366  # 预备期一年: later than this without 转正 (or its extension) is overdue


def may_view(user) -> bool:
    """Organisers and secretaries: those who see the members of a subtree (the figures drill
    down to them). A member sees only themself and gets no statistics."""
    return user.is_authenticated and user.can(Capability.VIEW_MEMBERS) and user.role != Role.MEMBER


def require_view(user) -> None:
    if not may_view(user):
        raise PermissionDenied


def scope_get(*, viewer, pk: int | None) -> Organization:
    """The organisation whose subtree is counted: the viewer's own, or one inside it (404 outside)."""
    require_view(viewer)
    if pk is None:
        return viewer.organization
    return get_scoped_or_404(Organization.objects.filter(in_subtree("path", viewer.organization.path)), pk=pk)


def scope_trail(*, viewer, org: Organization) -> list[Organization]:
    """The organisations from the viewer's own down to `org` (for the breadcrumb)."""
    step = Organization.steplen
    paths = [org.path[:end] for end in range(len(viewer.organization.path), len(org.path) + 1, step)]
    return list(Organization.objects.filter(path__in=paths).only("id", "name", "path").order_by("path"))


def children_of(org: Organization) -> list[Organization]:
    return list(
        Organization.objects.filter(in_subtree("path", org.path), depth=org.depth + 1)
        .only("id", "name", "path", "total_members")
        .order_by("path")
    )


# ---- who counts, and where ------------------------------------------------------------------


def present_on(day: date) -> Q:
    """A member on the day: joined by then and not yet left (lifecycle.selectors.members_on)."""
    return Q(joined_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))


def moved_after(day: date) -> list[tuple[int, date, str]]:
    """Transfers received after the day: (member, received on, the path they came from), each
    member's in the order received (one small query; a city has a few hundred a year)."""
    return list(
        Transfer.objects.filter(status__in=MOVED, received_on__gt=day)
        .order_by("member_id", "received_on", "id")
        .values_list("member_id", "received_on", "from_path")
    )


def paths_then(moves: list[tuple[int, date, str]], day: date) -> dict[int, str]:
    """member → their organisation's path on the day, for those moved since (the first transfer
    received after the day says where they came from)."""
    then: dict[int, str] = {}
    for member_id, received_on, from_path in moves:
        if received_on > day:
            then.setdefault(member_id, from_path)
    return then


def within_on(org: Organization, day: date, today: date, moves: list | None = None) -> Q:
    """Members whose organisation on `day` was in the subtree of `org`. The roster holds where a
    member is now; a transfer received after the day puts them, on the day, where it came from.
    Such transfers are few: they are read first (one small query, or `moves` read once for several
    days) and named by id, so the count over the members stays one plain range scan."""
    here = in_subtree("org_path", org.path)
    if day >= today:
        return here  # nothing is received after today
    then = paths_then(moved_after(day) if moves is None else moves, day)
    if not then:
        return here
    inside = [pk for pk, path in then.items() if path.startswith(org.path)]
    outside = [pk for pk, path in then.items() if not path.startswith(org.path)]
    q = here & ~Q(pk__in=outside) if outside else here
    return q | Q(pk__in=inside) if inside else q


def probationary_on(day: date) -> Q:
    return Q(full_member_on__gt=day) | Q(full_member_on__isnull=True, status=Member.Status.PROBATIONARY)


def full_on(day: date) -> Q:
    return Q(full_member_on__lte=day) | Q(full_member_on__isnull=True, status=Member.Status.FULL)


def _band_q(day: date, key: str) -> Q:
    earliest, latest = rules.band_births(day, key)
    q = Q()
    if earliest is not None:
        q &= Q(birth_date__gte=earliest)
    if latest is not None:
        q &= Q(birth_date__lte=latest)
    return q


def _young_q(day: date) -> Q:
    """35 岁及以下 on the day (the bands 30岁及以下 and 31～35岁 together)."""
    earliest, _latest = rules.band_births(day, rules.YOUNG_BANDS[-1])
    return Q(birth_date__gte=earliest)


def _period_q(key: str) -> Q:
    for period, _label, start, until in rules.PERIODS:
        if period == key:
            q = Q()
            if start is not None:
                q &= Q(joined_on__gte=start)
            if until is not None:
                q &= Q(joined_on__lt=until)
            return q
    raise KeyError(key)


def member_filter_q(filters: dict[str, str], day: date) -> Q:
    """The WHERE of a figure's filter (rules.matches, over rows instead of groups)."""
    q = Q()
    for key, value in filters.items():
        if key == "minority":
            q &= ~Q(ethnicity=rules.HAN) if value == "1" else Q(ethnicity=rules.HAN)
        elif key in ("education", "category"):
            q &= Q(**{key: "" if value == rules.EMPTY else value})
        elif key == "ethnicity" and value == rules.UNLISTED:
            q &= ~Q(ethnicity__in=ETHNICITIES)
        elif key in ("gender", "ethnicity"):
            q &= Q(**{key: value})
        elif key == "band":
            q &= _band_q(day, value)
        elif key == "period":
            q &= _period_q(value)
        elif key == "young":
            young = _young_q(day)
            q &= young if value == "1" else ~young
        elif key == "higher":
            q &= (
                Q(education__in=rules.HIGHER_EDUCATION)
                if value == "1"
                else ~Q(education__in=rules.HIGHER_EDUCATION)
            )
        elif key == "status":
            q &= probationary_on(day) if value == rules.PROBATIONARY else full_on(day)
    return q


def clean_filters(data) -> dict[str, str]:
    """The figure filters of a request, unknown keys and values dropped (a link made by hand)."""
    allowed = {
        "gender": set(Member.Gender.values),
        "ethnicity": {*ETHNICITIES, rules.UNLISTED},
        "minority": {"0", "1"},
        "band": {key for key, *_rest in rules.AGE_BANDS},
        "education": {*Member.Education.values, rules.EMPTY},
        "category": {*Member.Category.values, rules.EMPTY},
        "period": {key for key, *_rest in rules.PERIODS},
        "young": {"1"},
        "higher": {"1"},
        "status": {rules.PROBATIONARY, rules.FULL},
        "flow": set(rules.FLOWS),
        "kind": set(Departure.Kind.values),
        "grade": set(EvaluationGrade.values),
        "check": {*MEMBER_CHECKS, *ORG_CHECKS},
        "org_kind": set(Organization.Kind.values),
        "org_field": set(Organization.Field.values),
    }
    return {key: data[key] for key in allowed if data.get(key) in allowed[key]}


# ---- the aggregate reads --------------------------------------------------------------------


def _band_case(day: date) -> Case:
    """The age band on the day: one comparison a band, youngest first (the bands are contiguous;
    `_band_q`, the drill-down's, bounds both sides and picks the same rows)."""
    whens = []
    for key, *_rest in rules.AGE_BANDS[:-1]:
        earliest, _latest = rules.band_births(day, key)
        whens.append(When(birth_date__gte=earliest, then=Value(key)))
    return Case(*whens, default=Value(rules.AGE_BANDS[-1][0]), output_field=CharField())


def _period_case() -> Case:
    """The period of joining, latest first, one comparison a period (as `_period_q` partitions)."""
    whens = [
        When(joined_on__gte=start, then=Value(key)) for key, _l, start, _u in reversed(rules.PERIODS) if start
    ]
    return Case(*whens, default=Value(rules.PERIODS[0][0]), output_field=CharField())


DIMENSIONS = ("gender", "ethnicity", "education", "category", "band", "period")


def member_groups(org: Organization, day: date, today: date) -> list[dict]:
    """The members of the subtree, counted per combination of every dimension on the day: four
    tallies a combination (正式 and 预备 on the day, joined this year, converted this year), one
    query, one scan; a city has about two thousand combinations. Returned as groups with a status
    and the flags `present`, `joined_now`, `converted_now` (a tally of flows is a group of its own,
    not present)."""
    start = rules.year_start(day)
    present = Q(left_on__isnull=True) | Q(left_on__gt=day)
    rows = (
        Member.objects.filter(within_on(org, day, today), joined_on__lte=day)
        .annotate(band=_band_case(day), period=_period_case())
        .order_by()
        .values(*DIMENSIONS)
        .annotate(
            full=Count("id", filter=present & full_on(day)),
            probationary=Count("id", filter=present & probationary_on(day)),
            joined=Count("id", filter=Q(joined_on__gte=start)),
            converted=Count("id", filter=Q(full_member_on__gte=start, full_member_on__lte=day)),
        )
    )
    groups = []
    for row in rows:
        dims = {key: row[key] for key in DIMENSIONS}
        for tally, status, flags in (
            ("full", rules.FULL, (1, 0, 0)),
            ("probationary", rules.PROBATIONARY, (1, 0, 0)),
            ("joined", rules.FULL, (0, 1, 0)),
            ("converted", rules.FULL, (0, 0, 1)),
        ):
            if row[tally]:
                groups.append({**dims, "status": status, "present": flags[0], "joined_now": flags[1],
                               "converted_now": flags[2], "n": row[tally]})  # fmt: skip
    return groups


def _groups(rows: list[dict]) -> list[dict]:
    known = set(ETHNICITIES)
    for row in rows:
        if row["ethnicity"] not in known:
            row["ethnicity"] = rules.UNLISTED  # one row 其他/未列, its list by the same rule
    return rows


def _present(groups: list[dict]) -> list[dict]:
    """Merged over the flags: the groups of those who were members on the day."""
    merged: dict[tuple, dict] = {}
    for g in groups:
        if not g["present"]:
            continue
        key = tuple(
            g[k] for k in ("gender", "ethnicity", "education", "category", "band", "period", "status")
        )
        merged.setdefault(key, {**g, "n": 0})["n"] += g["n"]
    return list(merged.values())


def _choice_rows(field: str, choices, groups) -> list[tuple[str, dict[str, str], int]]:
    rows = [(str(label), {field: value}, 0) for value, label in choices]
    if any(not g[field] for g in groups):
        rows.append((_("未填写"), {field: rules.EMPTY}, 0))
    return rows


def member_tables(groups: list[dict]) -> list[Table]:
    columns = [
        (_("党员数"), {}),
        (_("女"), {"gender": Member.Gender.FEMALE}),
        (_("少数民族"), {"minority": "1"}),
        (_("预备党员"), {"status": rules.PROBATIONARY}),
    ]
    order = {name: i for i, name in enumerate([*ETHNICITIES, rules.UNLISTED])}
    minorities = sorted(
        {g["ethnicity"] for g in groups if g["ethnicity"] != rules.HAN}, key=order.__getitem__
    )
    ethnic_rows = [(rules.HAN, {"ethnicity": rules.HAN}, 0), (_("少数民族"), {"minority": "1"}, 0)]
    ethnic_rows += [
        (str(UNLISTED_LABEL) if name == rules.UNLISTED else name, {"ethnicity": name}, 1)
        for name in minorities
    ]

    def table(key, title, rows, chart):
        return rules.cross_table(key=key, title=title, groups=groups, rows=rows, columns=columns, chart=chart)

    return [
        table("status", _("党员队伍基本情况"), [(_("正式党员"), {"status": rules.FULL}, 0),
                                          (_("预备党员"), {"status": rules.PROBATIONARY}, 0)], "pie"),
        table("gender", _("党员性别"), [(str(label), {"gender": v}, 0) for v, label in Member.Gender.choices], "pie"),
        table("ethnicity", _("党员民族"), ethnic_rows, "pie"),
        table("age", _("党员年龄"), [(label, {"band": key}, 0) for key, label, *_r in rules.AGE_BANDS], "bar"),
        table("education", _("党员学历"), _choice_rows("education", Member.Education.choices, groups), "pie"),
        table("category", _("党员职业（人员类别）"), _choice_rows("category", Member.Category.choices, groups), "bar"),
        table("period", _("党员入党时间"), [(label, {"period": key}, 0) for key, label, *_r in rules.PERIODS], "bar"),
    ]  # fmt: skip


def org_table(org: Organization) -> Table:
    """Organisations of the subtree by field (rows) and kind (columns), as the tree is today."""
    found = {
        (kind, fld): n
        for kind, fld, n in Organization.objects.filter(in_subtree("path", org.path))
        .order_by()
        .values_list("kind", "field")
        .annotate(n=Count("id"))
    }
    kinds = [(None, _("合计")), *Organization.Kind.choices]
    built = []
    for fld, label in [(None, _("合计")), *Organization.Field.choices]:
        cells = []
        for kind, _kind_label in kinds:
            n = sum(
                v for (k, f), v in found.items() if (kind is None or k == kind) and (fld is None or f == fld)
            )
            filters = {key: value for key, value in (("org_kind", kind), ("org_field", fld)) if value}
            cells.append(rules.Cell(n, filters if n else None))
        if fld is not None and not cells[0].value:
            continue
        built.append(rules.Row(label=str(label), cells=cells, total=fld is None))
    return Table(key="orgs", title=_("党组织（按领域和类别）"), columns=[str(k) for _v, k in kinds], rows=built,
                 chart="bar", kind="orgs", note=_("党组织按目前的组织体系统计（不记成立和撤销日期）。"))  # fmt: skip


def flow_tables(org: Organization, day: date, groups: list[dict]) -> list[Table]:
    """The year up to the day: new members and conversions (from the members' groups), leavings
    by kind, 流动党员, 民主评议."""
    start = rules.year_start(day)
    made = {
        "joined": sum(g["n"] for g in groups if g["joined_now"]),
        "converted": sum(g["n"] for g in groups if g["converted_now"]),
    }
    growth = rules.count_table(key="growth", title=_("发展党员和预备党员转正（%(year)s年1月1日至统计日期）") % {"year": day.year},
                               column=_("人数"), total=False, rows=[
                                   (_("发展党员"), {"flow": "joined"}, made["joined"], 0),
                                   (_("预备党员转为正式党员"), {"flow": "converted"}, made["converted"], 0)])  # fmt: skip
    left = dict(
        Departure.objects.filter(in_subtree("org_path", org.path), left_on__gte=start, left_on__lte=day)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    leaving = rules.count_table(key="left", title=_("党员减少（%(year)s年1月1日至统计日期）") % {"year": day.year},
                                column=_("人数"), chart="bar", rows=[
                                    (str(label), {"flow": "left", "kind": kind}, left.get(kind, 0), 0)
                                    for kind, label in Departure.Kind.choices])  # fmt: skip
    open_then = Q(left_on__lte=day) & (Q(returned_on__isnull=True) | Q(returned_on__gt=day))
    out_q, in_q = in_subtree("outflow_path", org.path), in_subtree("inflow_path", org.path)
    mobile = MobileRecord.objects.filter(open_then & (out_q | in_q)).aggregate(
        out=Count("member", distinct=True, filter=out_q),
        into=Count("member", distinct=True, filter=in_q & ~out_q),
        lost=Count("member", distinct=True, filter=out_q & Q(lost_since__lte=day)),
    )
    mobile_table = rules.count_table(key="mobile", title=_("流动党员（统计日期）"), column=_("人数"), total=False, rows=[
        (_("流出党员"), {"flow": "mobile_out"}, mobile["out"], 0),
        (_("其中：失去联系"), {"flow": "mobile_lost"}, mobile["lost"], 1),
        (_("从外单位流入党员"), {"flow": "mobile_in"}, mobile["into"], 0)])  # fmt: skip
    graded = dict(
        EvaluationDecision.objects.filter(in_subtree("round__org_path", org.path), round__year=day.year)
        .order_by()
        .values_list("grade")
        .annotate(n=Count("id"))
    )
    evaluation = rules.count_table(key="evaluation", title=_("民主评议党员结果（%(year)s年度）") % {"year": day.year},
                                   column=_("人数"), chart="pie", rows=[
                                       (str(label), {"flow": "evaluated", "grade": grade}, graded.get(grade, 0), 0)
                                       for grade, label in EvaluationGrade.choices])  # fmt: skip
    return [growth, leaving, mobile_table, evaluation]


def statistics(*, org: Organization, day: date, today: date) -> list[Table]:
    """Every table of the page, each cell with its drill-down address (five queries, six for a
    day before today)."""
    groups = _groups(member_groups(org, day, today))
    tables = [*member_tables(_present(groups)), org_table(org), *flow_tables(org, day, groups)]
    for table in tables:
        target = "stats:orgs" if table.kind == "orgs" else "stats:members"
        for row in table.rows:
            for cell in row.cells:
                if cell.filters is not None:
                    cell.url = drill_url(target, org=org, day=day, filters=cell.filters)
    return tables


# ---- trends across years, and the organisations below side by side ---------------------------


def trend_days(day: date, years: int) -> list[date]:
    """31 December of each of the `years` years up to the day's, the last one the day itself."""
    first = max(day.year - years + 1, EARLIEST_YEAR)
    return [date(year, 12, 31) for year in range(first, day.year)] + [day]


EARLIEST_YEAR = 1950  # the first whole year after the founding (the statistics' earliest date)


NEVER, AFTER = -1, 9999  # a date not given; a date after the day counted


def _year_case(field: str, days: list[date]) -> Case:
    """Which of the years a date falls in (each up to its day), 0 before the first, AFTER after the
    last day, NEVER when empty: plain comparisons, no date function (SQLite would call Python)."""
    whens = [When(**{f"{field}__isnull": True}, then=Value(NEVER)),
             When(**{f"{field}__lt": rules.year_start(days[0])}, then=Value(0))]  # fmt: skip
    whens += [When(**{f"{field}__lte": d}, then=Value(d.year)) for d in days]
    return Case(*whens, default=Value(AFTER), output_field=IntegerField())


def _tally(days: list[date], joined: int, full: int, left: int, full_now: bool) -> list[dict[str, int]]:
    """What one member (or a group alike) adds to each year: in the subtree at its end as 正式 or
    预备, joined, converted. Years are given as `_year_case` gives them."""
    counts = []
    for d in days:
        y = d.year
        present = joined <= y and (left == NEVER or left > y)
        is_full = (0 <= full <= y) if full != NEVER else full_now  # full != AFTER, checked by <= y
        counts.append({
            "full": int(present and is_full), "probationary": int(present and not is_full),
            "joined": int(joined == y), "converted": int(full == y),
        })  # fmt: skip
    return counts


def trends(*, org: Organization, day: date, today: date, years: int) -> Table:
    """Per year up to the day: members (正式, 预备) at the year's end, new members, conversions and
    leavings in the year, each figure linking to its list (four queries: the transfers since the
    first year's end, the members grouped by the years they joined, converted and left, those
    transferred since one by one, and the leavings).

    The members who moved since the first year's end are few and counted one by one with where
    they were each year; for all the others where they are now is where they were, so their years
    of joining, converting and leaving tell every figure (a few hundred groups)."""
    days = trend_days(day, years)
    moves = moved_after(days[0]) if days[0] < today else []
    moved = {member_id for member_id, _on, _path in moves}
    keys = ("full", "probationary", "joined", "converted")
    sums = [dict.fromkeys(keys, 0) for _d in days]
    groups = (
        Member.objects.filter(in_subtree("org_path", org.path), joined_on__lte=day)
        .exclude(left_on__lt=rules.year_start(days[0]))
        .exclude(pk__in=moved)
        .annotate(
            jy=_year_case("joined_on", days),
            fy=_year_case("full_member_on", days),
            ly=_year_case("left_on", days),
        )
        .order_by()
        .values_list("jy", "fy", "ly", "status")
        .annotate(n=Count("id"))
    )
    for jy, fy, ly, status, n in groups:
        for i, tally in enumerate(_tally(days, jy, fy, ly, status == Member.Status.FULL)):
            for key in keys:
                sums[i][key] += tally[key] * n
    for pk, path, joined_on, full_on_, left_on, status in Member.objects.filter(pk__in=moved).values_list(
        "pk", "org_path", "joined_on", "full_member_on", "left_on", "status"
    ):
        for i, d in enumerate(days):
            if not paths_then(moves, d).get(pk, path).startswith(org.path):
                continue
            start = rules.year_start(d)
            present = joined_on <= d and (left_on is None or left_on > d)
            is_full = full_on_ <= d if full_on_ is not None else status == Member.Status.FULL
            sums[i]["full"] += int(present and is_full)
            sums[i]["probationary"] += int(present and not is_full)
            sums[i]["joined"] += int(start <= joined_on <= d)
            sums[i]["converted"] += int(full_on_ is not None and start <= full_on_ <= d)
    left = Departure.objects.filter(
        in_subtree("org_path", org.path), left_on__gte=rules.year_start(days[0]), left_on__lte=day
    ).aggregate(**{f"left{i}": Count("id", filter=Q(left_on__gte=rules.year_start(d), left_on__lte=d))
                   for i, d in enumerate(days)})  # fmt: skip
    columns = [
        (_("党员总数"), "total", {}),
        (_("正式党员"), "full", {"status": rules.FULL}),
        (_("预备党员"), "probationary", {"status": rules.PROBATIONARY}),
        (_("发展党员"), "joined", {"flow": "joined"}),
        (_("预备党员转正"), "converted", {"flow": "converted"}),
        (_("党员减少"), "left", {"flow": "left"}),
    ]
    built = []
    for i, d in enumerate(days):
        values = {**sums[i], "left": left[f"left{i}"]}
        values["total"] = values["full"] + values["probationary"]
        cells = []
        for _label, key, filters in columns:
            n = values[key]
            cells.append(rules.Cell(n, filters if n else None,
                                    drill_url("stats:members", org=org, day=d, filters=filters) if n else ""))  # fmt: skip
        label = f"{d.year}年" if d.month == 12 and d.day == 31 else f"{d.year}年（至{d:%-m月%-d日}）"
        built.append(rules.Row(label=label, cells=cells))
    return Table(key="trends", title=_("党员队伍变化（近%(n)s年）") % {"n": len(days)},
                 columns=[str(c) for c, _k, _f in columns], rows=built, chart="trend",
                 note=_("党员数为每年12月31日在册的党员；发展、转正和减少为当年1月1日至12月31日（本年至统计日期）。"),
                 extra={"days": days})  # fmt: skip


COMPARE_COLUMNS = (
    # (label, key, drill filter, shown as a share of the members)
    (gettext_lazy("党员数"), "members", {}, False),
    (gettext_lazy("女党员"), "female", {"gender": Member.Gender.FEMALE}, True),
    (gettext_lazy("少数民族"), "minority", {"minority": "1"}, True),
    (gettext_lazy("35岁及以下"), "young", {"young": "1"}, True),
    (gettext_lazy("61岁及以上"), "old", {"band": "ge61"}, True),
    (gettext_lazy("大专及以上"), "higher", {"higher": "1"}, True),
    (gettext_lazy("预备党员"), "probationary", {"status": rules.PROBATIONARY}, True),
    (gettext_lazy("本年发展党员"), "joined", {"flow": "joined"}, False),
)


def compare(*, org: Organization, day: date, today: date) -> Table:
    """One row per organisation one level below `org` (its counties, its townships …): members on
    the day and the shares of women, minorities, the young, the old, 大专及以上 and 预备党员, and the
    year's new members, each figure linking to the child's own list (one GROUP BY over the
    subtree's members by the child they were in on the day; two queries with the children)."""
    kids = children_of(org)
    width = len(org.path) + Organization.steplen
    moves = moved_after(day) if day < today else []
    then = paths_then(moves, day)
    by_child: dict[str, list[int]] = {}
    for pk, path in then.items():
        if path.startswith(org.path):
            by_child.setdefault(path[:width], []).append(pk)
    child = Case(*[When(pk__in=ids, then=Value(prefix)) for prefix, ids in sorted(by_child.items())],
                 default=Substr("org_path", 1, width), output_field=CharField())  # fmt: skip
    present = Q(left_on__isnull=True) | Q(left_on__gt=day)
    start = rules.year_start(day)
    found = {
        row.pop("child"): row
        for row in Member.objects.filter(within_on(org, day, today, moves), joined_on__lte=day)
        .annotate(child=child)
        .order_by()
        .values("child")
        .annotate(
            members=Count("id", filter=present),
            female=Count("id", filter=present & Q(gender=Member.Gender.FEMALE)),
            minority=Count("id", filter=present & ~Q(ethnicity=rules.HAN)),
            young=Count("id", filter=present & _young_q(day)),
            old=Count("id", filter=present & _band_q(day, "ge61")),
            higher=Count("id", filter=present & Q(education__in=rules.HIGHER_EDUCATION)),
            probationary=Count("id", filter=present & probationary_on(day)),
            joined=Count("id", filter=Q(joined_on__gte=start)),
        )
    }
    keys = [key for _l, key, _f, _s in COMPARE_COLUMNS]
    total = {key: sum(row[key] for row in found.values()) for key in keys}

    def cells(where: Organization, values: dict) -> list[rules.Cell]:
        built = []
        for _label, key, filters, shared in COMPARE_COLUMNS:
            n = values.get(key, 0)
            share = round(100 * n / values["members"], 1) if shared and values.get("members") else None
            url = drill_url("stats:members", org=where, day=day, filters=filters) if n else ""
            built.append(rules.Cell(n, filters if n else None, url, share=share))
        return built

    rows = [rules.Row(label=_("合计"), cells=cells(org, total), total=True)]
    for kid in kids:
        rows.append(rules.Row(label=kid.name, cells=cells(kid, found.get(kid.path, {"members": 0}))))
    own = found.get(org.path)
    if own and any(own.values()):  # members of the organisation itself, not of one below
        row = rules.Row(label=_("%(name)s（本级）") % {"name": org.name}, cells=cells(org, own))
        for cell in row.cells:
            cell.url = ""  # the lists are of a whole subtree: nothing lists the 本级 alone
        rows.append(row)
    return Table(key="compare", title=_("下级党组织对比"), columns=[str(c) for c, *_r in COMPARE_COLUMNS],
                 rows=rows, chart="compare", extra={"children": kids},
                 note=_("党员数为统计日期在册的党员，括号内为占党员数的比例；本年发展党员为当年1月1日至统计日期。"))  # fmt: skip


def drill_url(target: str, *, org: Organization, day: date | None, filters: dict[str, str]) -> str:
    query = {"org": org.pk, **({"day": f"{day:%Y-%m-%d}"} if day else {}), **filters}
    return f"{reverse(target)}?{urlencode(query)}"


# ---- drill-down lists ------------------------------------------------------------------------


def drill_members(*, org: Organization, day: date, today: date, filters: dict[str, str]) -> QuerySet[Member]:
    """The members behind one figure (the same filter as the figure's count)."""
    flow = filters.get("flow")
    check = filters.get("check")
    start = rules.year_start(day)
    if check:
        rows = Member.objects.filter(in_subtree("org_path", org.path), MEMBER_CHECKS[check](today))
    elif flow in ("joined", "converted"):
        field = "joined_on" if flow == "joined" else "full_member_on"
        rows = Member.objects.filter(
            within_on(org, day, today), **{f"{field}__gte": start, f"{field}__lte": day}
        )
    elif flow == "left":
        kind = {"kind": filters["kind"]} if "kind" in filters else {}  # none: every way of leaving
        rows = Member.objects.filter(Exists(Departure.objects.filter(
            in_subtree("org_path", org.path), member=OuterRef("pk"), left_on__gte=start, left_on__lte=day,
            **kind)))  # fmt: skip
    elif flow in ("mobile_out", "mobile_in", "mobile_lost"):
        open_then = Q(left_on__lte=day) & (Q(returned_on__isnull=True) | Q(returned_on__gt=day))
        out_q, in_q = in_subtree("outflow_path", org.path), in_subtree("inflow_path", org.path)
        which = {
            "mobile_out": out_q,
            "mobile_in": in_q & ~out_q,
            "mobile_lost": out_q & Q(lost_since__lte=day),
        }
        rows = Member.objects.filter(
            Exists(MobileRecord.objects.filter(open_then, which[flow], member=OuterRef("pk")))
        )
    elif flow == "evaluated":
        rows = Member.objects.filter(Exists(EvaluationDecision.objects.filter(
            in_subtree("round__org_path", org.path), round__year=day.year, grade=filters.get("grade", ""),
            member=OuterRef("pk"))))  # fmt: skip
    else:
        rows = Member.objects.filter(
            within_on(org, day, today), present_on(day), member_filter_q(filters, day)
        )
    # the list's columns only: no encrypted field is read (nor decrypted, twenty times a page)
    return (
        rows.select_related("organization")
        .only(*LIST_FIELDS, "organization__name")
        .order_by("org_path", "name", "id")
    )


LIST_FIELDS = ("id", "name", "gender", "ethnicity", "birth_date", "education", "status", "left_on",
               "joined_on", "joined_on_precision", "org_path", "organization")  # fmt: skip


def drill_orgs(*, org: Organization, filters: dict[str, str]) -> QuerySet[Organization]:
    rows = Organization.objects.filter(in_subtree("path", org.path))
    if filters.get("check"):
        rows = rows.filter(ORG_CHECKS[filters["check"]][1])
    if filters.get("org_kind"):
        rows = rows.filter(kind=filters["org_kind"])
    if filters.get("org_field"):
        rows = rows.filter(field=filters["org_field"])
    return rows.order_by("path")


def describe(filters: dict[str, str]) -> list[str]:
    """The filter in words, for the list's heading (男 · 31～35岁 · …)."""
    words = []
    labels = {
        "gender": dict(Member.Gender.choices),
        "education": {**dict(Member.Education.choices), rules.EMPTY: _("学历未填写")},
        "category": {**dict(Member.Category.choices), rules.EMPTY: _("人员类别未填写")},
        "band": {key: label for key, label, *_r in rules.AGE_BANDS},
        "period": {key: label for key, label, *_r in rules.PERIODS},
        "status": {rules.PROBATIONARY: _("预备党员"), rules.FULL: _("正式党员")},
        "minority": {"1": _("少数民族"), "0": rules.HAN},
        "young": {"1": _("35岁及以下")},
        "higher": {"1": _("大专及以上学历")},
        "flow": {
            "joined": _("本年发展党员"),
            "converted": _("本年转为正式党员"),
            "left": _("本年减少") if "kind" in filters else _("当年减少（全部情形）"),
            "mobile_out": _("流出党员"),
            "mobile_in": _("流入党员"),
            "mobile_lost": _("失去联系的流动党员"),
            "evaluated": _("民主评议"),
        },
        "ethnicity": {rules.UNLISTED: _("民族：其他/未列")},
        "kind": dict(Departure.Kind.choices),
        "org_kind": dict(Organization.Kind.choices),
        "org_field": dict(Organization.Field.choices),
    }
    for key, value in filters.items():
        if key == "check":
            words.append(str(CHECK_LABELS[value]))
        elif key in labels:
            words.append(str(labels[key].get(value, value)))
        else:
            words.append(value)
    return words


# ---- consistency checks ----------------------------------------------------------------------


def _overdue(today: date) -> Q:
    return Q(
        status=Member.Status.PROBATIONARY,
        left_on__isnull=True,
        joined_on__lt=today - timedelta(days=PROBATION_DAYS),
    )


MEMBER_CHECKS = {
    "no_education": lambda today: Q(education="", left_on__isnull=True),
    "no_category": lambda today: Q(category="", left_on__isnull=True),
    "no_phone": lambda today: Q(phone_hash=b"", left_on__isnull=True),
    "overdue_probation": _overdue,
    "converted_still_probationary": lambda today: Q(
        status=Member.Status.PROBATIONARY, full_member_on__lte=today, left_on__isnull=True
    ),
}
ORG_CHECKS = {
    "small_branch": (
        gettext_lazy("正式党员不足3人的党支部"),
        Q(kind=Organization.Kind.BRANCH, member_count__lt=F("probationary_count") + SMALL_BRANCH),
    ),
    "large_branch": (
        gettext_lazy("党员超过50人的党支部"),
        Q(kind=Organization.Kind.BRANCH, member_count__gt=LARGE_BRANCH),
    ),
    "no_secretary": (gettext_lazy("未登记书记的党组织"), Q(secretary__isnull=True)),
}
CHECK_LABELS = {
    "no_education": gettext_lazy("学历未填写的党员"),
    "no_category": gettext_lazy("人员类别未填写的党员"),
    "no_phone": gettext_lazy("未登记联系电话的党员"),
    "overdue_probation": gettext_lazy("预备期满一年仍未转正的预备党员"),
    "converted_still_probationary": gettext_lazy("已有转正日期但状态仍为预备党员"),
    **{key: label for key, (label, _q) in ORG_CHECKS.items()},
}


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    count: int
    url: str


def checks(*, org: Organization, today: date) -> list[Check]:
    """What does not add up in the subtree, each a count linking to its list (two queries)."""
    members = Member.objects.filter(in_subtree("org_path", org.path)).aggregate(
        **{key: Count("id", filter=q(today)) for key, q in MEMBER_CHECKS.items()}
    )
    orgs = Organization.objects.filter(in_subtree("path", org.path)).aggregate(
        **{key: Count("id", filter=q) for key, (_label, q) in ORG_CHECKS.items()}
    )
    found = [
        Check(key, str(CHECK_LABELS[key]), members[key],
              drill_url("stats:members", org=org, day=None, filters={"check": key}))
        for key in MEMBER_CHECKS
    ] + [
        Check(key, str(CHECK_LABELS[key]), orgs[key], drill_url("stats:orgs", org=org, day=None, filters={"check": key}))
        for key in ORG_CHECKS
    ]  # fmt: skip
    return found
