"""What organisational life offers the assessment: the share of a unit's branches that met
their frequencies in the year (a score on 0–100)."""

from collections import defaultdict
from collections.abc import Sequence
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.core import facts
from shuzhi.core.access import in_subtree
from shuzhi.orgs.models import Organization
from shuzhi.records import rules
from shuzhi.records.models import Completion, DuesAccount, DuesPayment

MISSED_NAMED = 5  # branches named in the summary; the list behind the link has them all


def org_life_rate(year: int, subjects: Sequence[facts.Subject]) -> dict[int, facts.Fact]:
    """Two queries for all subjects: the branches under any subject, and those that met the year."""
    if not subjects:
        return {}
    index = facts.SubjectIndex(subjects)
    roots = sorted({s.path for s in subjects})
    # subjects' subtrees as few ranges as their common ancestors allow: the shortest prefix shared
    common = roots[0]
    for path in roots[1:]:
        while not path.startswith(common):
            common = common[:-1]
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
    for subject in subjects:
        n, m = total.get(subject.id, 0), met.get(subject.id, 0)
        link = reverse("records:branches", args=[subject.id]) + "?" + urlencode({"year": year})
        evidence = (
            facts.Evidence(label=_("党支部总数"), value=str(n), link=link),
            facts.Evidence(
                label=_("全年按要求开展组织生活的党支部"), value=str(m), link=link + "&status=met"
            ),
            facts.Evidence(label=_("未达到频次要求的党支部"), value=str(n - m), link=link + "&status=missed"),
        )
        if not n:
            summary = _("没有党支部")
        else:
            summary = _("%(n)d 个党支部中 %(m)d 个按要求开展组织生活") % {"n": n, "m": m}
            if missed.get(subject.id):
                summary += _("；未达到：%(names)s") % {"names": "、".join(missed[subject.id])}
                if n - m > MISSED_NAMED:
                    summary += _("等 %(k)d 个") % {"k": n - m}
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
    accounts = (
        DuesAccount.objects.filter(year=year, exempt=False)
        .values("org_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    payments = (
        DuesPayment.objects.filter(month__year=year, amount__gt=0)
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
    for subject in subjects:
        n, m = members.get(subject.id, 0) * months, paid.get(subject.id, 0)
        link = reverse("records:org", args=[subject.id]) + "?" + urlencode({"year": year})
        out[subject.id] = facts.Fact(
            value=facts.share(min(m, n), n),
            evidence=(
                facts.Evidence(label=_("核定党费的党员"), value=str(members.get(subject.id, 0)), link=link),
                facts.Evidence(label=_("应交月数"), value=str(n), link=link),
                facts.Evidence(label=_("已交月数"), value=str(m), link=link),
            ),
            summary=_("应交 %(n)d 人月，已交 %(m)d 人月") % {"n": n, "m": m}
            if n
            else _("没有核定党费的党员"),
        )
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
)
