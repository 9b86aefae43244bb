"""The facts the weak-organisation rules read, for every grassroots organisation at once.

Organisational life comes through core.facts (records.org_life_rate); the rest are read in a
few grouped queries from the areas below (the roster, the secretary post and its audit trail,
rectification items, 组织生活会 records, the year's assessment results). Never a query per
organisation.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext as _

from shuzhi.core import facts
from shuzhi.core.access import in_subtree
from shuzhi.core.links import object_links
from shuzhi.core.models import AuditEvent
from shuzhi.lifecycle.models import StepRecord
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.records.models import Kind, Meeting
from shuzhi.rectification.models import Item
from shuzhi.scoring.models import Result
from shuzhi.weakorgs import rules
from shuzhi.weakorgs.models import Rule

LIFE_SOURCE = "records.org_life_rate"
STAR_SOURCE = "standards.star_level"
CANDIDATE_STEP = "candidate"  # lifecycle step 支委会研究确定为发展对象
CHUNK = 2000
ORG_TARGET = Organization._meta.label_lower


@dataclass(frozen=True)
class Grassroots:
    """An organisation the rules judge: a village or community organisation, or any branch."""

    id: int
    path: str
    name: str
    field: str
    kind: str
    secretary_id: int | None
    created_at: date


@dataclass
class Gathered:
    """Every organisation's facts; the evidence behind a rule is worked out only when asked (for
    the hits), since links and sentences for every rule of 21,800 organisations cost more than
    all the queries."""

    year: int
    facts: dict[int, rules.OrgFacts]
    life: dict = field(default_factory=dict)
    ranks: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    stars: dict = field(default_factory=dict)
    addresses: dict = field(default_factory=dict, repr=False)

    def link(self, viewname: str, pk: int, **query) -> str:
        """The address of an object's page, reversed once per page for the whole run."""
        key = (viewname, tuple(query.items()))
        if key not in self.addresses:
            self.addresses[key] = object_links(viewname, **query)
        return self.addresses[key](pk)

    def address(self, viewname: str) -> str:
        """The address of a page without arguments, reversed once for the whole run."""
        if viewname not in self.addresses:
            self.addresses[viewname] = reverse(viewname)
        return self.addresses[viewname]

    def explain(self, org: Grassroots, rule: str) -> tuple[str, list[dict[str, str]]]:
        """The one-line summary and the evidence (labelled figures with links) of one rule."""
        return _explain(self, org, rule)


def grassroots_q() -> Q:
    return Q(level=Organization.Level.VILLAGE) | Q(kind=Organization.Kind.BRANCH)


def grassroots_under(path: str) -> list[Grassroots]:
    rows = (
        Organization.objects.filter(in_subtree("path", path))
        .filter(grassroots_q())
        .order_by("path")
        .values_list("id", "path", "name", "field", "kind", "secretary_id", "created_at")
    )
    return [
        Grassroots(id=i, path=p, name=n, field=f, kind=k, secretary_id=s, created_at=c.date())
        for i, p, n, f, k, s, c in rows.iterator(chunk_size=10000)
    ]


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _vacant_since(orgs: list[Grassroots]) -> dict[int, date]:
    """When each vacant post became vacant: the last audited change that cleared the secretary,
    else (never had one since it was registered) the day the organisation was registered."""
    vacant = {org.id: org for org in orgs if org.secretary_id is None}
    since = {pk: org.created_at for pk, org in vacant.items()}
    ids = [str(pk) for pk in vacant]
    for chunk in _chunks(ids):
        events = AuditEvent.objects.filter(
            action="org.update", target_type=ORG_TARGET, target_id__in=chunk
        ).order_by("seq")
        for target_id, created_at, changes in events.values_list("target_id", "created_at", "changes"):
            after = (changes or {}).get("after") or {}
            if "secretary_id" in after and after["secretary_id"] is None:
                since[int(target_id)] = created_at.date()
    return since


def _members(scope: str, year: int) -> dict[str, tuple[int, int, date | None]]:
    """org_path → (members, sum of birth years, youngest birth date), one grouped query."""
    rows = (
        Member.objects.filter(in_subtree("org_path", scope), left_on__isnull=True)
        .values("org_path")
        .annotate(n=Count("id"), years=Sum(ExtractYear("birth_date")), youngest=Max("birth_date"))
        .order_by()
    )
    return {r["org_path"]: (r["n"], r["years"] or 0, r["youngest"]) for r in rows}


def _overdue(scope: str, today: date) -> dict[str, int]:
    open_late = Q(status=Item.Status.OVERDUE) | (
        Q(deadline__lt=today) & ~Q(status__in=[Item.Status.CLOSED, Item.Status.AWAITING])
    )
    rows = (
        Item.objects.filter(in_subtree("org_path", scope), parent__isnull=True)
        .filter(open_late)
        .values("org_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["org_path"]: r["n"] for r in rows}


def _life_meetings(scope: str, year: int) -> dict[str, int]:
    rows = (
        Meeting.objects.filter(in_subtree("org_path", scope), held_on__year=year, kind=Kind.LIFE_MEETING)
        .values("org_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["org_path"]: r["n"] for r in rows}


def _recruits(scope: str) -> dict[str, date]:
    """org_path → the latest day one of its people was made a 发展对象 (lifecycle) or joined the
    party (roster): two grouped queries."""
    latest: dict[str, date] = {}
    joined = (
        Member.objects.filter(in_subtree("org_path", scope))
        .values_list("org_path")
        .annotate(last=Max("joined_on"))
        .order_by()
    )
    made = (
        StepRecord.objects.filter(in_subtree("applicant__org_path", scope), step__code=CANDIDATE_STEP)
        .values_list("applicant__org_path")
        .annotate(last=Max("done_on"))
        .order_by()
    )
    for path, last in (*joined, *made):
        if last is not None and (path not in latest or last > latest[path]):
            latest[path] = last
    return latest


def _star_wanted() -> bool:
    return (
        facts.get(STAR_SOURCE) is not None and Rule.objects.filter(key=rules.STAR_LOW, enabled=True).exists()
    )


def _ranks(ids: list[int], year: int) -> dict[int, tuple[int, int, int]]:
    """organisation → (rank, group size, result id) in the year's assessment, where it reported."""
    results = list(
        Result.objects.filter(assessment__cycle__year=year, reporter__organization_id__in=ids).values_list(
            "reporter__organization_id", "assessment_id", "group", "rank", "id"
        )
    )
    if not results:
        return {}
    sizes = {
        (r["assessment_id"], r["group"]): r["n"]
        for r in Result.objects.filter(assessment_id__in={a for _o, a, _g, _r, _i in results})
        .values("assessment_id", "group")
        .annotate(n=Count("id"))
        .order_by()
    }
    return {org: (rank, sizes[(a, g)], pk) for org, a, g, rank, pk in results}


def age_in(year: int, today: date) -> int:
    """The year whose end ages are counted at: the year's last day, or today within it."""
    return min(today, date(year, 12, 31)).year


def gather(orgs: list[Grassroots], *, year: int, today: date, scope: str) -> Gathered:
    """Every fact of every organisation in `orgs` (all under `scope`) for the year."""
    at = age_in(year, today)
    ids = [org.id for org in orgs]
    subjects = [facts.Subject(id=org.id, path=org.path, name=org.name) for org in orgs]
    life = facts.collect(LIFE_SOURCE, year=year, subjects=subjects) if facts.get(LIFE_SOURCE) else {}
    vacant = _vacant_since(orgs)
    members = _members(scope, year)
    overdue = _overdue(scope, today)
    meetings = _life_meetings(scope, year)
    recruits = _recruits(scope)
    stars = facts.collect(STAR_SOURCE, year=year, subjects=subjects) if _star_wanted() else {}
    ranks: dict[int, tuple[int, int, int]] = {}
    for chunk in _chunks(ids):
        ranks.update(_ranks(chunk, year))
    # members of a village committee's whole subtree count for it: roll up by path prefix
    index = facts.SubjectIndex(subjects)
    rolled: dict[int, list] = defaultdict(lambda: [0, 0, None])
    for path, (n, years, youngest) in members.items():
        for subject in index.holding(path):
            acc = rolled[subject.id]
            acc[0] += n
            acc[1] += years
            if youngest is not None and (acc[2] is None or youngest > acc[2]):
                acc[2] = youngest
    last_recruit: dict[int, date] = {}
    for path, last in recruits.items():
        for subject in index.holding(path):
            if subject.id not in last_recruit or last > last_recruit[subject.id]:
                last_recruit[subject.id] = last
    out = Gathered(year=year, facts={}, life=life, ranks=ranks, stars=stars)
    for org in orgs:
        n, years, youngest = rolled.get(org.id, (0, 0, None))
        life_fact = life.get(org.id)
        rank = ranks.get(org.id)
        out.facts[org.id] = rules.OrgFacts(
            has_secretary=org.secretary_id is not None,
            vacant_since=vacant.get(org.id),
            life_rate=life_fact.value if life_fact else None,
            overdue_items=overdue.get(org.path, 0),
            member_count=n,
            average_age=(Decimal(at) - rules.average(years, n)) if n else None,  # type: ignore[operator]
            youngest_age=(at - youngest.year) if youngest else None,
            life_meetings=meetings.get(org.path, 0) if org.kind == Organization.Kind.BRANCH else None,
            rank=rank[0] if rank else None,
            group_size=rank[1] if rank else None,
            last_recruit=last_recruit.get(org.id),
            star_share=stars[org.id].value if org.id in stars else None,
        )
    return out


def _explain(out: Gathered, org: Grassroots, rule: str) -> tuple[str, list[dict[str, str]]]:
    f, year = out.facts[org.id], out.year

    def put(summary: str, *evidence: tuple[str, str, str]) -> tuple[str, list[dict[str, str]]]:
        return summary[:200], [
            {"label": label, "value": value, "link": link} for label, value, link in evidence
        ]

    if rule == rules.SECRETARY_VACANT and not f.has_secretary and f.vacant_since:
        org_link = out.link("orgs:detail", org.id)
        return put(_("书记空缺，自 %(since)s 起") % {"since": f.vacant_since.isoformat()},
                   (_("书记"), _("空缺"), org_link), (_("空缺起始"), f.vacant_since.isoformat(), org_link))  # fmt: skip
    life_fact = out.life.get(org.id)
    if rule == rules.LIFE_BELOW and life_fact is not None and life_fact.value is not None:
        return put(life_fact.summary or _("组织生活达标率 %(v)s%%") % {"v": life_fact.value},
                   *((e.label, e.value, e.link) for e in life_fact.evidence))  # fmt: skip
    if rule == rules.OVERDUE_ITEMS and f.overdue_items is not None:
        board = out.address("rectification:board") + "?" + urlencode({"q": org.name})
        return put(_("逾期未完成的整改事项 %(n)d 项") % {"n": f.overdue_items},
                   (_("逾期整改事项"), str(f.overdue_items), board))  # fmt: skip
    if rule == rules.AGEING and f.member_count:
        roster = f"{out.address('members:list')}?org={org.id}"
        return put(_("党员 %(n)d 名，平均年龄 %(avg)s 岁，最年轻 %(young)s 岁")
                   % {"n": f.member_count, "avg": f.average_age, "young": f.youngest_age},
                   (_("党员数"), str(f.member_count), roster), (_("平均年龄"), str(f.average_age), roster),
                   (_("最年轻党员年龄"), str(f.youngest_age), roster))  # fmt: skip
    if rule == rules.NO_LIFE_MEETING and f.life_meetings is not None:
        records = out.link("records:org", org.id, year=year)
        return put(_("%(year)d 年召开组织生活会 %(n)d 次") % {"year": year, "n": f.life_meetings},
                   (_("组织生活会"), str(f.life_meetings), records))  # fmt: skip
    if rule == rules.NO_NEW_MEMBER and f.last_recruit is not None:
        board = out.link("lifecycle:board", org.id)
        roster = f"{out.address('members:list')}?org={org.id}"
        return put(_("最近一次确定发展对象或发展党员在 %(day)s") % {"day": f.last_recruit.isoformat()},
                   (_("最近确定发展对象或入党"), f.last_recruit.isoformat(), board),
                   (_("党员名册"), str(f.member_count), roster))  # fmt: skip
    star = out.stars.get(org.id)
    if rule == rules.STAR_LOW and star is not None and star.value is not None:
        return put(star.summary or _("星级达标比例 %(v)s%%") % {"v": star.value},
                   *((e.label, e.value, e.link) for e in star.evidence))  # fmt: skip
    rank = out.ranks.get(org.id)
    if rule == rules.BOTTOM_SHARE and rank:
        explain = out.link("scoring:explain", rank[2])
        return put(_("年度考核组内第 %(rank)d 名，共 %(size)d 名") % {"rank": rank[0], "size": rank[1]},
                   (_("组内排名"), f"{rank[0]}/{rank[1]}", explain))  # fmt: skip
    return "", []
