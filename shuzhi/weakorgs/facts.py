"""What the weak-organisation area offers the assessment (e.g. the county secretaries' scheme):
how few of a unit's grassroots organisations are on the year's list, and how many of those on
it were struck off (销号), each on 0–100 with links back to the list."""

from collections import defaultdict
from collections.abc import Sequence
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.core import facts
from shuzhi.core.access import in_subtree
from shuzhi.orgs.models import Organization
from shuzhi.weakorgs import guarantee_selectors as gs
from shuzhi.weakorgs.gather import grassroots_q
from shuzhi.weakorgs.models import Entry

NAMED = 5


def _listed(year: int, subjects: Sequence[facts.Subject]):
    """subject → entries on the list (removed ones left out) as (name, status): one query."""
    index = facts.SubjectIndex(subjects)
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = (
        Entry.objects.filter(in_subtree("org_path", facts.scope(subjects)), year=year)
        .exclude(status=Entry.Status.REMOVED)
        .order_by("org_path")
        .values_list("org_path", "organization__name", "status")
    )
    for path, name, status in rows:
        for subject in index.holding(path):
            found[subject.id].append((name, status))
    return found


def _link(subject: facts.Subject, year: int, status: str = "") -> str:
    query = {"year": year, "org": subject.id}
    if status:
        query["status"] = status
    return reverse("weakorgs:watchlist") + "?" + urlencode(query)


def weak_count(year: int, subjects: Sequence[facts.Subject]) -> dict[int, facts.Fact]:
    """100 less the share of the unit's grassroots organisations on the year's list."""
    if not subjects:
        return {}
    index = facts.SubjectIndex(subjects)
    totals: dict[int, int] = defaultdict(int)
    rows = (
        Organization.objects.filter(in_subtree("path", facts.scope(subjects)))
        .filter(grassroots_q())
        .values("path")
        .order_by()
    )
    for row in rows.values_list("path", flat=True).iterator(chunk_size=10000):
        for subject in index.holding(row):
            totals[subject.id] += 1
    listed = _listed(year, subjects)
    out = {}
    for subject in subjects:
        n, names = totals.get(subject.id, 0), listed.get(subject.id, [])
        share = facts.share(len(names), n)
        summary = _("%(n)d 个基层党组织中 %(k)d 个列入软弱涣散台账") % {"n": n, "k": len(names)}
        if names:
            summary += (
                "：" + "、".join(name for name, _s in names[:NAMED]) + ("等" if len(names) > NAMED else "")
            )
        out[subject.id] = facts.Fact(
            value=None if share is None else facts.HUNDRED - share,
            evidence=(
                facts.Evidence(label=_("基层党组织"), value=str(n), link=_link(subject, year)),
                facts.Evidence(label=_("列入软弱涣散台账"), value=str(len(names)), link=_link(subject, year)),
            ) if n else (),
            summary=summary[:200] if n else _("没有基层党组织"),
        )  # fmt: skip
    return out


def closure_rate(year: int, subjects: Sequence[facts.Subject]) -> dict[int, facts.Fact]:
    """The share of the unit's listed organisations of the year that were struck off (销号)."""
    if not subjects:
        return {}
    listed = _listed(year, subjects)
    out = {}
    for subject in subjects:
        names = listed.get(subject.id, [])
        closed = sum(status == Entry.Status.CLOSED for _n, status in names)
        out[subject.id] = facts.Fact(
            value=facts.share(closed, len(names)),
            evidence=(
                facts.Evidence(label=_("列入软弱涣散台账"), value=str(len(names)), link=_link(subject, year)),
                facts.Evidence(label=_("已销号"), value=str(closed), link=_link(subject, year, Entry.Status.CLOSED)),
            ) if names else (),
            summary=_("列入 %(n)d 个，已销号 %(m)d 个") % {"n": len(names), "m": closed}
            if names else _("本年度没有列入软弱涣散台账的党组织"),
        )  # fmt: skip
    return out


SOURCES = (
    facts.FactSource(
        key="weakorgs.weak_count",
        label=gettext_lazy("软弱涣散党组织占比（反向）"),
        kind=facts.FactKind.SCORE,
        compute=weak_count,
        description=gettext_lazy(
            "100 减去本单位基层党组织中列入考核年度软弱涣散台账（未移出）的比例；没有基层党组织时为缺项。"
        ),
        area=gettext_lazy("软弱涣散整顿"),
    ),
    facts.FactSource(
        key="weakorgs.closure_rate",
        label=gettext_lazy("软弱涣散整顿销号率"),
        kind=facts.FactKind.SCORE,
        compute=closure_rate,
        description=gettext_lazy(
            "考核年度列入软弱涣散台账的党组织中已销号的比例（0–100）；没有列入的为缺项。"
        ),
        area=gettext_lazy("软弱涣散整顿"),
    ),
)


def guarantee_compliance(year: int, subjects: Sequence[facts.Subject]) -> dict[int, facts.Fact]:
    """The share of the unit's villages and communities meeting every floor in force (one not
    reported counts as not meeting); no data where no floor applies or there is no village."""
    if not subjects:
        return {}
    index = facts.SubjectIndex(subjects)
    counted: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # villages, reported, met, with a floor
    for item in gs.judge(facts.scope(subjects), year):
        for subject in index.holding(item.unit.path):
            acc = counted[subject.id]
            acc[0] += 1
            acc[1] += item.reported
            acc[2] += item.met
            acc[3] += item.has_floor
    out = {}
    page = reverse("weakorgs:guarantees")
    for subject in subjects:
        n, reported, met, floored = counted.get(subject.id, (0, 0, 0, 0))
        if not n or not floored:
            out[subject.id] = facts.Fact(
                summary=_("没有村（社区）") if not n else _("本年度未制定基本保障标准")
            )
            continue
        link = f"{page}?{urlencode({'year': year, 'org': subject.id})}"
        out[subject.id] = facts.Fact(
            value=facts.share(met, n),
            evidence=(
                facts.Evidence(label=_("村（社区）"), value=str(n), link=link),
                facts.Evidence(label=_("已填报落实情况"), value=str(reported), link=link),
                facts.Evidence(label=_("各项均达到标准"), value=str(met), link=link),
            ),
            summary=_("%(n)d 个村（社区）中 %(m)d 个基本保障全部达标（已填报 %(r)d 个）") % {"n": n, "m": met, "r": reported},
        )  # fmt: skip
    return out


SOURCES = (
    *SOURCES,
    facts.FactSource(
        key="weakorgs.guarantee_compliance",
        label=gettext_lazy("村（社区）基本保障达标率"),
        kind=facts.FactKind.SCORE,
        compute=guarantee_compliance,
        description=gettext_lazy(
            "本单位村（社区）中，考核年度村级组织运转经费、村干部基本报酬、办公经费、服务群众专项经费、"
            "党员教育培训经费、社区工作者配备等各项均达到省、市基本保障标准的比例（0–100）；未填报的按未达标计；"
            "未制定标准或没有村（社区）时为缺项。可作为得分项或否决条件（如低于 100 否决）。"
        ),
        area=gettext_lazy("软弱涣散整顿"),
    ),
)
