"""What organisational life offers the assessment: the share of a unit's branches that met
their frequencies in the year (a score on 0–100)."""

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.core import facts
from shuzhi.core.access import in_subtree
from shuzhi.core.links import object_links
from shuzhi.orgs.models import Organization
from shuzhi.records import rules
from shuzhi.records.models import Completion, DuesAccount, DuesPayment, EvaluationRound

MISSED_NAMED = 5  # branches named in the summary; the list behind the link has them all


def org_life_rate(year: int, subjects: Sequence[facts.Subject]) -> dict[int, facts.Fact]:
    """Two queries for all subjects: the branches under any subject, and those that met the year."""
    if not subjects:
        return {}
    index = facts.SubjectIndex(subjects)
    common = facts.scope(subjects)
    branch_rows = Organization.objects.filter(
        in_subtree("path", common), kind=Organization.Kind.BRANCH
    ).values_list("path", "name")
    met_paths = set(
        Completion.objects.filter(in_subtree("org_path", common), year=year, met=True).values_list(
            "org_path", flat=True
        )
    )
    total: dict[int, int] = defaultdict(int)
    met: dict[int, int] = defaultdict(int)
    missed: dict[int, list[str]] = defaultdict(list)
    for path, name in branch_rows.order_by("path").iterator(chunk_size=10000):
        ok = path in met_paths
        for subject in index.holding(path):
            total[subject.id] += 1
            if ok:
                met[subject.id] += 1
            elif len(missed[subject.id]) < MISSED_NAMED:
                missed[subject.id].append(name)
    out = {}
    link_all = object_links("records:branches", year=year)
    link_met = object_links("records:branches", year=year, status="met")
    link_missed = object_links("records:branches", year=year, status="missed")
    labels = (_("党支部总数"), _("全年按要求开展组织生活的党支部"), _("未达到频次要求的党支部"))
    none, counted = _("没有党支部"), _("%(n)d 个党支部中 %(m)d 个按要求开展组织生活")
    not_met, more = _("；未达到：%(names)s"), _("等 %(k)d 个")
    for subject in subjects:
        n, m = total.get(subject.id, 0), met.get(subject.id, 0)
        evidence = (
            facts.Evidence(label=labels[0], value=str(n), link=link_all(subject.id)),
            facts.Evidence(label=labels[1], value=str(m), link=link_met(subject.id)),
            facts.Evidence(label=labels[2], value=str(n - m), link=link_missed(subject.id)),
        )
        if not n:
            summary = none
        else:
            summary = counted % {"n": n, "m": m}
            if missed.get(subject.id):
                summary += not_met % {"names": "、".join(missed[subject.id])}
                if n - m > MISSED_NAMED:
                    summary += more % {"k": n - m}
        out[subject.id] = facts.Fact(
            value=facts.share(m, n), evidence=evidence if n else (), summary=summary[:200]
        )
    return out


def dues_rate(year: int, subjects: Sequence[facts.Subject]) -> dict[int, facts.Fact]:
    """Paid member-months of the year over those due (members with a non-exempt account × the
    months due): two grouped queries for all subjects."""
    if not subjects:
        return {}
    index = facts.SubjectIndex(subjects)
    months = rules.months_due(year, timezone.localdate())
    scope = facts.scope(subjects)
    accounts = (
        DuesAccount.objects.filter(in_subtree("org_path", scope), year=year, exempt=False)
        .values("org_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    payments = (
        DuesPayment.objects.filter(in_subtree("org_path", scope), month__year=year, amount__gt=0)
        .values("org_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    members: dict[int, int] = defaultdict(int)
    paid: dict[int, int] = defaultdict(int)
    for row in accounts:
        for subject in index.holding(row["org_path"]):
            members[subject.id] += row["n"]
    for row in payments:
        for subject in index.holding(row["org_path"]):
            paid[subject.id] += row["n"]
    out = {}
    org_link = object_links("records:org", year=year)
    labels = (_("核定党费的党员"), _("应交月数"), _("已交月数"))
    counted, none = _("应交 %(n)d 人月，已交 %(m)d 人月"), _("没有核定党费的党员")
    for subject in subjects:
        n, m = members.get(subject.id, 0) * months, paid.get(subject.id, 0)
        link = org_link(subject.id)
        out[subject.id] = facts.Fact(
            value=facts.share(min(m, n), n),
            evidence=(
                facts.Evidence(label=labels[0], value=str(members.get(subject.id, 0)), link=link),
                facts.Evidence(label=labels[1], value=str(n), link=link),
                facts.Evidence(label=labels[2], value=str(m), link=link),
            ),
            summary=counted % {"n": n, "m": m} if n else none,
        )
    return out


def evaluation_done(year: int, subjects: Sequence[facts.Subject]) -> dict[int, facts.Fact]:
    """The share of the subtree's branches whose 民主评议党员 of the year was held and counted."""
    if not subjects:
        return {}
    index = facts.SubjectIndex(subjects)
    scope = facts.scope(subjects)
    done = set(
        EvaluationRound.objects.filter(
            in_subtree("org_path", scope), year=year, status=EvaluationRound.Status.CLOSED
        ).values_list("org_path", flat=True)
    )
    total: dict[int, int] = defaultdict(int)
    held: dict[int, int] = defaultdict(int)
    branches = Organization.objects.filter(
        in_subtree("path", scope), kind=Organization.Kind.BRANCH
    ).values_list("path", flat=True)
    for path in branches.order_by().iterator(chunk_size=10000):
        for subject in index.holding(path):
            total[subject.id] += 1
            held[subject.id] += path in done
    out = {}
    org_link = object_links("records:org", year=year)
    labels = (_("党支部总数"), _("完成民主评议的党支部"))
    counted, none = _("%(n)d 个党支部中 %(m)d 个完成民主评议党员"), _("没有党支部")
    for subject in subjects:
        n, m = total.get(subject.id, 0), held.get(subject.id, 0)
        link = org_link(subject.id)
        out[subject.id] = facts.Fact(
            value=facts.share(m, n),
            evidence=(facts.Evidence(label=labels[0], value=str(n), link=link),
                      facts.Evidence(label=labels[1], value=str(m), link=link)) if n else (),
            summary=counted % {"n": n, "m": m} if n else none,
        )  # fmt: skip
    return out


SOURCES = (
    facts.FactSource(
        key="records.org_life_rate",
        label=gettext_lazy("组织生活达标率"),
        kind=facts.FactKind.SCORE,
        compute=org_life_rate,
        description=gettext_lazy(
            "本单位及下级党支部中，考核年度内三会一课、主题党日、组织生活会均达到频次要求的比例（0–100）；"
            "没有党支部时为缺项。"
        ),
        area=gettext_lazy("党员记实"),
    ),
    facts.FactSource(
        key="records.dues_rate",
        label=gettext_lazy("党费按月交纳率"),
        kind=facts.FactKind.SCORE,
        compute=dues_rate,
        description=gettext_lazy(
            "本单位及下级已核定党费（未减免）的党员，考核年度内应交月数中已交纳的比例（0–100）；"
            "没有核定党费的党员时为缺项。"
        ),
        area=gettext_lazy("党员记实"),
    ),
    facts.FactSource(
        key="records.evaluation_done",
        label=gettext_lazy("民主评议党员完成率"),
        kind=facts.FactKind.SCORE,
        compute=evaluation_done,
        description=gettext_lazy(
            "本单位及下级党支部中，考核年度的民主评议党员已开展并统计结束的比例（0–100）。"
        ),
        area=gettext_lazy("党员记实"),
    ),
)
