"""What the projects offer the assessment: 督查办's ratings of a unit's 书记领办项目 through the
year, as a score on 0–100 with a link back to every rating."""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.core import facts
from shuzhi.core.access import in_subtree
from shuzhi.projects import rules
from shuzhi.projects.models import Rating

PLACEHOLDER = 987654321


def supervision_rating(year: int, subjects: Sequence[facts.Subject]) -> dict[int, facts.Fact]:
    """One query for all subjects: every rating of the year's projects under any of them; a
    subject's value is the mean of the ratings in its subtree."""
    if not subjects:
        return {}
    index = facts.SubjectIndex(subjects)
    rows = (
        Rating.objects.filter(
            in_subtree("progress__project__declaration__org_path", facts.scope(subjects)),
            progress__project__declaration__round__year=year,
        )
        .values_list(
            "progress__project__declaration__org_path",
            "progress__project_id",
            "progress__project__title",
            "progress__quarter",
            "label",
            "score",
        )
        .order_by("progress__project__declaration__org_path", "progress__project_id", "progress__quarter")
    )
    scores: dict[int, list[Decimal]] = defaultdict(list)
    evidence: dict[int, list[facts.Evidence]] = defaultdict(list)
    # one reverse() and one translation for all ratings: at city scale they were the cost
    link = reverse("projects:project", args=[PLACEHOLDER]).replace(str(PLACEHOLDER), "{}") + "#q{}"
    label = _("%(title)s · 第%(q)d季度")
    for path, project_id, title, quarter, name, score in rows.iterator(chunk_size=5000):
        holders = index.holding(path)
        if not holders:
            continue
        item = facts.Evidence(
            label=label % {"title": title, "q": quarter},
            value=f"{name}（{rules.figure(score)}）",
            link=link.format(project_id, quarter),
        )
        for subject in holders:
            scores[subject.id].append(score)
            evidence[subject.id].append(item)
    out = {}
    for subject in subjects:
        values = scores.get(subject.id, [])
        value = rules.mean(values)
        out[subject.id] = facts.Fact(
            value=value,
            evidence=tuple(evidence.get(subject.id, ())),
            summary=(
                _("%(n)d 次季度督查评价，平均 %(v)s 分") % {"n": len(values), "v": value}
                if values
                else _("本年度没有督查评价")
            ),
        )
    return out


SOURCES = (
    facts.FactSource(
        key="projects.supervision_rating",
        label=gettext_lazy("书记领办项目督查评价"),
        kind=facts.FactKind.SCORE,
        compute=supervision_rating,
        description=gettext_lazy("本单位及下属单位书记领办项目各季度督查办评价得分的平均分（0–100）。"),
        area=gettext_lazy("书记领办项目"),
    ),
)
