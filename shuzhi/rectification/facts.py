"""What rectification offers the assessment: 问责 in the year (a veto condition) and how many of
a unit's rectification items due in the year were signed off in time (a score)."""

from collections import defaultdict
from collections.abc import Sequence
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.core import facts
from shuzhi.rectification.models import Accountability, Item


def accountability_in_year(year: int, subjects: Sequence[facts.Subject]) -> dict[int, facts.Fact]:
    """Holds for a unit when anyone in its subtree was held to account during the year."""
    index = facts.SubjectIndex(subjects)
    found: dict[int, list[tuple]] = defaultdict(list)
    rows = Accountability.objects.filter(on__year=year).order_by("on", "id")
    for path, on, person, kind, org in rows.values_list(
        "org_path", "on", "person", "kind", "organization__name"
    ):
        for subject in index.holding(path):
            found[subject.id].append((on, person, Accountability.Kind(kind).label, org))
    link = reverse("rectification:accountability")
    out = {}
    for subject in subjects:
        records = found.get(subject.id, [])
        evidence = tuple(
            facts.Evidence(label=f"{on:%Y-%m-%d} {org} {person}", value=str(kind), link=link)
            for on, person, kind, org in records
        )
        summary = (
            "；".join(f"{on:%Y-%m-%d} {person} {kind}" for on, person, kind, _org in records[:5])
            if records
            else _("%(year)d 年度无问责记录") % {"year": year}
        )
        out[subject.id] = facts.Fact(holds=bool(records), evidence=evidence, summary=summary[:200])
    return out


def on_time_rate(year: int, subjects: Sequence[facts.Subject]) -> dict[int, facts.Fact]:
    """The share of the subtree's rectification items due in the year that were signed off
    (销号) by their deadline; no data when none fell due."""
    index = facts.SubjectIndex(subjects)
    due: dict[int, int] = defaultdict(int)
    in_time: dict[int, int] = defaultdict(int)
    rows = Item.objects.filter(parent__isnull=True, deadline__year=year).values_list(
        "org_path", "deadline", "status", "closed_at"
    )
    for path, deadline, status, closed_at in rows.order_by():
        ok = (
            status == Item.Status.CLOSED
            and closed_at is not None
            and timezone.localdate(closed_at) <= deadline
        )
        for subject in index.holding(path):
            due[subject.id] += 1
            in_time[subject.id] += ok
    out = {}
    for subject in subjects:
        n, m = due.get(subject.id, 0), in_time.get(subject.id, 0)
        link = reverse("rectification:board") + "?" + urlencode({"q": subject.name, "year": year})
        out[subject.id] = facts.Fact(
            value=facts.share(m, n),
            evidence=(
                facts.Evidence(label=_("年内到期的整改事项"), value=str(n), link=link),
                facts.Evidence(label=_("按期销号"), value=str(m), link=link),
            ),
            summary=_("年内到期 %(n)d 项，按期销号 %(m)d 项") % {"n": n, "m": m}
            if n
            else _("年内没有到期的整改事项"),
        )
    return out


SOURCES = (
    facts.FactSource(
        key="rectification.accountability",
        label=gettext_lazy("年度内受到问责"),
        kind=facts.FactKind.CONDITION,
        compute=accountability_in_year,
        description=gettext_lazy("本单位或下级在考核年度内有问责记录（约谈、诫勉、通报批评等）即成立。"),
        area=gettext_lazy("整改与问责"),
    ),
    facts.FactSource(
        key="rectification.on_time_rate",
        label=gettext_lazy("整改按期完成率"),
        kind=facts.FactKind.SCORE,
        compute=on_time_rate,
        description=gettext_lazy(
            "考核年度内到期的整改事项中，按期销号的比例（0–100）；没有到期事项时为缺项。"
        ),
        area=gettext_lazy("整改与问责"),
    ),
)
